/**
 * @ecr-scan/aws-backend: the core's ECR ports over @aws-sdk/client-ecr, and its events port over an SQS
 * queue (@aws-sdk/client-sqs).
 *
 * @module @ecr-scan/aws-backend
 * @since 0.1.0
 */

/** The layers. */
export * as AwsBackend from "./AwsBackend.js"
/** The scoped SDK client. */
export * as EcrClientInstance from "./EcrClientInstance.js"
/** From SDK exceptions to the core's typed errors. */
export * as ErrorMapping from "./ErrorMapping.js"
/** The retry strategy that does not retry ECR's LimitExceededException. */
export * as ScanLimitRetryStrategy from "./ScanLimitRetryStrategy.js"
/** The abort signal each call hands to the SDK. */
export * as CallSignal from "./CallSignal.js"
/** The events port over an SQS queue an EventBridge rule feeds. */
export * as SqsEvents from "./SqsEvents.js"
