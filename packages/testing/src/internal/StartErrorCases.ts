/**
 * The conformance cases of the errors of StartImageScan: invalid parameters (and that the client refuses
 * them before sending), missing repositories and images, unsupported and archived images, a registry
 * configured for ENHANCED scanning, and a planned server fault.
 */
import { ImageRegistry } from "@ecr-scan/core"
import { expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fixtures from "../Fixtures.js"
import { imageNotFound, invalidParameter, OCI_INDEX, repositoryNotFound } from "./Expected.js"
import { type Case, Harness } from "./Harness.js"
import { push, refusal, repositoryWithImage, scan } from "./Steps.js"

/** The errors of StartImageScan. */
export const startErrorCases = {
  // --- The errors of StartImageScan -----------------------------------------------------------------------
  "start-invalid-name": {
    title:
      "StartImageScan with a repository name outside the pattern is refused with InvalidParameterException in AWS's format",
    run: Effect.gen(function*() {
      expect(yield* refusal(scan("Bad_Name!", { imageTag: "v1" }))).toStrictEqual(invalidParameter(
        "repositoryName",
        "must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*'"
      ))
    })
  },
  "start-invalid-before-sending": {
    title: "a 1-character repository name is refused with InvalidParameterException before any request is sent",
    run: Effect.gen(function*() {
      const { repositoryName, requestsReceived } = yield* Harness
      const before = requestsReceived === undefined ? 0 : yield* requestsReceived("StartImageScan")
      // Were it sent, a server without validation would answer RepositoryNotFoundException (moto does, section 9 #7).
      expect(yield* refusal(scan("a", { imageTag: "v1" }))).toStrictEqual(
        invalidParameter("repositoryName", "must have length greater than or equal to 2")
      )
      if (requestsReceived === undefined) return
      expect(yield* requestsReceived("StartImageScan")).toBe(before)
      // The count does move for a request that is sent: a well-formed name of a repository that does not exist.
      const missing = repositoryName("sent")
      expect(yield* refusal(scan(missing, { imageTag: "v1" }))).toStrictEqual(yield* repositoryNotFound(missing))
      expect(yield* requestsReceived("StartImageScan")).toBe(before + 1)
    })
  },
  "start-empty-image-id": {
    title: "StartImageScan with neither tag nor digest is refused with InvalidParameterException",
    run: Effect.gen(function*() {
      const { repositoryName } = yield* repositoryWithImage("empty-image-id")
      const refused = yield* refusal(scan(repositoryName, {}))
      expect(refused._tag).toBe("InvalidParameterException")
      expect(refused.message).toMatch(/^Invalid parameter at '/)
    })
  },
  "start-repository-not-found": {
    title:
      "StartImageScan in a repository that does not exist is refused with RepositoryNotFoundException in AWS's words",
    run: Effect.gen(function*() {
      const repositoryName = (yield* Harness).repositoryName("no-repository")
      expect(yield* refusal(scan(repositoryName, { imageTag: "v1" }))).toStrictEqual(
        yield* repositoryNotFound(repositoryName)
      )
    })
  },
  "start-image-not-found": {
    title:
      "StartImageScan of an unknown tag or digest is refused with ImageNotFoundException in AWS's words, null for the part not sent",
    run: Effect.gen(function*() {
      const { repositoryName } = yield* repositoryWithImage("no-image")
      const absent = Fixtures.digestOf(Fixtures.image(`${repositoryName}/never-pushed`))
      expect(yield* refusal(scan(repositoryName, { imageTag: "v9" }))).toStrictEqual(
        yield* imageNotFound(repositoryName, { imageTag: "v9" })
      )
      expect(yield* refusal(scan(repositoryName, { imageDigest: absent }))).toStrictEqual(
        yield* imageNotFound(repositoryName, { imageDigest: absent })
      )
    })
  },
  "start-unsupported-image-type": {
    title: "StartImageScan of an OCI image index is refused with UnsupportedImageTypeException in AWS's words",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("index")
      yield* push(repositoryName, Fixtures.index([digest]), "multi")
      expect(yield* refusal(scan(repositoryName, { imageTag: "multi" }))).toStrictEqual({
        _tag: "UnsupportedImageTypeException",
        message:
          `An artifact with media type '${OCI_INDEX}' cannot be scanned. For more information, see the Amazon ECR documentation.`
      })
    })
  },
  "start-image-archived": {
    title: "StartImageScan of an image archived with UpdateImageStorageClass is refused with ImageArchivedException",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("archived")
      yield* ImageRegistry.updateImageStorageClass({
        repositoryName,
        imageId: { imageDigest: digest },
        targetStorageClass: "ARCHIVE"
      })
      // AWS's text for this error is not known (spec section 4): the tag is the behaviour.
      expect((yield* refusal(scan(repositoryName, { imageDigest: digest })))._tag).toBe("ImageArchivedException")
    })
  },
  "start-enhanced-registry": {
    title: "StartImageScan in a registry that uses ENHANCED scanning is refused with ValidationException",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("enhanced")
      const before = yield* ImageRegistry.getRegistryScanningConfiguration({})
      const restore = ImageRegistry.putRegistryScanningConfiguration({
        scanType: before.scanningConfiguration?.scanType ?? "BASIC",
        rules: before.scanningConfiguration?.rules ?? []
      }).pipe(Effect.orDie)
      yield* Effect.gen(function*() {
        yield* ImageRegistry.putRegistryScanningConfiguration({ scanType: "ENHANCED", rules: [] })
        // AWS's text for this error is not known (spec section 5.3): the tag is the behaviour.
        expect((yield* refusal(scan(repositoryName, { imageDigest: digest })))._tag).toBe("ValidationException")
      }).pipe(Effect.ensuring(restore))
    })
  },
  "start-server-exception": {
    title: "a planned fault makes StartImageScan fail with ServerException, and the next call is accepted",
    needs: ["faults"],
    run: Effect.gen(function*() {
      const harness = yield* Harness
      const { digest, repositoryName } = yield* repositoryWithImage("fault")
      yield* harness.planFault({ operation: "StartImageScan", error: "ServerException", count: 1 })
      expect((yield* refusal(scan(repositoryName, { imageDigest: digest })))._tag).toBe("ServerException")
      expect((yield* scan(repositoryName, { imageDigest: digest })).imageScanStatus).toStrictEqual({
        status: "IN_PROGRESS"
      })
    })
  }
} satisfies { readonly [id: string]: Case }
