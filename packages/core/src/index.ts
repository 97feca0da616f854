/**
 * @ecr-scan/core: schemas, typed errors, pure rules and the service ports of Amazon ECR image scanning.
 *
 * @module @ecr-scan/core
 * @since 0.1.0
 */

/** Request and response schemas of every operation, and the operation table. */
export * as Api from "./Api.js"
/** The service model's member constraints. */
export * as Constraints from "./Constraints.js"
/** ECR's and Inspector's EventBridge events: schemas and constructors. */
export * as Events from "./Events.js"
/** EventBridge event-pattern matching. */
export * as EventPattern from "./EventPattern.js"
/** One tagged error per ECR error. */
export * as Errors from "./Errors.js"
/** Paging of scan findings. */
export * as FindingsPage from "./FindingsPage.js"
/** Branded identifiers and timestamps. */
export * as Identifiers from "./Identifiers.js"
/** Image shapes and media types. */
export * as ImageModel from "./ImageModel.js"
/** What PutImage reads from a manifest. */
export * as Manifest from "./Manifest.js"
/** Manifest JSON for tests, demos, simulations and benchmarks. */
export * as ManifestBuilder from "./ManifestBuilder.js"
/** Planned faults: the shape a test writes, the shape a registry holds, and the rule between them. */
export * as FaultPlan from "./FaultPlan.js"
/** The events port: a Stream of the registry's events. */
export * as RegistryEvents from "./RegistryEvents.js"
/** The registry port. */
export * from "./ImageRegistry.js"
/** Operations by name on whatever provides the ports; ports from per-operation handlers. */
export * as Ports from "./Ports.js"
/** Fast paths of the hottest requests and responses. */
export * as FastCodecs from "./FastCodecs.js"
/** How an imageId names an image, and how responses echo it. */
export * as ImageResolution from "./ImageResolution.js"
/** The scanning port. */
export * from "./ImageScanner.js"
/** The once-per-24-hours rule. */
export * as ImageScanWindow from "./ImageScanWindow.js"
/** Registry scanning rules and repository filters. */
export * as RegistryScanningRules from "./RegistryScanningRules.js"
/** Repository shapes. */
export * as RepositoryModel from "./RepositoryModel.js"
/** Scanning configuration shapes. */
export * as ScanningConfiguration from "./ScanningConfiguration.js"
/** The scan lifecycle. */
export * as ScanLifecycle from "./ScanLifecycle.js"
/** Scan statuses and findings. */
export * as ScanModel from "./ScanModel.js"
/** Findings from a Trivy or Grype JSON report. */
export * as ScannerReports from "./ScannerReports.js"
/** The account quota. */
export * as ScanQuota from "./ScanQuota.js"
/** The gate's policy and verdict: thresholds, maxima, ignores with expiry, `evaluate`. */
export * as ScanPolicy from "./ScanPolicy.js"
/** One request validator per operation. */
export * as RequestValidators from "./RequestValidators.js"
/** The house rules. */
export * as ScanRules from "./ScanRules.js"
/** The decision of StartImageScan. */
export * as StartImageScanRule from "./StartImageScanRule.js"
/** Request validation in AWS's format. */
export * as Validation from "./Validation.js"
/** Whether a fiber runs under a tracer someone installed. */
export * as Tracing from "./Tracing.js"
/** The deployment gate: wait for the scan, judge its findings against a policy. */
export * as ScanGate from "./ScanGate.js"
/** The ImageScanComplete waiter. */
export * as Waiter from "./Waiter.js"
/** What a push starts: no scan, an enhanced scan, a basic scan, or a refusal by the account quota. */
export * as ScanOnPush from "./ScanOnPush.js"
/** Tag immutability and its exclusion filters. */
export * as TagMutability from "./TagMutability.js"
/** The checks and defaults of CreateRepository. */
export * as RepositoryRules from "./RepositoryRules.js"
/** Explicit lists that exclude paging (DescribeImages, DescribeRepositories). */
export * as PagingRules from "./PagingRules.js"
/** Archive and restore transitions. */
export * as ImageArchival from "./ImageArchival.js"
/** The lifecycle policy language: parse, validate, evaluate which images expire. */
export * as LifecyclePolicy from "./LifecyclePolicy.js"
/** GetAuthorizationToken's token: `AWS:<password>`, valid for 12 hours. */
export * as AuthorizationTokens from "./AuthorizationTokens.js"
/** ListImages: one image id per tag, the tag-status filter, paging. */
export * as ImageListing from "./ImageListing.js"
/** Resource tags: repository ARNs, tag limits, TagResource/UntagResource. */
export * as ResourceTags from "./ResourceTags.js"
/** ECR's check of a repository or registry policy document before it stores it (no IAM evaluation). */
export * as PolicyDocuments from "./PolicyDocuments.js"
