/**
 * Amazon EventBridge event patterns, pure: `parse` validates a pattern document as EventBridge does and
 * compiles it, `matches` says whether an event (the JSON object as delivered, hyphenated keys such as
 * `detail-type`) matches it. A user checks the rule pattern they deploy against the events the registry
 * produces; the emulator filters what it delivers to each target.
 *
 * Semantics follow the EventBridge User Guide (event patterns, arrays, null values and empty strings,
 * comparison operators) and Event Ruler, the engine behind it:
 * - AND across the fields of an object, OR across the values of a field's array; a field whose event value
 *   is an array matches if any element does (arrays nested in arrays are flattened). A nested pattern
 *   matched against an array of objects matches if one element matches all of its fields.
 * - Exact values are typed: `"5"` never matches `5`, `null` only matches a present JSON null, `""` only an
 *   empty string. Numbers compare by value (`300`, `300.0` and `3.0e2` are equal once parsed).
 * - `prefix`, `suffix`, `equals-ignore-case`, `wildcard` and `cidr` apply to strings, `numeric` to numbers
 *   between -5.0e9 and 5.0e9; `anything-but` matches a present leaf value that is none of what it lists.
 * - `exists` looks at leaf values only: a field that is absent, an object or an empty array does not exist.
 * - `$or` holds two or more objects, each resolved at the level of the object that holds it.
 * Not modelled: the dotted-key equivalence of EventBridge's compiler (`{"a.b": [...]}` versus `{"a": {"b": [...]}}`,
 * which Event Ruler's README says not to rely on) and the six-decimal rounding of numeric matching.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { matchesSegments } from "./internal/Glob.js"

/** An exact value of a pattern: a string, a number, a boolean or null. */
export type Scalar = string | number | boolean | null

/**
 * One compiled matcher of a field's array. `AnythingBut` excludes a leaf value that one of `excluded`
 * matches; `Numeric` bounds are `-Infinity`/`Infinity` when open-ended.
 */
export type Matcher =
  | { readonly _tag: "Exact"; readonly value: Scalar }
  | { readonly _tag: "Prefix"; readonly value: string; readonly ignoreCase: boolean }
  | { readonly _tag: "Suffix"; readonly value: string; readonly ignoreCase: boolean }
  | { readonly _tag: "EqualsIgnoreCase"; readonly value: string }
  | { readonly _tag: "Wildcard"; readonly value: string; readonly segments: ReadonlyArray<string> }
  | {
    readonly _tag: "Numeric"
    readonly lower: number
    readonly lowerInclusive: boolean
    readonly upper: number
    readonly upperInclusive: boolean
  }
  | {
    readonly _tag: "Cidr"
    readonly value: string
    readonly version: 4 | 6
    readonly network: bigint
    readonly prefixLength: number
  }
  | { readonly _tag: "Exists"; readonly exists: boolean }
  | { readonly _tag: "AnythingBut"; readonly excluded: ReadonlyArray<Matcher> }

/** What a pattern says about one field: a leaf (an array of matchers, any of which may match) or a nested object. */
export type FieldPattern =
  | { readonly _tag: "Leaf"; readonly matchers: ReadonlyArray<Matcher> }
  | { readonly _tag: "Object"; readonly pattern: ObjectPattern }

/** A compiled object of a pattern: all `fields` must match, and one alternative of `or` if it has any. */
export interface ObjectPattern {
  readonly fields: ReadonlyArray<readonly [name: string, pattern: FieldPattern]>
  readonly or: ReadonlyArray<ObjectPattern>
}

/** A parsed, validated event pattern: the document as given and its compiled form. Make one with `parse`. */
export interface EventPattern {
  readonly _tag: "EventPattern"
  readonly document: { readonly [key: string]: unknown }
  readonly root: ObjectPattern
}

/** The bounds of numeric matching (EventBridge: "between -5.0e9 and +5.0e9 inclusive"). */
export const NUMERIC_LIMIT = 5.0e9

/** The matcher names of a field's array; inside `$or` they are not allowed as field names. */
export const MATCHER_NAMES: ReadonlyArray<string> = [
  "prefix",
  "suffix",
  "equals-ignore-case",
  "wildcard",
  "anything-but",
  "numeric",
  "cidr",
  "exists"
]

// ---------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------

class Refusal {
  constructor(readonly message: string) {}
}

type Path = ReadonlyArray<string | number>

const render = (path: Path): string =>
  path.map((step, i) => typeof step === "number" ? `[${step}]` : i === 0 ? step : `.${step}`).join("")

const refuse = (path: Path, problem: string): never => {
  throw new Refusal(
    path.length === 0 ? `Event pattern: the pattern ${problem}` : `Event pattern: "${render(path)}" ${problem}`
  )
}

const isRecord = (u: unknown): u is { readonly [key: string]: unknown } => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

const isNumber = (u: unknown): u is number => typeof u === "number" && Number.isFinite(u)

const isScalar = (u: unknown): u is Scalar =>
  u === null || typeof u === "string" || typeof u === "boolean" || isNumber(u)

/** The single key of a matcher object, refused unless it has exactly one. */
const onlyKey = (path: Path, o: { readonly [key: string]: unknown }, what: string): string => {
  const keys = Object.keys(o)
  if (keys.length !== 1) refuse(path, `must have exactly one key (${what}), found ${keys.length}`)
  return keys[0]
}

const stringOf = (path: Path, u: unknown, allowEmpty = true): string => {
  if (typeof u !== "string") return refuse(path, "must be a string")
  if (!allowEmpty && u.length === 0) refuse(path, "must not be an empty string")
  return u
}

const numericOf = (path: Path, u: unknown): number => {
  if (!isNumber(u)) return refuse(path, "must be a number")
  if (Math.abs(u) > NUMERIC_LIMIT) refuse(path, `must be between -5.0e9 and 5.0e9, got ${u}`)
  return u
}

/** `prefix`/`suffix`: a string, or `{ "equals-ignore-case": string }`. */
const affixOf = (path: Path, u: unknown): { readonly value: string; readonly ignoreCase: boolean } => {
  if (typeof u === "string") return { value: u, ignoreCase: false }
  if (!isRecord(u)) return refuse(path, "must be a string or an object { \"equals-ignore-case\": string }")
  const key = onlyKey(path, u, "\"equals-ignore-case\"")
  if (key !== "equals-ignore-case") refuse(path, `has unknown key "${key}"; only "equals-ignore-case" is allowed`)
  return { value: stringOf([...path, key], u[key]), ignoreCase: true }
}

/** Splits a wildcard pattern at its unescaped `*`, unescaping `\*` and `\\`; consecutive `*` are refused. */
const wildcardOf = (path: Path, u: unknown): Matcher => {
  const value = stringOf(path, u)
  const segments: Array<string> = []
  let current = ""
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (c === "\\") {
      const next = value[i + 1]
      if (next !== "*" && next !== "\\") refuse(path, "may escape only \"*\" and \"\\\" with a backslash")
      current += next
      i++
    } else if (c === "*") {
      if (value[i + 1] === "*") refuse(path, "must not contain consecutive wildcard characters")
      segments.push(current)
      current = ""
    } else {
      current += c
    }
  }
  segments.push(current)
  return { _tag: "Wildcard", value, segments }
}

const parseIPv4 = (text: string): bigint | undefined => {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (parts === null) return undefined
  let n = 0n
  for (const part of parts.slice(1)) {
    const byte = Number(part)
    if (byte > 255) return undefined
    n = (n << 8n) | BigInt(byte)
  }
  return n
}

const parseIPv6 = (text: string): bigint | undefined => {
  const halves = text.split("::")
  if (halves.length > 2) return undefined
  const groupsOf = (s: string): Array<string> | undefined => {
    if (s === "") return []
    const groups = s.split(":")
    const last = groups[groups.length - 1]
    if (last.includes(".")) {
      const v4 = parseIPv4(last)
      if (v4 === undefined) return undefined
      groups.splice(groups.length - 1, 1, (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16))
    }
    return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? groups : undefined
  }
  const head = groupsOf(halves[0])
  const tail = halves.length === 2 ? groupsOf(halves[1]) : []
  if (head === undefined || tail === undefined) return undefined
  if (halves.length === 2 && halves[0].includes(".")) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  return [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail]
    .reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n)
}

/** An IP address as a number and its family, if `text` is one. */
const parseIp = (text: string): { readonly version: 4 | 6; readonly n: bigint } | undefined => {
  const v4 = parseIPv4(text)
  if (v4 !== undefined) return { version: 4, n: v4 }
  const v6 = text.includes(":") ? parseIPv6(text) : undefined
  return v6 === undefined ? undefined : { version: 6, n: v6 }
}

const cidrOf = (path: Path, u: unknown): Matcher => {
  const value = stringOf(path, u)
  const slash = value.lastIndexOf("/")
  const ip = slash < 0 ? undefined : parseIp(value.slice(0, slash))
  const bits = ip?.version === 4 ? 32 : 128
  const prefixText = value.slice(slash + 1)
  if (ip === undefined || !/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return refuse(path, `must be an IPv4 or IPv6 CIDR block such as "10.0.0.0/24" or "2001:db8::/32", got "${value}"`)
  }
  const prefixLength = Number(prefixText)
  const shift = BigInt(bits - prefixLength)
  return { _tag: "Cidr", value, version: ip.version, network: (ip.n >> shift) << shift, prefixLength }
}

const RANGE_OPS = [">", ">=", "<", "<="]

const numericRangeOf = (path: Path, u: unknown): Matcher => {
  if (!Array.isArray(u)) return refuse(path, "must be an array such as [\">\", 0, \"<=\", 5]")
  const op = (i: number): string => {
    const o = u[i]
    if (o !== "=" && !RANGE_OPS.includes(o)) refuse([...path, i], `must be one of "=", ">", ">=", "<", "<="`)
    return o
  }
  const shape = (n: number) => {
    if (u.length !== n) refuse(path, `has ${u.length} elements where ${n} were expected`)
  }
  if (u.length !== 2 && u.length !== 4) refuse(path, `must have 2 or 4 elements, found ${u.length}`)
  const first = op(0)
  const a = numericOf([...path, 1], u[1])
  if (first === "=") {
    shape(2)
    return { _tag: "Numeric", lower: a, lowerInclusive: true, upper: a, upperInclusive: true }
  }
  if (first === "<" || first === "<=") {
    shape(2)
    return { _tag: "Numeric", lower: -Infinity, lowerInclusive: false, upper: a, upperInclusive: first === "<=" }
  }
  if (u.length === 2) {
    return { _tag: "Numeric", lower: a, lowerInclusive: first === ">=", upper: Infinity, upperInclusive: false }
  }
  const second = op(2)
  if (second !== "<" && second !== "<=") refuse([...path, 2], `must be "<" or "<=" after a lower bound`)
  const b = numericOf([...path, 3], u[3])
  if (b <= a) refuse(path, `must have its lower bound (${a}) below its upper bound (${b})`)
  return { _tag: "Numeric", lower: a, lowerInclusive: first === ">=", upper: b, upperInclusive: second === "<=" }
}

/** The value of `anything-but`: a string, a number, a list of only strings or only numbers, or an operator. */
const anythingButOf = (path: Path, u: unknown): Matcher => {
  const exact = (value: Scalar): Matcher => ({ _tag: "Exact", value })
  if (typeof u === "string" || isNumber(u)) return { _tag: "AnythingBut", excluded: [exact(u)] }
  if (Array.isArray(u)) {
    if (u.length === 0) refuse(path, "must not be an empty array")
    const strings = u.every((v) => typeof v === "string")
    if (!strings && !u.every(isNumber)) refuse(path, "must list only strings or only numbers")
    return { _tag: "AnythingBut", excluded: u.map(exact) }
  }
  if (!isRecord(u)) {
    return refuse(path, "must be a string, a number, an array of strings or of numbers, or an operator object")
  }
  const key = onlyKey(path, u, "\"prefix\", \"suffix\", \"equals-ignore-case\" or \"wildcard\"")
  const at = [...path, key]
  const listOf = (f: (p: Path, v: unknown) => Matcher): ReadonlyArray<Matcher> => {
    const v = u[key]
    if (!Array.isArray(v)) return [f(at, v)]
    if (v.length === 0) refuse(at, "must not be an empty array")
    return v.map((item, i) => f([...at, i], item))
  }
  switch (key) {
    case "prefix":
    case "suffix": {
      const value = stringOf(at, u[key], false)
      const excluded: Matcher = key === "prefix"
        ? { _tag: "Prefix", value, ignoreCase: false }
        : { _tag: "Suffix", value, ignoreCase: false }
      return { _tag: "AnythingBut", excluded: [excluded] }
    }
    case "equals-ignore-case":
      return { _tag: "AnythingBut", excluded: listOf((p, v) => ({ _tag: "EqualsIgnoreCase", value: stringOf(p, v) })) }
    case "wildcard":
      return { _tag: "AnythingBut", excluded: listOf(wildcardOf) }
    default:
      return refuse(
        path,
        `has unknown operator "${key}"; anything-but takes prefix, suffix, equals-ignore-case or wildcard`
      )
  }
}

const matcherOf = (path: Path, u: unknown): Matcher => {
  if (isScalar(u)) return { _tag: "Exact", value: u }
  if (!isRecord(u)) return refuse(path, "must be a string, a number, a boolean, null or a matcher object")
  const key = onlyKey(path, u, "a matcher such as \"prefix\"")
  const at = [...path, key]
  const value = u[key]
  switch (key) {
    case "prefix":
      return { _tag: "Prefix", ...affixOf(at, value) }
    case "suffix":
      return { _tag: "Suffix", ...affixOf(at, value) }
    case "equals-ignore-case":
      return { _tag: "EqualsIgnoreCase", value: stringOf(at, value) }
    case "wildcard":
      return wildcardOf(at, value)
    case "anything-but":
      return anythingButOf(at, value)
    case "numeric":
      return numericRangeOf(at, value)
    case "cidr":
      return cidrOf(at, value)
    case "exists":
      return typeof value === "boolean" ? { _tag: "Exists", exists: value } : refuse(at, "must be true or false")
    default:
      return refuse(path, `has unknown matcher "${key}"; known: ${MATCHER_NAMES.join(", ")}`)
  }
}

const objectOf = (path: Path, o: unknown, insideOr: boolean): ObjectPattern => {
  if (!isRecord(o)) return refuse(path, "must be a JSON object")
  const keys = Object.keys(o)
  if (keys.length === 0) refuse(path, "must not be an empty object")
  const fields: Array<readonly [string, FieldPattern]> = []
  let or: ReadonlyArray<ObjectPattern> = []
  for (const key of keys) {
    const at = [...path, key]
    const value = o[key]
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2) refuse(at, "must be an array of at least two objects")
      or = (value as ReadonlyArray<unknown>).map((alt, i) => objectOf([...at, i], alt, true))
      continue
    }
    if (insideOr && MATCHER_NAMES.includes(key)) {
      refuse(at, "is a matcher name, which cannot be a field name inside $or")
    }
    if (Array.isArray(value)) {
      if (value.length === 0) refuse(at, "must not be an empty array")
      fields.push([key, { _tag: "Leaf", matchers: value.map((v, i) => matcherOf([...at, i], v)) }])
    } else if (isRecord(value)) {
      fields.push([key, { _tag: "Object", pattern: objectOf(at, value, insideOr) }])
    } else {
      refuse(at, "must be an array of values or matchers")
    }
  }
  return { fields, or }
}

/**
 * Validates a pattern document as EventBridge does and compiles it. The Left names the path of the bad
 * field, e.g. `Event pattern: "detail.scan-status" must be an array of values or matchers`.
 */
export const parse = (json: unknown): Either.Either<EventPattern, string> => {
  try {
    if (!isRecord(json)) return Either.left("Event pattern: the pattern must be a JSON object")
    return Either.right({ _tag: "EventPattern", document: json, root: objectOf([], json, false) })
  } catch (e) {
    if (e instanceof Refusal) return Either.left(e.message)
    throw e
  }
}

/** Parses JSON text (`Event pattern is not valid JSON: ...` when it is not), then `parse`s the document. */
export const parseJson = (text: string): Either.Either<EventPattern, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return Either.left(`Event pattern is not valid JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
  return parse(json)
}

/** `parse`, throwing an `Error` with the refusal's message: for patterns written in code. */
export const unsafeMake = (json: unknown): EventPattern =>
  Either.getOrElse(parse(json), (message) => {
    throw new Error(message)
  })

// ---------------------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------------------

/** The leaf values at a field: scalars, with arrays flattened and objects left out. */
const leavesOf = (value: unknown, out: Array<Scalar> = []): Array<Scalar> => {
  if (Array.isArray(value)) {
    for (const v of value) leavesOf(v, out)
  } else if (isScalar(value)) {
    out.push(value)
  }
  return out
}

const lower = (s: string) => s.toLowerCase()

/** Whether one leaf value satisfies a matcher (`Exists` is decided on the whole field, not here). */
const leafMatches = (m: Matcher, v: Scalar): boolean => {
  switch (m._tag) {
    case "Exact":
      return v === m.value
    case "Prefix":
      return typeof v === "string" && (m.ignoreCase ? lower(v).startsWith(lower(m.value)) : v.startsWith(m.value))
    case "Suffix":
      return typeof v === "string" && (m.ignoreCase ? lower(v).endsWith(lower(m.value)) : v.endsWith(m.value))
    case "EqualsIgnoreCase":
      return typeof v === "string" && lower(v) === lower(m.value)
    case "Wildcard":
      return typeof v === "string" && matchesSegments(m.segments, v)
    case "Numeric":
      return typeof v === "number" && Math.abs(v) <= NUMERIC_LIMIT &&
        (m.lowerInclusive ? v >= m.lower : v > m.lower) && (m.upperInclusive ? v <= m.upper : v < m.upper)
    case "Cidr": {
      const ip = typeof v === "string" ? parseIp(v) : undefined
      if (ip === undefined || ip.version !== m.version) return false
      const shift = BigInt((m.version === 4 ? 32 : 128) - m.prefixLength)
      return (ip.n >> shift) << shift === m.network
    }
    case "Exists":
      return false
    case "AnythingBut":
      return !m.excluded.some((x) => leafMatches(x, v))
  }
}

const fieldMatches = (matchers: ReadonlyArray<Matcher>, value: unknown): boolean => {
  const leaves = leavesOf(value)
  return matchers.some((m) =>
    m._tag === "Exists" ? (leaves.length > 0) === m.exists : leaves.some((v) => leafMatches(m, v))
  )
}

const objectMatches = (p: ObjectPattern, value: unknown): boolean => {
  if (Array.isArray(value) && value.length > 0) return value.some((element) => objectMatches(p, element))
  const record = isRecord(value) ? value : undefined
  const child = (name: string): unknown =>
    record !== undefined && Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined
  return p.fields.every(([name, f]) =>
    f._tag === "Leaf" ? fieldMatches(f.matchers, child(name)) : objectMatches(f.pattern, child(name))
  ) && (p.or.length === 0 || p.or.some((alternative) => objectMatches(alternative, value)))
}

/**
 * Whether `event` (the JSON event object as delivered) matches `pattern`. A value that is not an object is
 * an event with no fields: only `exists: false` can match it.
 *
 * @example
 * ```ts
 * import { EventPattern } from "@ecr-scan/core"
 * import * as Either from "effect/Either"
 *
 * const pattern = EventPattern.parseJson(`{
 *   "source": ["aws.ecr"],
 *   "detail-type": ["ECR Image Scan"],
 *   "detail": { "scan-status": ["COMPLETE"], "finding-severity-counts": { "CRITICAL": [{ "numeric": [">", 0] }] } }
 * }`)
 * const event = {
 *   "detail-type": "ECR Image Scan",
 *   source: "aws.ecr",
 *   detail: { "scan-status": "COMPLETE", "repository-name": "my-repo", "finding-severity-counts": { CRITICAL: 10 } }
 * }
 * const critical: Either.Either<boolean, string> = Either.map(pattern, (p) => EventPattern.matches(p, event))
 * ```
 */
export const matches = (pattern: EventPattern, event: unknown): boolean => objectMatches(pattern.root, event)
