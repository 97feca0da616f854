/**
 * The raw awsJson1_1 requests of the HTTP benchmark, built before any timing: the bytes an SDK writes
 * for an ECR call (the operation in `X-Amz-Target`, `application/x-amz-json-1.1`, a SigV4-shaped
 * `Authorization`), one distinct image per request.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import * as Fixtures from "../fixtures.js"

/** The target prefix of ECR's operations. */
export const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."

/** The content type of requests and replies. */
export const CONTENT_TYPE = "application/x-amz-json-1.1"

/** The region every request claims (moto reads it from the credential scope). */
export const REGION = "us-east-1"

const AMZ_DATE = "20250101T000000Z"
const CREDENTIAL = `AKIDBENCHMARK0000000/20250101/${REGION}/ecr/aws4_request`
const SIGNED_HEADERS = "content-type;host;x-amz-date;x-amz-target"

/** The digest the emulator gives image `i` (the sha256 of its manifest, byte for byte). */
export const emulatorDigest = (i: number): string =>
  `sha256:${createHash("sha256").update(Fixtures.manifest(i), "utf8").digest("hex")}`

/** One request's bytes: headers as the JS SDK writes them, a dummy signature, the JSON body. */
export const build = (host: string, port: number, operation: string, body: string): Buffer => {
  const signature = createHash("sha256").update(body).digest("hex")
  return Buffer.from(
    "POST / HTTP/1.1\r\n" +
      `Host: ${host}:${port}\r\n` +
      `X-Amz-Target: ${TARGET_PREFIX}${operation}\r\n` +
      `Content-Type: ${CONTENT_TYPE}\r\n` +
      `X-Amz-Date: ${AMZ_DATE}\r\n` +
      `Authorization: AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=${SIGNED_HEADERS}, ` +
      `Signature=${signature}\r\n` +
      "User-Agent: ecr-scan-bench/0.1.0\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: keep-alive\r\n" +
      "\r\n" +
      body,
    "utf8"
  )
}

/** The StartImageScan of image `i` (three in four by digest, one in four by tag, as the memory benchmark). */
export const startImageScanBody = (i: number, digest: string): string => JSON.stringify(Fixtures.requestFor(i, digest))

/** The CreateRepository of every repository the images are spread over. */
export const createRepositoryBodies = (): ReadonlyArray<string> =>
  Fixtures.repositoryNames.map((repositoryName) => JSON.stringify({ repositoryName }))

/** The PutImage of image `i` (its repository, its tag, its own manifest). */
export const putImageBody = (i: number): string =>
  JSON.stringify({
    repositoryName: Fixtures.repositoryOf(i),
    imageManifest: Fixtures.manifest(i),
    imageManifestMediaType: Fixtures.MEDIA.manifest,
    imageTag: Fixtures.tagOf(i)
  })
