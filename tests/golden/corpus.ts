/**
 * The golden corpus's request sequence: scripted scenarios that reach every modelled outcome of the
 * fourteen ECR operations (every error each can give, the scan lifecycle, scan on push, registry
 * scanning rules, archive and restore, paging, the account quota, faults, protocol faults, the control
 * endpoints), interleaved with seeded random episodes over a small registry.
 *
 * Deterministic: one fixed seed feeds its own PRNG (no Math.random, no wall clock). The sequence is a
 * generator that is handed each reply before it yields the next request, and reads from a reply only what
 * a client would have to (a `nextToken`, an exported state, the clock), plus whether a write succeeded so
 * that the random episodes aim at what exists. Played against the same emulator it yields the same
 * requests; the corpus file stores the requests as sent, so the replay never runs this generator.
 */
import { Api } from "@ecr-scan/core"
import { createHash } from "node:crypto"
import {
  AMZ_JSON,
  dataPlaneHeaders,
  type GoldenReply,
  type GoldenRequest,
  RECORDING,
  TARGET_PREFIX
} from "./exchange.js"

/** The seed of the whole sequence. */
export const SEED = 0x60_1d_e2

/** Stop adding random episodes once the sequence has this many steps. */
export const TARGET_STEPS = 3_500

/** A part of the sequence: yields requests, is handed their replies. */
export type Steps<A = void> = Generator<GoldenRequest, A, GoldenReply>

// -----------------------------------------------------------------------------------------------------------------
// PRNG (mulberry32: small, and the same on every platform)

/** A seeded generator of numbers in [0, 1). */
export class Prng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<A>(items: ReadonlyArray<A>): A {
    return items[this.int(items.length)]
  }
  /** One of `entries`, each as likely as its weight. */
  weighted<A>(entries: ReadonlyArray<readonly [number, A]>): A {
    const total = entries.reduce((sum, [w]) => sum + w, 0)
    let at = this.next() * total
    for (const [w, value] of entries) {
      at -= w
      if (at < 0) return value
    }
    return entries[entries.length - 1][1]
  }
}

// -----------------------------------------------------------------------------------------------------------------
// Manifests and findings

const hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

/** The digest ECR gives a manifest: SHA-256 of its exact bytes. */
export const digestOf = (manifest: string) => `sha256:${hex(manifest)}`

const MT = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  helmConfig: "application/vnd.cncf.helm.config.v1+json",
  helmChart: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
  signatureConfig: "application/vnd.dev.cosign.artifact.sig.v1+json"
} as const

const blob = (what: string, n: number, i = 0) => `sha256:${hex(`${what}-${n}-${i}`)}`

/** A blob a manifest points at: a config or a layer. */
interface Descriptor {
  readonly mediaType: string
  readonly digest: string
  readonly size: number
}

const descriptor = (mediaType: string, digest: string, size: number): Descriptor => ({ mediaType, digest, size })

/** A schema 2 manifest: `mediaType` (left out when undefined), config, layers and, for a referrer, its subject. */
const manifest = (
  mediaType: string | undefined,
  config: Descriptor,
  layers: ReadonlyArray<Descriptor>,
  subject?: Descriptor
) => JSON.stringify({ schemaVersion: 2, mediaType, config, layers, subject })

/** An OCI image with `layers` layers (none: an image the scanner cannot read, whose scans end FAILED). */
const ociImage = (n: number, layers = 1) =>
  manifest(
    MT.ociManifest,
    descriptor(MT.ociConfig, blob("config", n), 1_000 + n),
    Array.from({ length: layers }, (_, i) => descriptor(MT.ociLayer, blob("layer", n, i), 2_000_000 + 7 * n + i))
  )

/** A Docker schema 2 image. */
const dockerImage = (n: number, layers = 1) =>
  manifest(
    MT.dockerManifest,
    descriptor(MT.dockerConfig, blob("config", n), 1_500 + n),
    Array.from({ length: layers }, (_, i) => descriptor(MT.dockerLayer, blob("layer", n, i), 3_000_000 + 11 * n + i))
  )

/** A non-image artifact (a Helm chart): its config is not an image config. */
const helmChart = (n: number) =>
  manifest(MT.ociManifest, descriptor(MT.helmConfig, blob("chart-config", n), 300 + n), [
    descriptor(MT.helmChart, blob("chart", n), 9_000 + n)
  ])

/** A referrer (a signature) of `subject`. */
const signature = (n: number, subject: string) =>
  manifest(
    MT.ociManifest,
    descriptor(MT.signatureConfig, blob("sig-config", n), 233),
    [descriptor("application/vnd.dev.cosign.simplesigning.v1+json", blob("sig", n), 250)],
    descriptor(MT.ociManifest, subject, 500)
  )

/** A Docker schema 1 manifest: no `mediaType`, recognised by its schema version. */
const schema1 = (n: number) =>
  JSON.stringify({
    schemaVersion: 1,
    name: "golden/legacy",
    tag: `v${n}`,
    architecture: "amd64",
    fsLayers: [{ blobSum: blob("fs", n) }]
  })

/** A schema 2 manifest without `mediaType`: PutImage needs `imageManifestMediaType` for it. */
const bareImage = (n: number) =>
  manifest(undefined, descriptor(MT.dockerConfig, blob("bare-config", n), 700), [
    descriptor(MT.dockerLayer, blob("bare", n), 5_000 + n)
  ])

/** An OCI index (or a Docker manifest list) over image digests. */
const imageIndex = (digests: ReadonlyArray<string>, docker = false) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: docker ? MT.dockerList : MT.ociIndex,
    manifests: digests.map((digest, i) => ({
      mediaType: docker ? MT.dockerManifest : MT.ociManifest,
      digest,
      size: 500 + i,
      platform: { architecture: i % 2 === 0 ? "amd64" : "arm64", os: "linux" }
    }))
  })

const SEVERITIES = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", "UNDEFINED"] as const

/** `count` findings for the findings override, from the PRNG. */
const findingsList = (rng: Prng, count: number, label: string) =>
  Array.from({ length: count }, (_, i) => {
    const id = `CVE-2098-${String(10_000 + rng.int(90_000))}`
    return rng.chance(0.15)
      ? { name: id, severity: rng.pick(SEVERITIES) }
      : {
        name: id,
        description: `golden finding ${label}/${i}`,
        uri: `https://golden.example/${id}`,
        severity: rng.pick(SEVERITIES),
        attributes: [
          { key: "package_name", value: rng.pick(["openssl", "zlib", "curl", "glibc"]) },
          { key: "package_version", value: `${rng.between(1, 3)}.${rng.int(10)}` },
          ...(rng.chance(0.5) ? [{ key: "CVSS3_SCORE", value: (rng.int(100) / 10).toFixed(1) }] : [])
        ]
      }
  })

// -----------------------------------------------------------------------------------------------------------------
// The service model's error lists (botocore), to plan each operation's every modelled error as a fault:
// the core's operation table holds them, in the table's order

const OPERATION_ERRORS = Api.operationNames.map((operation) => [operation, Api.Operations[operation].errors] as const)

// -----------------------------------------------------------------------------------------------------------------
// What the random episodes believe the registry holds (from the replies of their own writes)

interface ModelImage {
  readonly digest: string
  readonly manifest: string
  /** The `imageManifestMediaType` it must be pushed with, if its manifest has no `mediaType`. */
  readonly mediaType: string | undefined
  tags: Array<string>
}

interface ModelRepo {
  readonly name: string
  readonly images: Map<string, ModelImage>
}

const REPO_POOL = ["app", "shop/api", "shop/batch", "prod/web", "prod/db", "team-a/svc", "ci/build.x", "tools"]
const TAG_POOL = ["latest", "v1", "v2", "v3", "release-1", "release-2", "dev", "dev-7", "build.9", "rc_1"]
const ADVANCES: ReadonlyArray<readonly [number, string]> = [
  [6, "5s"],
  [8, "20s"],
  [10, "45s"],
  [14, "2m"],
  [6, "10m"],
  [4, "21m"],
  [6, "1h"],
  [3, "6h"],
  [6, "25h"],
  [1, "3d"],
  [0.4, "31d"]
]
const MUTABILITIES: ReadonlyArray<readonly [number, string]> = [
  [6, "MUTABLE"],
  [2, "IMMUTABLE"],
  [1, "IMMUTABLE_WITH_EXCLUSION"],
  [1, "MUTABLE_WITH_EXCLUSION"]
]
const REGISTRY_CONFIGS: ReadonlyArray<unknown> = [
  { scanType: "BASIC", rules: [] },
  { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("prod*")] }] },
  { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("*")] }] },
  { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("shop"), f("app")] }] },
  {
    scanType: "ENHANCED",
    rules: [
      { scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [f("prod*")] },
      { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("*")] }
    ]
  },
  { scanType: "ENHANCED", rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("shop/*")] }] },
  { scanType: "ENHANCED", rules: [] },
  // Refused: ValidationException or InvalidParameterException.
  { scanType: "BASIC", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [f("*")] }] },
  { scanType: "ENHANCED", rules: [{ scanFrequency: "MANUAL", repositoryFilters: [f("*")] }] },
  { rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "Prod", filterType: "WILDCARD" }] }] }
]

function f(filter: string) {
  return { filter, filterType: "WILDCARD" }
}

const json = (reply: GoldenReply): any => {
  try {
    return JSON.parse(reply.body)
  } catch {
    return undefined
  }
}

// -----------------------------------------------------------------------------------------------------------------
// The sequence

/** The whole sequence. */
export function* corpus(): Steps {
  const rng = new Prng(SEED)
  let scenario = "start"
  let steps = 0
  let manifestCounter = 0
  /** The virtual clock, as the emulator last reported it. */
  let clock = Date.parse(RECORDING.startTime)
  const next = () => ++manifestCounter

  // -- request builders ----------------------------------------------------------------------------------------

  function* raw(method: string, path: string, headers: Record<string, string>, body?: string): Steps<GoldenReply> {
    steps += 1
    return yield { scenario, method, path, headers, body }
  }

  /** A data-plane call, as the SDKs send it. */
  function* call(operation: string, input: unknown): Steps<GoldenReply> {
    return yield* raw("POST", "/", { ...dataPlaneHeaders(operation) }, JSON.stringify(input))
  }

  /** A control endpoint; the virtual clock is read back from the clock's replies. */
  function* control(method: string, path: string, body?: unknown): Steps<GoldenReply> {
    const reply = yield* raw(
      method,
      `/_ecr-scan${path}`,
      body === undefined ? {} : { "content-type": "application/json" },
      body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body)
    )
    const epochMillis = json(reply)?.epochMillis
    if (typeof epochMillis === "number") clock = epochMillis
    return reply
  }

  const advance = (duration: string) => control("POST", "/clock/advance", { duration })
  const reset = () => control("POST", "/reset")

  /** Starts scenario `name` on an emptied registry, in which it creates repository `repo`; answers `repo`. */
  function* startWithRepository(name: string, repo: string): Steps<string> {
    scenario = name
    yield* reset()
    yield* call("CreateRepository", { repositoryName: repo })
    return repo
  }

  /** `PutImage`; returns the digest when it was stored. */
  function* push(repositoryName: string, manifest: string, imageTag?: string, extra: object = {}) {
    const reply = yield* call("PutImage", {
      repositoryName,
      imageManifest: manifest,
      ...(imageTag === undefined ? {} : { imageTag }),
      ...extra
    })
    return reply.status === 200 ? digestOf(manifest) : undefined
  }

  /** Describes findings, following `nextToken` for up to `pages` pages. */
  function* findings(repositoryName: string, imageId: object, maxResults?: number, pages = 1) {
    let nextToken: string | undefined = undefined
    for (let page = 0; page < pages; page++) {
      const reply: GoldenReply = yield* call("DescribeImageScanFindings", {
        repositoryName,
        imageId,
        ...(maxResults === undefined ? {} : { maxResults }),
        ...(nextToken === undefined ? {} : { nextToken })
      })
      nextToken = json(reply)?.nextToken
      if (nextToken === undefined) break
    }
    return nextToken
  }

  /** Lists with `nextToken` through an operation's pages. */
  function* pages(operation: string, input: object, max: number) {
    let nextToken: string | undefined = undefined
    for (let page = 0; page < max; page++) {
      const reply: GoldenReply = yield* call(operation, { ...input, ...(nextToken === undefined ? {} : { nextToken }) })
      nextToken = json(reply)?.nextToken
      if (nextToken === undefined) break
    }
    return nextToken
  }

  // -- scripted scenarios ----------------------------------------------------------------------------------------

  function* controlEndpoints() {
    scenario = "control"
    yield* control("GET", "/health")
    yield* control("GET", "/accounts")
    yield* control("GET", "/clock")
    yield* control("GET", "/quota")
    yield* control("GET", "/state")
    yield* advance("90s")
    yield* advance("1h30m")
    yield* advance("2 hours")
    yield* advance("500ms")
    yield* advance("1000")
    yield* control("POST", "/clock/advance", { duration: "soon" })
    yield* control("POST", "/clock/advance", { duration: 5 })
    yield* control("POST", "/clock/advance", "{not json")
    yield* control("POST", "/clock/advance", {})
    yield* control("POST", "/clock/set", { time: new Date(clock + 3_600_000).toISOString() })
    yield* control("POST", "/clock/set", { time: clock + 60_000 })
    yield* control("POST", "/clock/set", { time: "not a time" })
    yield* control("POST", "/clock/set", { time: true })
    yield* control("GET", "/clock?account=123456789012")
    yield* control("GET", "/quota?account=999999999999")
    yield* raw("GET", "/_ecr-scan/quota", { "x-ecr-scan-account": "999999999999" })
    yield* raw("GET", "/_ecr-scan/quota", { "x-ecr-scan-account": "123456789012" })
    yield* control("GET", "/nope")
    yield* control("DELETE", "/clock")
    yield* control("POST", "/health")
    yield* control("POST", "/findings", { imageDigest: digestOf("x"), findings: [{ severity: "SEVERE" }] })
    yield* control("POST", "/findings", { findings: [] })
    yield* control("POST", "/outcome", { imageDigest: digestOf("x"), outcome: "BROKEN" })
    yield* control("POST", "/outcome", { imageDigest: digestOf("x"), outcome: "FAILED" })
    yield* control("POST", "/findings", { imageDigest: digestOf("x"), repositoryName: "none", findings: [] })
    yield* control("GET", "/state")
    yield* reset()
    yield* control("GET", "/state")
    // The clock may be set backwards, but the registry never sees its time run backwards.
    const before = clock
    yield* call("CreateRepository", { repositoryName: "clock/first" })
    yield* control("POST", "/clock/set", { time: before - 3_600_000 })
    yield* call("CreateRepository", { repositoryName: "clock/second" })
    yield* call("DescribeRepositories", {})
    yield* control("GET", "/quota")
    yield* control("POST", "/clock/set", { time: before + 60_000 })
    yield* call("CreateRepository", { repositoryName: "clock/third" })
    yield* call("DescribeRepositories", {})
    yield* reset()
  }

  function* protocol() {
    scenario = "protocol"
    const AMZ = AMZ_JSON
    const T = TARGET_PREFIX
    // `null`: no such header at all.
    const ecr = (target: string | null, body: string | undefined, contentType: string | null = AMZ) =>
      raw(
        "POST",
        "/",
        {
          ...(contentType === null ? {} : { "content-type": contentType }),
          ...(target === null ? {} : { "x-amz-target": target })
        },
        body
      )
    yield* ecr(`${T}NoSuchOperation`, "{}")
    yield* ecr(`${T}GetAuthorizationToken`, "{}")
    yield* ecr(`${T}ListImages`, `{"repositoryName":"app"}`)
    yield* ecr(`${T}startImageScan`, "{}")
    yield* ecr(T, "{}")
    yield* ecr(null, "{}")
    yield* ecr("DynamoDB_20120810.ListTables", "{}")
    yield* ecr(`${T}GetRegistryScanningConfiguration`, "{}", null)
    yield* ecr(`${T}GetRegistryScanningConfiguration`, "{}", "application/json")
    yield* ecr(`${T}GetRegistryScanningConfiguration`, "{}", "text/plain; charset=utf-8")
    yield* ecr(`${T}GetRegistryScanningConfiguration`, "{}", "application/x-amz-json-1.1; charset=utf-8")
    yield* ecr(`${T}GetRegistryScanningConfiguration`, "{}", "APPLICATION/X-AMZ-JSON-1.1")
    yield* ecr(`${T}GetRegistryScanningConfiguration`, "", AMZ)
    yield* ecr(`${T}GetRegistryScanningConfiguration`, undefined, AMZ)
    yield* ecr(`${T}GetRegistryScanningConfiguration`, " \n ", AMZ)
    yield* ecr(`${T}CreateRepository`, "")
    for (const body of ["{", `{"repositoryName":`, "nul", "{'a':1}", `{"repositoryName":"app",}`, "\u0000"]) {
      yield* ecr(`${T}CreateRepository`, body)
    }
    for (const body of ["[]", `"app"`, "42", "true", "null", `[{"repositoryName":"app"}]`]) {
      yield* ecr(`${T}CreateRepository`, body)
    }
    // Members of the wrong JSON type: SerializationException, before any validation.
    const wrongTypes: ReadonlyArray<readonly [string, unknown]> = [
      ["CreateRepository", { repositoryName: 5 }],
      ["CreateRepository", { repositoryName: "proto/a", tags: "x" }],
      ["CreateRepository", { repositoryName: "proto/a", imageScanningConfiguration: { scanOnPush: "true" } }],
      ["CreateRepository", { repositoryName: "proto/a", tags: [{ Key: 1, Value: "v" }] }],
      ["StartImageScan", { repositoryName: "proto/a", imageId: "v1" }],
      ["StartImageScan", { repositoryName: "proto/a", imageId: { imageTag: 3 } }],
      ["StartImageScan", { repositoryName: ["proto/a"], imageId: { imageTag: "v1" } }],
      ["DescribeImageScanFindings", { repositoryName: "proto/a", imageId: { imageTag: "v1" }, maxResults: "10" }],
      ["DescribeImageScanFindings", { repositoryName: "proto/a", imageId: { imageTag: "v1" }, nextToken: 7 }],
      ["DescribeRepositories", { repositoryNames: "proto/a" }],
      ["DescribeRepositories", { maxResults: 2.5 }],
      ["DeleteRepository", { repositoryName: "proto/a", force: "yes" }],
      ["PutImage", { repositoryName: "proto/a", imageManifest: { schemaVersion: 2 } }],
      ["BatchGetImage", { repositoryName: "proto/a", imageIds: {} }],
      ["BatchDeleteImage", { repositoryName: "proto/a", imageIds: [["v1"]] }],
      ["DescribeImages", { repositoryName: "proto/a", filter: "TAGGED" }],
      ["PutImageScanningConfiguration", { repositoryName: "proto/a", imageScanningConfiguration: true }],
      ["PutRegistryScanningConfiguration", { rules: {} }],
      ["PutRegistryScanningConfiguration", { scanType: 1 }],
      ["BatchGetRepositoryScanningConfiguration", { repositoryNames: [1, 2] }],
      ["UpdateImageStorageClass", { repositoryName: "proto/a", imageId: { imageTag: "v1" }, targetStorageClass: 0 }],
      ["GetRegistryScanningConfiguration", { registryId: 123456789012 }]
    ]
    for (const [operation, input] of wrongTypes) yield* call(operation, input)
    // A null member is an absent one, as AWS's deserializers read it.
    yield* call("CreateRepository", { repositoryName: "proto/nulls", tags: null, encryptionConfiguration: null })
    yield* call("DescribeRepositories", { repositoryNames: null, maxResults: null, nextToken: null })
    yield* call("CreateRepository", { repositoryName: null })
    // Unknown members are ignored.
    yield* call("DescribeRepositories", { bogus: 1, repositoryNames: ["proto/nulls"] })
    // Method and path.
    yield* raw("GET", "/", {})
    yield* raw("PUT", "/", { "content-type": AMZ, "x-amz-target": `${T}GetRegistryScanningConfiguration` }, "{}")
    yield* raw("DELETE", "/", {})
    yield* raw("POST", "/v1", { "content-type": AMZ, "x-amz-target": `${T}GetRegistryScanningConfiguration` }, "{}")
    yield* raw(
      "POST",
      "/?Action=x",
      { "content-type": AMZ, "x-amz-target": `${T}GetRegistryScanningConfiguration` },
      "{}"
    )
    yield* raw("GET", "/favicon.ico", {})
    yield* raw("POST", "/_ecr-scan", {}, "{}")
    yield* reset()
  }

  function* basics() {
    scenario = "basics"
    const repo = "basics/app"
    yield* reset()
    yield* call("GetRegistryScanningConfiguration", {})
    yield* call("CreateRepository", { repositoryName: repo })
    const d1 = (yield* push(repo, ociImage(next()), "v1"))!
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: d1 } })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: d1, imageTag: "v1" } })
    yield* control("GET", "/quota")
    yield* advance("4s")
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageDigest: d1 } })
    yield* advance("100s")
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageDigest: d1 } })
    const token = yield* findings(repo, { imageTag: "v1" }, 1, 1)
    yield* findings(repo, { imageTag: "v1" }, 1, 20)
    yield* findings(repo, { imageTag: "v1" }, 5, 5)
    yield* call("DescribeImageScanFindings", {
      repositoryName: repo,
      imageId: { imageTag: "v1" },
      nextToken: "garbage"
    })
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageTag: "v1" }, nextToken: "" })
    yield* call("DescribeImageScanFindings", {
      repositoryName: repo,
      imageId: { imageTag: "v1" },
      nextToken: "eyJrIjoib3RoZXIiLCJvIjoxfQ"
    })
    yield* advance("23h")
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* advance("1h")
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "v1" } })
    if (token !== undefined) {
      // A token is bound to the scan it was issued for: a rescan makes it invalid.
      yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageTag: "v1" }, nextToken: token })
    }
    yield* advance("2m")
    yield* findings(repo, { imageTag: "v1" }, 3, 10)
    const d2 = (yield* push(repo, dockerImage(next(), 3), "v2"))!
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "v2" } })
    if (token !== undefined) {
      yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageTag: "v2" }, nextToken: token })
    }
    // Moving a tag: the old image keeps its scan, the tag's new image has none.
    const d3 = (yield* push(repo, ociImage(next(), 2), "v1"))!
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageDigest: d1 } })
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "nope" } })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: digestOf("nothing") } })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: d2, imageTag: "v1" } })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: d3, imageTag: "v1" } })
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageTag: "nope" } })
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageDigest: d2, imageTag: "v1" } })
    yield* call("StartImageScan", { repositoryName: "basics/missing", imageId: { imageTag: "v1" } })
    yield* call("DescribeImageScanFindings", { repositoryName: "basics/missing", imageId: { imageTag: "v1" } })
    yield* call("StartImageScan", { registryId: "999999999999", repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* call("StartImageScan", { registryId: "123456789012", repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* call("DescribeImageScanFindings", {
      registryId: "999999999999",
      repositoryName: repo,
      imageId: { imageTag: "v1" }
    })
    // Validation.
    const invalid: ReadonlyArray<object> = [
      {},
      { repositoryName: repo },
      { repositoryName: repo, imageId: {} },
      { repositoryName: repo, imageId: { imageDigest: "sha256:xyz" } },
      { repositoryName: repo, imageId: { imageDigest: "nocolon" } },
      { repositoryName: repo, imageId: { imageTag: "" } },
      { repositoryName: repo, imageId: { imageTag: "t".repeat(301) } },
      { repositoryName: "Basics/App", imageId: { imageTag: "v1" } },
      { repositoryName: "b", imageId: { imageTag: "v1" } },
      { repositoryName: "basics//app", imageId: { imageTag: "v1" } },
      { repositoryName: `a${"b".repeat(256)}`, imageId: { imageTag: "v1" } },
      { registryId: "12345", repositoryName: repo, imageId: { imageTag: "v1" } },
      { registryId: "12345", repositoryName: "Bad", imageId: {} }
    ]
    for (const input of invalid) {
      yield* call("StartImageScan", input)
      yield* call("DescribeImageScanFindings", input)
    }
    for (const maxResults of [0, 1001, -1, 1000, 1]) {
      yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageDigest: d1 }, maxResults })
    }
    yield* call("DescribeImages", { repositoryName: repo })
    yield* call("DescribeImages", { repositoryName: repo, imageIds: [{ imageTag: "v1" }, { imageDigest: d1 }] })
    yield* control("GET", "/quota")
    yield* control("GET", "/state")
  }

  function* findingsAndOutcomes() {
    scenario = "findings-and-outcomes"
    const repo = "outcomes/app"
    const other = "outcomes/other"
    yield* reset()
    yield* call("CreateRepository", { repositoryName: repo })
    yield* call("CreateRepository", { repositoryName: other })
    const images: Array<string> = []
    for (let i = 0; i < 6; i++) images.push((yield* push(repo, ociImage(next(), 1 + (i % 3)), `t${i}`))!)
    const empty = (yield* push(repo, ociImage(next(), 0), "empty"))!
    const shared = ociImage(next())
    const sharedDigest = (yield* push(repo, shared, "shared"))!
    yield* push(other, shared, "shared")
    yield* control("POST", "/findings", {
      imageDigest: images[0],
      repositoryName: repo,
      findings: findingsList(rng, 25, "a")
    })
    yield* control("POST", "/findings", { imageDigest: images[1], findings: [] })
    yield* control("POST", "/outcome", { imageDigest: images[2], outcome: "FAILED" })
    yield* control("POST", "/outcome", { imageDigest: images[3], repositoryName: repo, outcome: "UNSUPPORTED_IMAGE" })
    yield* control("POST", "/outcome", { imageDigest: images[4], outcome: "FINDINGS_UNAVAILABLE" })
    yield* control("POST", "/findings", { imageDigest: images[5], findings: findingsList(rng, 3, "f") })
    yield* control("POST", "/outcome", { imageDigest: images[5], outcome: "COMPLETE" })
    yield* control("POST", "/outcome", { imageDigest: sharedDigest, repositoryName: other, outcome: "FAILED" })
    yield* control("POST", "/findings", {
      imageDigest: sharedDigest,
      repositoryName: repo,
      findings: findingsList(rng, 2, "s")
    })
    for (const digest of [...images, empty]) {
      yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: digest } })
    }
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "shared" } })
    yield* call("StartImageScan", { repositoryName: other, imageId: { imageTag: "shared" } })
    yield* control("GET", "/quota")
    yield* advance("2m")
    yield* findings(repo, { imageDigest: images[0] }, 10, 5)
    yield* findings(repo, { imageDigest: images[0] }, 1000)
    yield* findings(repo, { imageDigest: images[0] }, 24, 3)
    yield* findings(repo, { imageDigest: images[0] }, 25, 3)
    for (const digest of [...images.slice(1), empty]) yield* findings(repo, { imageDigest: digest })
    yield* findings(repo, { imageTag: "shared" })
    yield* findings(other, { imageTag: "shared" })
    // Overrides apply to scans that start after them.
    yield* control("POST", "/outcome", { imageDigest: images[0], outcome: "FAILED" })
    yield* control("POST", "/findings", { imageDigest: images[2], findings: findingsList(rng, 4, "c") })
    yield* findings(repo, { imageDigest: images[0] }, 5)
    yield* advance("25h")
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: images[0] } })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: images[2] } })
    yield* control("POST", "/outcome", { imageDigest: images[2], outcome: "COMPLETE" })
    yield* advance("30s")
    yield* findings(repo, { imageDigest: images[0] })
    yield* findings(repo, { imageDigest: images[2] })
    yield* advance("90s")
    yield* findings(repo, { imageDigest: images[0] })
    yield* findings(repo, { imageDigest: images[2] })
    // A FAILED scan holds the image's slot.
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: images[0] } })
    yield* control("GET", "/state")
  }

  function* putImageErrors() {
    scenario = "put-image"
    yield* reset()
    const mutable = "put/mutable"
    const immutable = "put/immutable"
    const immutableExcept = "put/imm-excl"
    const mutableExcept = "put/mut-excl"
    yield* call("CreateRepository", { repositoryName: mutable })
    yield* call("CreateRepository", { repositoryName: immutable, imageTagMutability: "IMMUTABLE" })
    yield* call("CreateRepository", {
      repositoryName: immutableExcept,
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [f("latest"), f("dev*")]
    })
    yield* call("CreateRepository", {
      repositoryName: mutableExcept,
      imageTagMutability: "MUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [f("release-*"), f("*-final")]
    })
    for (const repo of [mutable, immutable, immutableExcept, mutableExcept]) {
      for (const tag of ["latest", "v1", "dev-1", "release-1", "x-final"]) {
        yield* push(repo, ociImage(next()), tag)
        yield* push(repo, ociImage(next()), tag)
      }
      const m = ociImage(next())
      yield* push(repo, m, "same")
      yield* push(repo, m, "same")
      yield* push(repo, m)
      yield* push(repo, m, "another")
      const untagged = ociImage(next())
      yield* push(repo, untagged)
      yield* push(repo, untagged)
      yield* call("DescribeImages", { repositoryName: repo, filter: { tagStatus: "ANY" } })
    }
    const m = dockerImage(next())
    yield* push(mutable, m, "digest-wrong", { imageDigest: digestOf("something else") })
    yield* push(mutable, m, "digest-bad", { imageDigest: "sha256:not-hex" })
    yield* push(mutable, m, "digest-right", { imageDigest: digestOf(m) })
    yield* push(mutable, imageIndex([digestOf("missing-1")]), "index")
    yield* push(mutable, imageIndex([digestOf(m), digestOf("missing-2"), digestOf("missing-3")]), "index")
    yield* push(mutable, JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [{ size: 1 }] }), "i")
    yield* push(mutable, "not json", "bad")
    yield* push(mutable, "[1,2]", "bad")
    yield* push(mutable, "", "bad")
    yield* push(mutable, ociImage(next()), "bad", { imageManifestMediaType: MT.dockerManifest })
    yield* push(mutable, ociImage(next()), "ok", { imageManifestMediaType: MT.ociManifest })
    yield* push(mutable, bareImage(next()), "bare")
    yield* push(mutable, bareImage(next()), "bare", { imageManifestMediaType: "text/plain" })
    yield* push(mutable, bareImage(next()), "bare", { imageManifestMediaType: MT.dockerManifest })
    yield* push(mutable, bareImage(next()), "bare", { imageManifestMediaType: "m".repeat(256) })
    yield* push(mutable, schema1(next()), "legacy")
    yield* push(mutable, JSON.stringify({ schemaVersion: 2, mediaType: "application/x-custom" }), "custom")
    yield* push(mutable, ociImage(next()), "t".repeat(301))
    yield* push(mutable, ociImage(next()), "")
    yield* push("put/missing", ociImage(next()), "v1")
    yield* push(mutable, ociImage(next()), "v1", { registryId: "999999999999" })
    yield* push(mutable, ociImage(next()), "v1", { registryId: "123456789012" })
    yield* call("PutImage", { repositoryName: mutable })
    yield* call("PutImage", { imageManifest: ociImage(next()) })
    for (const repo of [mutable, immutable, immutableExcept, mutableExcept]) {
      yield* call("DescribeImages", { repositoryName: repo, maxResults: 4, filter: { tagStatus: "TAGGED" } })
      yield* call("BatchGetImage", { repositoryName: repo, imageIds: [{ imageTag: "latest" }, { imageTag: "v1" }] })
    }
    yield* call("BatchGetImage", {
      repositoryName: mutable,
      imageIds: [{ imageTag: "legacy" }, { imageTag: "bare" }],
      acceptedMediaTypes: [MT.dockerManifest]
    })
    yield* call("DescribeRepositories", {})
  }

  function* indexesAndArtifacts() {
    scenario = "indexes-and-artifacts"
    yield* reset()
    const repo = "multi/app"
    yield* call("CreateRepository", { repositoryName: repo, imageScanningConfiguration: { scanOnPush: true } })
    const aManifest = ociImage(next(), 2)
    const a = (yield* push(repo, aManifest, "amd64"))!
    const b = (yield* push(repo, ociImage(next(), 3), "arm64"))!
    const c = (yield* push(repo, dockerImage(next()), "docker"))!
    const index = (yield* push(repo, imageIndex([a, b]), "latest"))!
    const list = (yield* push(repo, imageIndex([c, a], true), "list"))!
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "latest" } })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: list } })
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageTag: "latest" } })
    const chart = (yield* push(repo, helmChart(next()), "chart"))!
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "chart" } })
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageDigest: chart } })
    const sig = (yield* push(repo, signature(next(), a)))!
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: sig } })
    yield* push(repo, schema1(next()), "legacy")
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "legacy" } })
    yield* call("DescribeImages", { repositoryName: repo })
    yield* call("DescribeImages", { repositoryName: repo, filter: { tagStatus: "UNTAGGED" } })
    yield* call("DescribeImages", { repositoryName: repo, imageIds: [{ imageDigest: index }, { imageDigest: sig }] })
    yield* advance("2m")
    for (const tag of ["amd64", "arm64", "docker", "legacy"]) yield* findings(repo, { imageTag: tag }, 4, 4)
    yield* call("BatchDeleteImage", { repositoryName: repo, imageIds: [{ imageDigest: a }] })
    yield* call("BatchDeleteImage", { repositoryName: repo, imageIds: [{ imageTag: "amd64" }] })
    // With a second tag, a referenced image can lose one of them.
    yield* push(repo, aManifest, "extra")
    yield* push(repo, aManifest, "extra")
    yield* call("BatchDeleteImage", { repositoryName: repo, imageIds: [{ imageTag: "extra" }] })
    yield* call("UpdateImageStorageClass", {
      repositoryName: repo,
      imageId: { imageTag: "latest" },
      targetStorageClass: "ARCHIVE"
    })
    yield* call("BatchDeleteImage", { repositoryName: repo, imageIds: [{ imageTag: "latest" }, { imageDigest: b }] })
    yield* call("BatchDeleteImage", { repositoryName: repo, imageIds: [{ imageDigest: b }, { imageDigest: a }] })
    yield* call("BatchDeleteImage", { repositoryName: repo, imageIds: [{ imageDigest: list }, { imageDigest: a }] })
    yield* call("BatchGetImage", {
      repositoryName: repo,
      imageIds: [{ imageDigest: index }, { imageDigest: c }, { imageTag: "chart" }, { imageDigest: sig }]
    })
    yield* call("DescribeImages", { repositoryName: repo, filter: { tagStatus: "ANY", imageStatus: "ANY" } })
    yield* control("GET", "/state")
  }

  function* archive() {
    const repo = yield* startWithRepository("archive", "archive/app")
    const x = (yield* push(repo, ociImage(next()), "v1"))!
    const yManifest = ociImage(next())
    const y = (yield* push(repo, yManifest, "v2"))!
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* advance("2m")
    yield* findings(repo, { imageTag: "v1" })
    const storage = (imageId: object, targetStorageClass: unknown) =>
      call("UpdateImageStorageClass", { repositoryName: repo, imageId, targetStorageClass })
    yield* storage({ imageTag: "v1" }, "ARCHIVE")
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* findings(repo, { imageTag: "v1" })
    yield* call("DescribeImages", { repositoryName: repo })
    for (const imageStatus of ["ARCHIVED", "ACTIVE", "ACTIVATING", "ANY", "DELETED"]) {
      yield* call("DescribeImages", { repositoryName: repo, filter: { imageStatus } })
    }
    yield* storage({ imageTag: "v1" }, "ARCHIVE")
    yield* storage({ imageTag: "v2" }, "STANDARD")
    yield* storage({ imageTag: "v1" }, "STANDARD")
    yield* storage({ imageTag: "v1" }, "STANDARD")
    yield* storage({ imageTag: "v1" }, "ARCHIVE")
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: x } })
    yield* findings(repo, { imageDigest: x })
    yield* call("DescribeImages", { repositoryName: repo, filter: { imageStatus: "ACTIVATING" } })
    yield* advance("10m")
    yield* call("DescribeImages", { repositoryName: repo, imageIds: [{ imageDigest: x }] })
    yield* advance("11m")
    yield* call("DescribeImages", { repositoryName: repo, imageIds: [{ imageDigest: x }] })
    yield* findings(repo, { imageDigest: x })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: x } })
    yield* advance("25h")
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageDigest: x } })
    yield* advance("2m")
    yield* findings(repo, { imageDigest: x })
    // Pushing an archived image again restores it at once.
    yield* storage({ imageDigest: y }, "ARCHIVE")
    yield* push(repo, yManifest, "v2")
    yield* push(repo, yManifest, "v2")
    yield* storage({ imageDigest: y }, "ARCHIVE")
    yield* push(repo, yManifest)
    yield* storage({ imageDigest: y }, "ARCHIVE")
    yield* push(repo, yManifest, "v2-again")
    yield* call("DescribeImages", { repositoryName: repo, filter: { imageStatus: "ANY" } })
    yield* storage({ imageTag: "v1" }, "GLACIER")
    yield* storage({ imageTag: "v1" }, "archive")
    yield* storage({ imageTag: "v1" }, undefined)
    yield* storage({}, "ARCHIVE")
    yield* storage({ imageTag: "nope" }, "ARCHIVE")
    yield* storage({ imageTag: "v1", imageDigest: y }, "ARCHIVE")
    yield* call("UpdateImageStorageClass", {
      repositoryName: "archive/missing",
      imageId: { imageTag: "v1" },
      targetStorageClass: "ARCHIVE"
    })
    yield* call("UpdateImageStorageClass", {
      registryId: "999999999999",
      repositoryName: repo,
      imageId: { imageTag: "v1" },
      targetStorageClass: "ARCHIVE"
    })
    yield* control("GET", "/state")
  }

  function* registryScanning() {
    scenario = "registry-scanning"
    yield* reset()
    const put = (input: unknown) => call("PutRegistryScanningConfiguration", input)
    const get = () => call("GetRegistryScanningConfiguration", {})
    const repos = ["prod/web", "dev/web", "tools", "shop/api"]
    const batchGet = () => call("BatchGetRepositoryScanningConfiguration", { repositoryNames: [...repos, "missing"] })
    yield* get()
    yield* put({ scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("prod*")] }] })
    yield* get()
    for (const name of repos) yield* call("CreateRepository", { repositoryName: name })
    yield* call("PutImageScanningConfiguration", {
      repositoryName: "tools",
      imageScanningConfiguration: { scanOnPush: true }
    })
    yield* batchGet()
    for (const name of repos) yield* push(name, ociImage(next()), "basic")
    for (const name of repos) yield* findings(name, { imageTag: "basic" })
    yield* advance("2m")
    for (const name of repos) yield* findings(name, { imageTag: "basic" }, 2, 2)
    // Refused configurations.
    yield* put({ scanType: "BASIC", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [f("*")] }] })
    yield* put({ scanType: "ENHANCED", rules: [{ scanFrequency: "MANUAL", repositoryFilters: [f("*")] }] })
    yield* put({
      scanType: "ENHANCED",
      rules: [
        { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("a")] },
        { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("b")] }
      ]
    })
    const rule = { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("a")] }
    yield* put({ scanType: "BASIC", rules: [rule, rule, rule] })
    yield* put({ rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("Prod")] }] })
    yield* put({
      rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "prod", filterType: "REGEX" }] }]
    })
    yield* put({ rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("")] }] })
    yield* put({ rules: [{ scanFrequency: "WEEKLY", repositoryFilters: [] }] })
    yield* put({ rules: [{ scanFrequency: "SCAN_ON_PUSH" }] })
    yield* put({ scanType: "PREMIUM" })
    yield* put({
      rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: Array.from({ length: 101 }, () => f("a")) }]
    })
    yield* get()
    // ENHANCED: continuous for prod, on push for the rest.
    yield* put({
      scanType: "ENHANCED",
      rules: [
        { scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [f("prod*")] },
        { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("*web"), f("shop")] }
      ]
    })
    yield* get()
    yield* batchGet()
    const enhanced: Record<string, string> = {}
    for (const name of repos) enhanced[name] = (yield* push(name, ociImage(next(), 2), "enhanced"))!
    const untagged = (yield* push("prod/web", ociImage(next())))!
    yield* control("POST", "/outcome", {
      imageDigest: digestOf(ociImage(manifestCounter + 1)),
      outcome: "FINDINGS_UNAVAILABLE"
    })
    yield* control("POST", "/outcome", { imageDigest: digestOf(ociImage(manifestCounter + 2)), outcome: "FAILED" })
    yield* control("POST", "/outcome", {
      imageDigest: digestOf(ociImage(manifestCounter + 3)),
      outcome: "UNSUPPORTED_IMAGE"
    })
    yield* push("dev/web", ociImage(next()), "unavailable")
    yield* push("dev/web", ociImage(next()), "failed")
    yield* push("prod/web", ociImage(next()), "unsupported")
    yield* push("shop/api", imageIndex([enhanced["shop/api"]]), "index")
    yield* push("shop/api", helmChart(next()), "chart")
    yield* call("StartImageScan", { repositoryName: "prod/web", imageId: { imageTag: "enhanced" } })
    yield* call("StartImageScan", { repositoryName: "shop/api", imageId: { imageTag: "index" } })
    yield* call("StartImageScan", { repositoryName: "tools", imageId: { imageTag: "basic" } })
    for (const name of repos) yield* findings(name, { imageTag: "enhanced" })
    yield* advance("2m")
    for (const name of repos) yield* findings(name, { imageTag: "enhanced" }, 3, 3)
    yield* findings("prod/web", { imageDigest: untagged })
    for (const tag of ["unavailable", "failed"]) yield* findings("dev/web", { imageTag: tag })
    yield* findings("prod/web", { imageTag: "unsupported" })
    yield* findings("shop/api", { imageTag: "index" })
    yield* findings("shop/api", { imageTag: "chart" })
    // Images scanned only by basic scanning have no ENHANCED scan.
    yield* findings("prod/web", { imageTag: "basic" })
    yield* advance("29d")
    yield* findings("prod/web", { imageTag: "enhanced" }, 2)
    yield* advance("2d")
    yield* findings("prod/web", { imageTag: "enhanced" }, 2)
    yield* findings("dev/web", { imageTag: "enhanced" }, 2)
    yield* call("UpdateImageStorageClass", {
      repositoryName: "prod/web",
      imageId: { imageTag: "enhanced" },
      targetStorageClass: "ARCHIVE"
    })
    yield* findings("prod/web", { imageTag: "enhanced" })
    yield* call("StartImageScan", { repositoryName: "prod/web", imageId: { imageTag: "enhanced" } })
    // Back to BASIC: only basic scans are seen again.
    yield* put({ scanType: "BASIC" })
    yield* get()
    yield* batchGet()
    for (const name of repos) yield* findings(name, { imageTag: "enhanced" })
    for (const name of repos) yield* findings(name, { imageTag: "basic" })
    yield* put({})
    yield* get()
    yield* put({ scanType: "ENHANCED" })
    yield* put({ rules: [] })
    yield* get()
    yield* call("BatchGetRepositoryScanningConfiguration", { repositoryNames: [] })
    yield* call("BatchGetRepositoryScanningConfiguration", {
      repositoryNames: Array.from({ length: 26 }, (_, i) => `r${i}`)
    })
    yield* call("BatchGetRepositoryScanningConfiguration", {
      repositoryNames: Array.from({ length: 25 }, (_, i) => (i < 4 ? repos[i] : `r${i}`))
    })
    yield* call("BatchGetRepositoryScanningConfiguration", { repositoryNames: ["Bad Name"] })
    yield* call("BatchGetRepositoryScanningConfiguration", {})
    yield* call("GetRegistryScanningConfiguration", { registryId: "123456789012" })
    yield* call("PutImageScanningConfiguration", { repositoryName: "missing", imageScanningConfiguration: {} })
    yield* call("PutImageScanningConfiguration", { repositoryName: "tools" })
    yield* call("PutImageScanningConfiguration", { repositoryName: "tools", imageScanningConfiguration: {} })
    yield* call("PutImageScanningConfiguration", {
      registryId: "999999999999",
      repositoryName: "tools",
      imageScanningConfiguration: { scanOnPush: true }
    })
    yield* control("GET", "/state")
  }

  function* repositories() {
    scenario = "repositories"
    yield* reset()
    const create = (input: object) => call("CreateRepository", input)
    yield* create({
      repositoryName: "repos/full",
      tags: [{ Key: "team", Value: "golden" }, { Key: "env", Value: "" }],
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: "KMS" }
    })
    yield* create({
      repositoryName: "repos/kms",
      encryptionConfiguration: { encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:123456789012:key/golden" }
    })
    yield* create({ repositoryName: "repos/dsse", encryptionConfiguration: { encryptionType: "KMS_DSSE" } })
    yield* create({ repositoryName: "repos/aes", encryptionConfiguration: { encryptionType: "AES256" } })
    yield* create({ repositoryName: "repos/aes" })
    yield* create({ repositoryName: "repos/full", imageTagMutability: "MUTABLE" })
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }))
    yield* create({ repositoryName: "repos/tags-51", tags: tags(51) })
    yield* create({ repositoryName: "repos/tags-50", tags: tags(50) })
    yield* create({
      repositoryName: "repos/excl",
      imageTagMutability: "MUTABLE",
      imageTagMutabilityExclusionFilters: [f("a")]
    })
    yield* create({ repositoryName: "repos/excl", imageTagMutabilityExclusionFilters: [f("a")] })
    yield* create({ repositoryName: "repos/excl", imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" })
    yield* create({
      repositoryName: "repos/excl",
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: []
    })
    yield* create({
      repositoryName: "repos/excl",
      imageTagMutability: "MUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: Array.from({ length: 6 }, (_, i) => f(`t${i}`))
    })
    yield* create({
      repositoryName: "repos/excl",
      imageTagMutability: "MUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [f("bad filter!")]
    })
    yield* create({
      repositoryName: "repos/excl",
      imageTagMutability: "MUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [{ filter: "a", filterType: "REGEX" }]
    })
    yield* create({
      repositoryName: "repos/excl",
      imageTagMutability: "MUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: Array.from({ length: 5 }, (_, i) => f(`t${i}*`))
    })
    yield* create({ repositoryName: "repos/odd", imageTagMutability: "SOMETIMES" })
    yield* create({ repositoryName: "repos/odd", encryptionConfiguration: { encryptionType: "ROT13" } })
    yield* create({ repositoryName: "repos/odd", encryptionConfiguration: { encryptionType: "KMS", kmsKey: "" } })
    yield* create({ repositoryName: "repos/odd", encryptionConfiguration: {} })
    yield* create({ repositoryName: "repos/odd", tags: [{ Key: "only-key" }] })
    for (
      const repositoryName of [
        "A",
        "a",
        "-a",
        "a-",
        "a//b",
        "a/",
        "a..b",
        "a__b",
        "a___b",
        "a--b",
        `a${"b".repeat(256)}`
      ]
    ) {
      yield* create({ repositoryName })
    }
    yield* create({ repositoryName: "repos/other", registryId: "999999999999" })
    yield* create({ repositoryName: "repos/own", registryId: "123456789012" })
    yield* create({ repositoryName: "repos/bad-registry", registryId: "1234" })
    for (let i = 0; i < 9; i++) yield* create({ repositoryName: `repos/many-${i}` })
    yield* pages("DescribeRepositories", { maxResults: 5 }, 10)
    yield* pages("DescribeRepositories", { maxResults: 1 }, 3)
    yield* call("DescribeRepositories", {})
    yield* call("DescribeRepositories", { maxResults: 1000 })
    yield* call("DescribeRepositories", { maxResults: 0 })
    yield* call("DescribeRepositories", { maxResults: 1001 })
    yield* call("DescribeRepositories", { nextToken: "garbage" })
    yield* call("DescribeRepositories", { nextToken: "t".repeat(4097) })
    yield* call("DescribeRepositories", { repositoryNames: ["repos/full", "repos/kms"] })
    yield* call("DescribeRepositories", { repositoryNames: ["repos/full", "repos/missing", "repos/gone"] })
    yield* call("DescribeRepositories", { repositoryNames: ["repos/full"], maxResults: 2 })
    yield* call("DescribeRepositories", { repositoryNames: ["repos/full"], nextToken: "x" })
    yield* call("DescribeRepositories", { repositoryNames: [] })
    yield* call("DescribeRepositories", { repositoryNames: Array.from({ length: 101 }, (_, i) => `r${i}`) })
    yield* call("DescribeRepositories", { repositoryNames: ["Bad"] })
    yield* call("DescribeRepositories", { registryId: "999999999999" })
    yield* call("DescribeRepositories", { registryId: "999999999999", repositoryNames: ["repos/full"] })
    yield* call("DescribeRepositories", { registryId: "123456789012", repositoryNames: ["repos/full"] })
    yield* push("repos/kms", ociImage(next()), "v1")
    yield* push("repos/full", ociImage(next()), "v1")
    yield* call("DeleteRepository", { repositoryName: "repos/kms" })
    yield* call("DeleteRepository", { repositoryName: "repos/kms", force: false })
    yield* call("DeleteRepository", { repositoryName: "repos/kms", force: true })
    yield* call("DeleteRepository", { repositoryName: "repos/kms" })
    yield* call("DeleteRepository", { repositoryName: "repos/dsse" })
    yield* call("DeleteRepository", { repositoryName: "repos/full", registryId: "999999999999" })
    yield* call("DeleteRepository", { repositoryName: "Repos" })
    yield* call("DeleteRepository", {})
    // Deleting a repository forgets its overrides; recreating it starts afresh.
    yield* control("POST", "/outcome", {
      imageDigest: digestOf(ociImage(manifestCounter)),
      repositoryName: "repos/full",
      outcome: "FAILED"
    })
    yield* call("DeleteRepository", { repositoryName: "repos/full", force: true })
    yield* create({ repositoryName: "repos/full" })
    yield* push("repos/full", ociImage(manifestCounter), "v1")
    yield* call("StartImageScan", { repositoryName: "repos/full", imageId: { imageTag: "v1" } })
    yield* advance("2m")
    yield* findings("repos/full", { imageTag: "v1" }, 3)
    yield* pages("DescribeRepositories", { maxResults: 4 }, 10)
    yield* control("GET", "/state")
  }

  function* batches() {
    const repo = yield* startWithRepository("batch-images", "batch/app")
    const digests: Array<string> = []
    for (let i = 0; i < 7; i++) digests.push((yield* push(repo, ociImage(next(), i % 3), `v${i}`))!)
    const multi = ociImage(next())
    const multiDigest = (yield* push(repo, multi, "a"))!
    yield* push(repo, multi, "b")
    yield* push(repo, multi, "c")
    const untagged = (yield* push(repo, dockerImage(next())))!
    const get = (imageIds: unknown, extra: object = {}) =>
      call("BatchGetImage", { repositoryName: repo, imageIds, ...extra })
    const del = (imageIds: unknown) => call("BatchDeleteImage", { repositoryName: repo, imageIds })
    yield* get([
      { imageTag: "v0" },
      { imageDigest: digests[1] },
      { imageDigest: digests[2], imageTag: "v2" },
      { imageDigest: digests[2], imageTag: "v3" },
      {},
      { imageTag: "missing" },
      { imageDigest: digestOf("missing") },
      { imageDigest: untagged },
      { imageTag: "a" },
      { imageTag: "a" }
    ])
    yield* get([{ imageTag: "v0" }], { acceptedMediaTypes: [MT.ociManifest] })
    yield* get([{ imageTag: "v0" }], { acceptedMediaTypes: [] })
    yield* get([])
    yield* get(Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` })))
    yield* get([{ imageDigest: "sha256:zz" }])
    yield* get([{ imageTag: "" }])
    yield* call("BatchGetImage", { repositoryName: "batch/missing", imageIds: [{ imageTag: "v0" }] })
    yield* call("BatchGetImage", { repositoryName: repo })
    yield* call("BatchGetImage", { registryId: "999999999999", repositoryName: repo, imageIds: [{ imageTag: "v0" }] })
    yield* pages("DescribeImages", { repositoryName: repo, maxResults: 2 }, 10)
    yield* pages("DescribeImages", { repositoryName: repo, maxResults: 3, filter: { tagStatus: "TAGGED" } }, 10)
    yield* call("DescribeImages", { repositoryName: repo, filter: { tagStatus: "UNTAGGED" } })
    yield* call("DescribeImages", { repositoryName: repo, imageIds: [{ imageTag: "v0" }], maxResults: 2 })
    yield* call("DescribeImages", { repositoryName: repo, imageIds: [{ imageTag: "v0" }], nextToken: "x" })
    yield* call("DescribeImages", { repositoryName: repo, imageIds: [{ imageTag: "v0" }, { imageTag: "missing" }] })
    yield* call("DescribeImages", { repositoryName: repo, imageIds: [{ imageDigest: digests[0], imageTag: "v1" }] })
    yield* call("DescribeImages", { repositoryName: repo, imageIds: [{}] })
    yield* call("DescribeImages", { repositoryName: repo, imageIds: [] })
    yield* call("DescribeImages", { repositoryName: repo, nextToken: "garbage" })
    yield* call("DescribeImages", { repositoryName: repo, maxResults: 0 })
    yield* call("DescribeImages", { repositoryName: repo, filter: { tagStatus: "SOME" } })
    yield* call("DescribeImages", { repositoryName: "batch/missing" })
    yield* call("DescribeImages", { registryId: "999999999999", repositoryName: repo })
    // Paging tokens are bound to the listing: one of another repository's is refused.
    yield* call("CreateRepository", { repositoryName: "batch/other" })
    yield* push("batch/other", ociImage(next()), "v0")
    yield* push("batch/other", ociImage(next()), "v1")
    const token = yield* pages("DescribeImages", { repositoryName: repo, maxResults: 1 }, 1)
    if (token !== undefined) yield* call("DescribeImages", { repositoryName: "batch/other", nextToken: token })
    yield* del([{ imageTag: "a" }])
    yield* del([{ imageTag: "b" }, { imageTag: "b" }])
    yield* del([{ imageDigest: multiDigest }])
    yield* del([{ imageDigest: digests[0] }, { imageTag: "v1" }, { imageDigest: digests[2], imageTag: "v3" }, {}, {
      imageTag: "zz"
    }])
    yield* del([{ imageDigest: untagged }])
    yield* del([{ imageDigest: untagged }])
    yield* del([])
    yield* del([{ imageDigest: "bad" }])
    yield* call("BatchDeleteImage", { repositoryName: "batch/missing", imageIds: [{ imageTag: "v0" }] })
    yield* call("BatchDeleteImage", {
      registryId: "999999999999",
      repositoryName: repo,
      imageIds: [{ imageTag: "v4" }]
    })
    yield* call("DescribeImages", { repositoryName: repo })
    yield* control("GET", "/state")
  }

  function* faults() {
    const repo = yield* startWithRepository("faults", "faults/app")
    const d = (yield* push(repo, ociImage(next()), "v1"))!
    const valid: Record<string, unknown> = {
      StartImageScan: { repositoryName: repo, imageId: { imageTag: "v1" } },
      DescribeImageScanFindings: { repositoryName: repo, imageId: { imageTag: "v1" } },
      CreateRepository: { repositoryName: "faults/new" },
      DescribeRepositories: {},
      DeleteRepository: { repositoryName: "faults/none" },
      PutImage: { repositoryName: repo, imageManifest: ociImage(next()), imageTag: "v2" },
      BatchGetImage: { repositoryName: repo, imageIds: [{ imageDigest: d }] },
      BatchDeleteImage: { repositoryName: repo, imageIds: [{ imageTag: "none" }] },
      DescribeImages: { repositoryName: repo },
      PutImageScanningConfiguration: { repositoryName: repo, imageScanningConfiguration: { scanOnPush: false } },
      PutRegistryScanningConfiguration: { scanType: "BASIC", rules: [] },
      GetRegistryScanningConfiguration: {},
      BatchGetRepositoryScanningConfiguration: { repositoryNames: [repo] },
      UpdateImageStorageClass: { repositoryName: repo, imageId: { imageTag: "v1" }, targetStorageClass: "STANDARD" }
    }
    for (const [operation, errors] of OPERATION_ERRORS) {
      for (const error of errors) {
        yield* control("POST", "/faults", { operation, error })
        yield* call(operation, valid[operation])
      }
      yield* control("POST", "/faults", { operation, error: "ThrottlingException", message: "Rate exceeded" })
      yield* call(operation, valid[operation])
      yield* control("POST", "/faults", { operation, error: "AccessDeniedException" })
      yield* call(operation, valid[operation])
    }
    // A planned fault comes before validation.
    yield* control("POST", "/faults", { operation: "StartImageScan", count: 2 })
    yield* call("StartImageScan", { repositoryName: "Bad" })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* control("POST", "/faults", { operation: "StartImageScan", count: 3, message: "Try again later." })
    yield* control("POST", "/faults", { operation: "StartImageScan", error: "ThrottlingException", count: 1 })
    for (let i = 0; i < 6; i++) yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* control("POST", "/faults", { operation: "*", count: 3, message: "Service unavailable." })
    yield* call("DescribeRepositories", {})
    yield* call("GetRegistryScanningConfiguration", {})
    yield* call("DescribeImages", { repositoryName: repo })
    yield* call("DescribeImages", { repositoryName: repo })
    yield* control("POST", "/faults", { operation: "*", error: "ThrottlingException", count: 2 })
    yield* call("BatchGetImage", { repositoryName: repo, imageIds: [{ imageTag: "v1" }] })
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageTag: "v1" } })
    yield* call("DescribeImageScanFindings", { repositoryName: repo, imageId: { imageTag: "v1" } })
    // Probabilistic faults draw from the seeded generator.
    yield* control("POST", "/faults", { operation: "GetRegistryScanningConfiguration", probability: 0.5 })
    yield* control("POST", "/faults", { operation: "*", error: "ThrottlingException", probability: 0.2 })
    for (let i = 0; i < 24; i++) yield* call("GetRegistryScanningConfiguration", {})
    for (let i = 0; i < 8; i++) yield* call("DescribeRepositories", {})
    yield* control("GET", "/state")
    yield* control("DELETE", "/faults")
    for (let i = 0; i < 3; i++) yield* call("GetRegistryScanningConfiguration", {})
    yield* control("POST", "/faults", { operation: "DescribeRepositories", probability: 0.5, count: 3 })
    for (let i = 0; i < 10; i++) yield* call("DescribeRepositories", {})
    // Plans that cannot be used.
    const refused: ReadonlyArray<unknown> = [
      { operation: "StartImageScan", count: 0 },
      { operation: "StartImageScan", count: 1.5 },
      { operation: "StartImageScan", count: -2 },
      { operation: "StartImageScan", probability: 2 },
      { operation: "StartImageScan", probability: -0.1 },
      { operation: "NoSuchOperation" },
      { operation: "StartImageScan", error: "ScanNotFoundException" },
      { operation: "*", error: "ImageArchivedException" },
      { error: "ServerException" },
      { operation: 5 },
      { operation: "StartImageScan", count: "2" }
    ]
    for (const plan of refused) yield* control("POST", "/faults", plan)
    yield* control("POST", "/faults", "[]")
    yield* control("POST", "/faults", "nope")
    yield* control("POST", "/faults", { operation: "*", error: "ServerException" })
    yield* control("POST", "/faults", { operation: "StartImageScan", error: "LimitExceededException", count: 1 })
    yield* control("GET", "/state")
    // A reset cancels planned faults and reseeds the probabilistic ones.
    yield* reset()
    yield* call("GetRegistryScanningConfiguration", {})
    yield* control("POST", "/faults", { operation: "GetRegistryScanningConfiguration", probability: 0.5 })
    for (let i = 0; i < 12; i++) yield* call("GetRegistryScanningConfiguration", {})
    yield* control("DELETE", "/faults")
  }

  function* accountQuota() {
    scenario = "account-quota"
    const resumeAt = clock + 86_400_000
    yield* reset()
    // The quota is 100,000 scans per 24 hours, and the emulator has no flag to lower it: fill it through a state
    // import. Near the epoch, so that 100,000 start times cost two bytes each ("0,") in the corpus.
    yield* control("POST", "/clock/set", { time: 60_000 })
    yield* control("PUT", "/state", {
      version: 1,
      registryId: RECORDING.accountId,
      region: RECORDING.region,
      scanning: { scanType: "BASIC", rules: [] },
      quota: Array.from({ length: 99_996 }, () => 0),
      repositories: [],
      overrides: [],
      faults: []
    })
    yield* control("GET", "/quota")
    const repo = "quota/app"
    const onPush = "quota/push"
    yield* call("CreateRepository", { repositoryName: repo })
    yield* call("CreateRepository", { repositoryName: onPush, imageScanningConfiguration: { scanOnPush: true } })
    const images: Array<string> = []
    for (let i = 0; i < 5; i++) images.push((yield* push(repo, ociImage(next()), `q${i}`))!)
    yield* push(onPush, ociImage(next()), "p0")
    for (let i = 0; i < 4; i++) {
      yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: `q${i}` } })
      yield* control("GET", "/quota")
    }
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "q0" } })
    yield* push(onPush, ociImage(next()), "p1")
    yield* findings(onPush, { imageTag: "p1" })
    yield* findings(onPush, { imageTag: "p0" })
    yield* call("StartImageScan", { repositoryName: onPush, imageId: { imageTag: "p1" } })
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "q4" } })
    // An index or an archived image is refused before the quota is looked at.
    yield* push(repo, imageIndex([images[4]]), "index")
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "index" } })
    yield* advance("23h")
    yield* control("GET", "/quota")
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "q4" } })
    yield* advance("58m")
    yield* control("GET", "/quota")
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "q4" } })
    // The imported scans, started at the epoch, leave the window at 24:00:00.
    yield* advance("2m")
    yield* control("GET", "/quota")
    yield* call("StartImageScan", { repositoryName: repo, imageId: { imageTag: "q4" } })
    yield* call("StartImageScan", { repositoryName: onPush, imageId: { imageTag: "p1" } })
    yield* control("GET", "/quota")
    yield* push(onPush, ociImage(next()), "p2")
    yield* advance("2m")
    for (const tag of ["p0", "p1", "p2"]) yield* findings(onPush, { imageTag: tag }, 2)
    yield* findings(repo, { imageTag: "q4" }, 2)
    yield* reset()
    yield* control("GET", "/quota")
    yield* control("POST", "/clock/set", { time: new Date(resumeAt).toISOString() })
  }

  function* stateRoundTrip() {
    scenario = "state"
    yield* reset()
    const repo = "state/app"
    yield* call("CreateRepository", {
      repositoryName: repo,
      imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
      imageTagMutabilityExclusionFilters: [f("latest")],
      tags: [{ Key: "k", Value: "v" }]
    })
    yield* call("PutRegistryScanningConfiguration", {
      scanType: "BASIC",
      rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [f("state*")] }]
    })
    const a = (yield* push(repo, ociImage(next()), "latest"))!
    yield* push(repo, ociImage(next()), "v1")
    yield* push(repo, imageIndex([a]), "index")
    yield* call("UpdateImageStorageClass", {
      repositoryName: repo,
      imageId: { imageTag: "v1" },
      targetStorageClass: "ARCHIVE"
    })
    yield* control("POST", "/findings", { imageDigest: a, findings: findingsList(rng, 2, "state") })
    yield* control("POST", "/faults", { operation: "DescribeRepositories", count: 2 })
    yield* advance("2m")
    const exported = yield* control("GET", "/state")
    yield* reset()
    yield* call("DescribeRepositories", {})
    yield* control("PUT", "/state", exported.body)
    yield* call("DescribeRepositories", {})
    yield* call("DescribeRepositories", {})
    yield* call("DescribeRepositories", {})
    yield* call("DescribeImages", { repositoryName: repo, filter: { imageStatus: "ANY" } })
    yield* findings(repo, { imageTag: "latest" })
    yield* control("GET", "/quota")
    yield* control("GET", "/state")
    yield* control("PUT", "/state", { version: 2 })
    yield* control("PUT", "/state", "{")
    yield* control("PUT", "/state", {
      version: 1,
      registryId: RECORDING.accountId,
      region: RECORDING.region,
      scanning: { scanType: "BASIC", rules: [] },
      quota: [],
      repositories: [{
        name: "state/broken",
        createdAt: clock,
        imageTagMutability: "MUTABLE",
        imageTagMutabilityExclusionFilters: [],
        encryptionConfiguration: { encryptionType: "AES256" },
        tags: [],
        scanOnPush: false,
        images: [{
          digest: digestOf("not json"),
          manifest: "not json",
          mediaType: MT.ociManifest,
          pushedAt: clock,
          tags: ["v1"],
          storage: { _tag: "Active" }
        }]
      }],
      overrides: [],
      faults: []
    })
    yield* control("GET", "/state")
    yield* reset()
  }

  // -- random episodes ---------------------------------------------------------------------------------------------

  function* randomEpisode(index: number, length: number) {
    scenario = `random-${index}`
    yield* reset()
    const repos = new Map<string, ModelRepo>()
    const known: Array<{ manifest: string; mediaType: string | undefined }> = []
    if (rng.chance(0.4)) yield* call("PutRegistryScanningConfiguration", rng.pick(REGISTRY_CONFIGS))

    const someRepo = (): ModelRepo | undefined => repos.size === 0 ? undefined : rng.pick([...repos.values()])
    const repoName = () => rng.chance(0.93) ? (someRepo()?.name ?? rng.pick(REPO_POOL)) : rng.pick(REPO_POOL)
    const someImage = (repo: ModelRepo | undefined) =>
      repo === undefined || repo.images.size === 0 ? undefined : rng.pick([...repo.images.values()])

    /** An `imageId` that mostly names an image that exists, and sometimes one that does not. */
    const imageId = (repo: ModelRepo | undefined): Record<string, string> => {
      const image = someImage(repo)
      const roll = rng.next()
      if (image === undefined || roll < 0.05) {
        return rng.chance(0.5)
          ? { imageTag: rng.pick(TAG_POOL) }
          : { imageDigest: digestOf(`none-${rng.int(9)}`) }
      }
      if (roll < 0.5 && image.tags.length > 0) return { imageTag: rng.pick(image.tags) }
      if (roll < 0.9) return { imageDigest: image.digest }
      const other = someImage(repo)!
      return other.tags.length > 0
        ? { imageDigest: image.digest, imageTag: rng.pick(other.tags) }
        : { imageDigest: image.digest }
    }

    /** Breaks one member of a request now and then, to reach validation and the deserializer. */
    const mutate = (input: Record<string, unknown>): Record<string, unknown> => {
      if (!rng.chance(0.07)) return input
      return rng.weighted<Record<string, unknown>>([
        [3, { ...input, repositoryName: rng.pick(["Bad", "x", "a//b", "", "-x"]) }],
        [2, { ...input, registryId: rng.pick(["999999999999", "1234", "123456789012"]) }],
        [2, { ...input, imageId: rng.pick([{}, { imageDigest: "sha256:q" }, { imageTag: "" }, "v1"]) }],
        [1, { ...input, repositoryName: 42 }],
        [1, { ...input, maxResults: rng.pick([0, 1001, "3"]) }],
        [1, { ...input, nextToken: rng.pick(["", "e30", "bm9wZQ"]) }]
      ])
    }

    const addImage = (
      repoName: string,
      digest: string,
      manifest: string,
      mediaType: string | undefined,
      tag?: string
    ) => {
      const repo = repos.get(repoName)
      if (repo === undefined) return
      let image = repo.images.get(digest)
      if (image === undefined) {
        image = { digest, manifest, mediaType, tags: [] }
        repo.images.set(digest, image)
      }
      if (tag !== undefined && !image.tags.includes(tag)) {
        for (const other of repo.images.values()) other.tags = other.tags.filter((t) => t !== tag)
        image.tags.push(tag)
      }
    }

    const actions: ReadonlyArray<readonly [number, () => Steps]> = [
      [7, function*() {
        const name = rng.pick(REPO_POOL)
        const mutability = rng.weighted(MUTABILITIES)
        const filters = mutability.endsWith("EXCLUSION") && rng.chance(0.9)
          ? [f(rng.pick(["latest", "dev*", "release-*", "v*"]))]
          : []
        const reply = yield* call(
          "CreateRepository",
          mutate({
            repositoryName: name,
            ...(mutability === "MUTABLE" && rng.chance(0.5) ? {} : { imageTagMutability: mutability }),
            ...(filters.length > 0 ? { imageTagMutabilityExclusionFilters: filters } : {}),
            ...(rng.chance(0.3) ? { imageScanningConfiguration: { scanOnPush: rng.chance(0.7) } } : {})
          })
        )
        if (reply.status === 200) repos.set(name, { name, images: new Map() })
      }],
      [12, function*() {
        const repo = someRepo()
        const name = repo?.name ?? rng.pick(REPO_POOL)
        if (repo !== undefined && repo.images.size >= 12) {
          const image = someImage(repo)!
          const reply = yield* call("BatchDeleteImage", {
            repositoryName: name,
            imageIds: [{ imageDigest: image.digest }]
          })
          if (reply.status === 200) repo.images.delete(image.digest)
          return
        }
        const roll = rng.next()
        const images = repo === undefined ? [] : [...repo.images.values()]
        let manifest: string
        let mediaType: string | undefined = undefined
        if (roll < 0.5 || images.length === 0) {
          manifest = rng.chance(0.7)
            ? ociImage(next(), rng.weighted([[1, 0], [6, 1], [3, 2], [1, 4]]))
            : dockerImage(next(), rng.between(1, 3))
        } else if (roll < 0.65) {
          const image = rng.pick(images)
          manifest = image.manifest
          mediaType = image.mediaType
        } else if (roll < 0.73 && known.length > 0) {
          const other = rng.pick(known)
          manifest = other.manifest
          mediaType = other.mediaType
        } else if (roll < 0.85) {
          const picked = images.filter(() => rng.chance(0.5)).slice(0, 3).map((i) => i.digest)
          manifest = imageIndex(picked.length > 0 ? picked : [images[0].digest], rng.chance(0.3))
        } else if (roll < 0.92) {
          manifest = helmChart(next())
        } else if (roll < 0.96) {
          manifest = signature(next(), rng.pick(images).digest)
        } else if (rng.chance(0.5)) {
          manifest = schema1(next())
        } else {
          manifest = bareImage(next())
          mediaType = MT.dockerManifest
        }
        const tag = rng.chance(0.7) ? rng.pick(TAG_POOL) : undefined
        const digestCheck = rng.weighted([[12, "none"], [2, "right"], [1, "wrong"]])
        const reply = yield* call(
          "PutImage",
          mutate({
            repositoryName: name,
            imageManifest: manifest,
            ...(mediaType === undefined ? {} : { imageManifestMediaType: mediaType }),
            ...(tag === undefined ? {} : { imageTag: tag }),
            ...(digestCheck === "none"
              ? {}
              : { imageDigest: digestCheck === "right" ? digestOf(manifest) : digestOf(`${manifest} `) })
          })
        )
        if (reply.status === 200) {
          addImage(name, digestOf(manifest), manifest, mediaType, tag)
          known.push({ manifest, mediaType })
        }
      }],
      [14, function*() {
        const repo = someRepo()
        yield* call("StartImageScan", mutate({ repositoryName: repo?.name ?? repoName(), imageId: imageId(repo) }))
      }],
      [14, function*() {
        const repo = someRepo()
        const maxResults = rng.chance(0.7) ? rng.between(1, 4) : undefined
        const input = mutate({
          repositoryName: repo?.name ?? repoName(),
          imageId: imageId(repo),
          ...(maxResults === undefined ? {} : { maxResults })
        })
        let nextToken: string | undefined = undefined
        for (let page = 0; page < 4; page++) {
          const reply: GoldenReply = yield* call("DescribeImageScanFindings", {
            ...input,
            ...(nextToken === undefined ? {} : { nextToken })
          })
          nextToken = json(reply)?.nextToken
          if (nextToken === undefined || rng.chance(0.2)) break
        }
      }],
      [7, function*() {
        const repo = someRepo()
        const name = repo?.name ?? repoName()
        if (rng.chance(0.25)) {
          yield* call(
            "DescribeImages",
            mutate({ repositoryName: name, imageIds: [imageId(repo), ...(rng.chance(0.3) ? [imageId(repo)] : [])] })
          )
          return
        }
        const filter = rng.chance(0.4)
          ? {
            filter: {
              ...(rng.chance(0.6) ? { tagStatus: rng.pick(["TAGGED", "UNTAGGED", "ANY"]) } : {}),
              ...(rng.chance(0.6) ? { imageStatus: rng.pick(["ACTIVE", "ARCHIVED", "ACTIVATING", "ANY"]) } : {})
            }
          }
          : {}
        yield* pages("DescribeImages", mutate({ repositoryName: name, maxResults: rng.between(1, 5), ...filter }), 4)
      }],
      [4, function*() {
        const repo = someRepo()
        const ids = Array.from({ length: rng.between(1, 3) }, () => rng.chance(0.1) ? {} : imageId(repo))
        yield* call("BatchGetImage", mutate({ repositoryName: repo?.name ?? repoName(), imageIds: ids }))
      }],
      [5, function*() {
        const repo = someRepo()
        const name = repo?.name ?? repoName()
        const ids = Array.from({ length: rng.between(1, 3) }, () => rng.chance(0.08) ? {} : imageId(repo))
        const reply = yield* call("BatchDeleteImage", mutate({ repositoryName: name, imageIds: ids }))
        const deleted: Array<{ imageDigest?: string; imageTag?: string }> = reply.status === 200
          ? (json(reply)?.imageIds ?? [])
          : []
        if (repo === undefined || deleted.length === 0) return
        for (const id of deleted) {
          const image = id.imageDigest === undefined ? undefined : repo.images.get(id.imageDigest)
          if (image === undefined) continue
          if (id.imageTag === undefined) repo.images.delete(image.digest)
          else image.tags = image.tags.filter((t) => t !== id.imageTag)
        }
        for (const image of [...repo.images.values()]) {
          if (image.tags.length === 0 && deleted.some((id) => id.imageDigest === image.digest)) {
            repo.images.delete(image.digest)
          }
        }
      }],
      [4, function*() {
        const roll = rng.next()
        if (roll < 0.5) yield* pages("DescribeRepositories", mutate({ maxResults: rng.between(1, 4) }), 4)
        else if (roll < 0.8) {
          yield* call(
            "DescribeRepositories",
            mutate({ repositoryNames: [repoName(), ...(rng.chance(0.4) ? [repoName()] : [])] })
          )
        } else yield* call("DescribeRepositories", {})
      }],
      [1.5, function*() {
        const name = repoName()
        const reply = yield* call(
          "DeleteRepository",
          mutate({ repositoryName: name, ...(rng.chance(0.6) ? { force: rng.chance(0.7) } : {}) })
        )
        if (reply.status === 200) repos.delete(name)
      }],
      [2, function*() {
        yield* call(
          "PutImageScanningConfiguration",
          mutate({ repositoryName: repoName(), imageScanningConfiguration: { scanOnPush: rng.chance(0.5) } })
        )
      }],
      [1.5, function*() {
        yield* call("PutRegistryScanningConfiguration", rng.pick(REGISTRY_CONFIGS))
      }],
      [1, function*() {
        yield* call("GetRegistryScanningConfiguration", {})
      }],
      [2, function*() {
        const names = Array.from({ length: rng.between(1, 4) }, () => repoName())
        yield* call("BatchGetRepositoryScanningConfiguration", mutate({ repositoryNames: names }))
      }],
      [5, function*() {
        const repo = someRepo()
        yield* call(
          "UpdateImageStorageClass",
          mutate({
            repositoryName: repo?.name ?? repoName(),
            imageId: imageId(repo),
            targetStorageClass: rng.weighted([[6, "ARCHIVE"], [5, "STANDARD"], [0.3, "COLD"]])
          })
        )
      }],
      [13, function*() {
        yield* advance(rng.weighted(ADVANCES))
      }],
      [2, function*() {
        const repo = someRepo()
        const image = someImage(repo)
        const digest = image?.digest ?? digestOf(ociImage(manifestCounter + 1))
        yield* control("POST", "/findings", {
          imageDigest: digest,
          ...(repo !== undefined && rng.chance(0.5) ? { repositoryName: repo.name } : {}),
          findings: findingsList(rng, rng.weighted([[1, 0], [4, 3], [2, 8], [1, 16]]), scenario)
        })
      }],
      [2, function*() {
        const repo = someRepo()
        const image = someImage(repo)
        // Often for the next image to be pushed, so that its scan on push ends that way.
        const digest = image === undefined || rng.chance(0.3) ? digestOf(ociImage(manifestCounter + 1)) : image.digest
        yield* control("POST", "/outcome", {
          imageDigest: digest,
          ...(repo !== undefined && rng.chance(0.3) ? { repositoryName: repo.name } : {}),
          outcome: rng.weighted([[5, "FAILED"], [2, "COMPLETE"], [1, "UNSUPPORTED_IMAGE"], [1, "FINDINGS_UNAVAILABLE"]])
        })
      }],
      [1.2, function*() {
        const [operation, errors] = rng.pick(OPERATION_ERRORS)
        yield* control("POST", "/faults", {
          operation: rng.chance(0.15) ? "*" : operation,
          ...(rng.chance(0.8) ? { error: rng.chance(0.25) ? "ThrottlingException" : rng.pick(errors) } : {}),
          count: rng.between(1, 2)
        })
      }],
      [1.5, function*() {
        yield* control("GET", rng.chance(0.7) ? "/quota" : "/clock")
      }]
    ]
    for (let i = 0; i < length; i++) yield* rng.weighted(actions)()
    // The exported state holds every manifest: only when the registry is small, to keep the corpus small.
    const images = [...repos.values()].reduce((n, r) => n + r.images.size, 0)
    if (images <= 5) yield* control("GET", "/state")
    else yield* control("GET", "/quota")
  }

  // -- the order ---------------------------------------------------------------------------------------------------

  const scripted: ReadonlyArray<() => Steps> = [
    basics,
    protocol,
    findingsAndOutcomes,
    putImageErrors,
    indexesAndArtifacts,
    archive,
    registryScanning,
    repositories,
    batches,
    faults,
    accountQuota,
    stateRoundTrip
  ]
  yield* controlEndpoints()
  let episode = 0
  for (const part of scripted) {
    yield* part()
    yield* randomEpisode(episode++, rng.between(60, 110))
  }
  // Random episodes until the sequence is long enough (bounded, whatever the lengths drawn).
  while (steps < TARGET_STEPS && episode < 100) yield* randomEpisode(episode++, rng.between(100, 180))
  scenario = "end"
  yield* control("GET", "/clock")
  yield* control("GET", "/quota")
  yield* reset()
  yield* control("GET", "/state")
}
