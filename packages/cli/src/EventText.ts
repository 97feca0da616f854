/**
 * One line of text for an EventBridge event, shared by `simulate`'s timeline and `events tail --output
 * text`: the `detail-type`, then what the event is about, in the words of the timeline's other lines
 * (`repository:tag`, the digest's first 12 hex digits, `-> STATUS` and the severity counts as JSON):
 *
 * ```text
 * ECR Image Action PUSH shop/api:v1 (sha256:0a1b2c3d4e5f)
 * ECR Image Scan shop/api:v1 (sha256:0a1b2c3d4e5f) -> COMPLETE {"CRITICAL":1,"HIGH":3}
 * ECR Scan Resource Change SCAN_FREQUENCY_CHANGE ENHANCED shop/api MANUAL -> SCAN_ON_PUSH
 * ```
 *
 * It reads the event as JSON, not as a decoded `RegistryEvent`: a stream may carry events this version does
 * not know, and those still get a line (their `detail-type` and `resources`).
 *
 * @since 0.1.0
 */

type Json = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

/** A digest as the timeline shows it: `sha256:` and the first 12 hex digits. */
export const shortDigest = (digest: string): string => digest.slice(0, 19)

// A repository named by its ARN (Inspector's `repository-name`): the name after `repository/`.
const repositoryOf = (name: string): string => {
  const at = name.indexOf(":repository/")
  return name.startsWith("arn:") && at >= 0 ? name.slice(at + ":repository/".length) : name
}

/** `repo:tag1,tag2 (sha256:…)`, or `repo@sha256:…` for an image without tags. */
const imageLabel = (repository: string, digest: string | undefined, tags: ReadonlyArray<string>): string => {
  const short = digest === undefined ? undefined : shortDigest(digest)
  if (tags.length === 0) return short === undefined ? repository : `${repository}@${short}`
  return `${repository}:${tags.join(",")}${short === undefined ? "" : ` (${short})`}`
}

const tagsOf = (detail: Json): ReadonlyArray<string> => {
  const tags = detail["image-tags"]
  if (Array.isArray(tags)) return tags.filter((tag): tag is string => typeof tag === "string")
  const tag = text(detail["image-tag"])
  return tag === undefined || tag === "" ? [] : [tag]
}

const countsOf = (detail: Json): string => {
  const counts = detail["finding-severity-counts"]
  return isObject(counts) ? ` ${JSON.stringify(counts)}` : ""
}

/** What an event is about, after its `detail-type`. */
const about = (detailType: string, detail: Json, resources: ReadonlyArray<unknown>): string => {
  const repository = repositoryOf(text(detail["repository-name"]) ?? "?")
  const digest = text(detail["image-digest"])
  switch (detailType) {
    case "ECR Image Action": {
      const action = text(detail["action-type"]) ?? "?"
      const result = text(detail.result)
      const target = text(detail["target-storage-class"])
      return `${action} ${imageLabel(repository, digest, tagsOf(detail))}` +
        (target === undefined ? "" : ` -> ${target}`) +
        (result === undefined || result === "SUCCESS" ? "" : ` (${result})`)
    }
    case "ECR Image Scan":
    case "Inspector2 Scan":
      return `${imageLabel(repository, digest, tagsOf(detail))} -> ${text(detail["scan-status"]) ?? "?"}${
        countsOf(detail)
      }`
    case "ECR Scan Resource Change": {
      const repositories = Array.isArray(detail.repositories) ? detail.repositories.filter(isObject) : []
      const changes = repositories.map((r) =>
        `${text(r["repository-name"]) ?? "?"} ${text(r["previous-scan-frequency"]) ?? "?"} -> ${
          text(r["scan-frequency"]) ?? "?"
        }`
      )
      return [text(detail["action-type"]) ?? "?", text(detail["scan-type"]) ?? "?", changes.join(", ")]
        .filter((part) => part !== "")
        .join(" ")
    }
    default: {
      if (digest !== undefined || detail["repository-name"] !== undefined) {
        return imageLabel(repository, digest, tagsOf(detail))
      }
      return resources.filter((r): r is string => typeof r === "string").join(", ")
    }
  }
}

/** The line of an event (parsed JSON) without its time: `ECR Image Scan shop/api:v1 (sha256:…) -> COMPLETE {}`. */
export const describe = (event: unknown): string => {
  if (!isObject(event)) return "(not an event)"
  const detailType = text(event["detail-type"]) ?? "(no detail-type)"
  const detail = isObject(event.detail) ? event.detail : {}
  const resources = Array.isArray(event.resources) ? event.resources : []
  const rest = about(detailType, detail, resources)
  return rest === "" ? detailType : `${detailType} ${rest}`
}

/** The event's `time` member, when it has one. */
export const timeOf = (event: unknown): string | undefined => (isObject(event) ? text(event.time) : undefined)
