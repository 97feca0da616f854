/**
 * The conformance suite against the aws backend pointed at moto's server (moto 5.2.1, started as a child
 * process on a free loopback port and stopped by its pid). moto has no virtual clock, cannot be told
 * findings or outcomes and cannot plan faults, so the cases that need those are skipped, saying why.
 * Where moto is known to differ from AWS (spec section 9), the case runs as an expected failure: the
 * difference is recorded, never taken for the truth, and the suite turns red if moto starts behaving
 * like AWS. One attempt per call, dummy credentials.
 */
import { AwsBackend } from "@ecr-scan/aws-backend"
import { Conformance } from "@ecr-scan/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { startMotoServer } from "../support/motoServer.js"
import { describeWith, moto } from "../support/tools.js"

/** The aws backend pointed at moto's server, started before the first case and stopped, by pid, after the last. */
const backend = Layer.unwrapScoped(
  Effect.map(
    Effect.acquireRelease(Effect.promise(() => startMotoServer()), (server) => Effect.promise(() => server.stop())),
    (server) =>
      AwsBackend.layer({
        endpoint: server.endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "conformance" },
        maxAttempts: 1
      })
  )
)

describeWith(moto(), "conformance against moto", () => {
  Conformance.suite("the aws backend against moto's server", backend, {
    lacks: {
      virtualTime: "moto runs on the wall clock, and its 24 hour rule compares calendar dates of local time " +
        "(spec section 9 #1, #19), so a day cannot be made to pass",
      findings:
        "moto cannot be told an image's findings: its only hook (POST /moto-api/static/ecr/scan-finding-results) " +
        "replaces the whole DescribeImageScanFindings response, and its own scans report one fake finding (section 9 #3)",
      outcome: "moto's scans always complete, with a fake finding, the moment they start (spec section 9 #3): " +
        "none can be made to end FAILED",
      faults: "moto has no way to plan a fault"
    },
    expectedDifferences: {
      "repository-name-pattern": "moto's CreateRepository checks names against the older pattern and rejects " +
        "a__b and a--b, which ECR accepts today (spec section 9 #7)",
      "put-image-digest": "moto's digest is the sha256 of the joined layer digests, not of the manifest bytes " +
        "(spec section 9 #9)",
      "put-image-missing-repository": "moto answers PutImage into a missing repository with an HTTP 500 HTML page, " +
        "not RepositoryNotFoundException (spec section 9 #18)",
      "start-by-digest": "moto's StartImageScan adds the image's newest tag to the imageId it echoes, even when only " +
        "the digest was sent (spec section 9 #5)",
      "start-by-tag": "moto's StartImageScan echoes the image's newest tag, not the tag that was sent " +
        "(spec section 9 #5)",
      "scan-in-progress": "moto reports a scan COMPLETE, with a fake finding, as soon as it has started " +
        "(spec section 9 #3)",
      "scan-on-push-starts": "moto never scans on push (spec section 9 #4): DescribeImageScanFindings keeps " +
        "answering ScanNotFoundException, as for any image without a manual scan (section 9 #20)",
      "scan-on-push-uses-slot": "moto never scans on push (spec section 9 #4, #20), so a manual scan right after " +
        "the push is accepted",
      "findings-paginated": {
        skip: "moto ignores maxResults and nextToken (spec section 9 #13), and cannot be given findings to page " +
          "through: its scans report one fake finding (section 9 #3)"
      },
      "findings-echo": "moto's DescribeImageScanFindings echoes the digest with the image's newest tag, whatever " +
        "form was sent (spec section 9 #5)",
      "start-unsupported-image-type": "moto scans an OCI image index like any image, with no " +
        "UnsupportedImageTypeException (spec section 9 #10)",
      "start-image-archived": "moto has neither UpdateImageStorageClass (it answers HTTP 500) nor " +
        "ImageArchivedException (spec section 9 #12)",
      "start-enhanced-registry": "moto starts basic scans whatever the registry's scan type, with no " +
        "ValidationException (spec section 9 #11)",
      "list-images-tag-status": "moto's ListImages ignores filter.tagStatus (moto 5.2.1: \"maxResults and filtering " +
        "not implemented\"): TAGGED and UNTAGGED list every image",
      "list-images-paged": "moto's ListImages ignores maxResults and nextToken (moto 5.2.1): one page holds every id",
      "tags-too-many": "moto's TagResource puts no limit on a repository's tags: the 51st is accepted",
      "tag-mutability-immutable": "moto refuses to move a tag of an immutable repository with " +
        "ImageAlreadyExistsException, not ImageTagAlreadyExistsException",
      "tag-mutability-exclusion": "moto's PutImageTagMutability does not echo imageTagMutabilityExclusionFilters, " +
        "and its PutImage ignores them (every tag of an *_WITH_EXCLUSION repository is immutable or none is)",
      "tag-mutability-filters-mismatch": "moto's PutImageTagMutability accepts MUTABLE_WITH_EXCLUSION without " +
        "exclusion filters",
      "lifecycle-policy-never-evaluated": "moto's GetLifecyclePolicy answers lastEvaluatedAt as the time of the " +
        "call, not the epoch ECR answers for a policy never applied",
      "lifecycle-policy-invalid": "moto's lifecycle policy validation message lacks the closing quote of the " +
        "constraint ('...(matched 0 out of 2)' without the final ')",
      "lifecycle-preview": {
        skip: "moto 5.2.1 implements neither StartLifecyclePolicyPreview nor GetLifecyclePolicyPreview"
      },
      "lifecycle-policy-applied": { skip: "moto keeps lifecycle policies but never applies them" }
    }
  })
})
