/**
 * A command that calls one ECR operation the way the AWS CLI does: one flag per request member
 * (structures in shorthand or JSON syntax, `file://` for file contents), `--cli-input-json` as the
 * base with flags overriding it, `--generate-cli-skeleton [input|output]`, auto-pagination with
 * `--max-items`, `--starting-token`, `--page-size`, `--no-paginate`, and `--output json|text|table`.
 *
 * @since 0.1.0
 */
import { Api, type Errors, Ports } from "@ecr-scan/core"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Option from "effect/Option"
import * as Backend from "./Backend.js"
import * as CliFailure from "./CliFailure.js"
import * as Files from "./Files.js"
import * as Output from "./Output.js"
import * as Shorthand from "./Shorthand.js"
import * as Skeleton from "./Skeleton.js"
import * as Stdio from "./Stdio.js"

/** How a flag's text becomes a member's value. */
export type MemberKind =
  | { readonly _tag: "string" }
  | { readonly _tag: "integer" }
  | { readonly _tag: "structure"; readonly members: Readonly<Record<string, "string" | "boolean" | "number">> }
  | { readonly _tag: "structureList"; readonly members: Readonly<Record<string, "string" | "boolean" | "number">> }

/** One request member and its flag. */
export interface Member {
  readonly flag: string
  readonly member: string
  readonly kind: MemberKind
  readonly required?: boolean
}

/** Where a paginated operation keeps its results. */
export interface Pagination {
  readonly resultKeys: ReadonlyArray<ReadonlyArray<string>>
}

/** A command for one operation. */
export interface OperationSpec {
  readonly command: string
  readonly operation: Api.OperationName
  readonly description: string
  readonly members: ReadonlyArray<Member>
  readonly pagination?: Pagination
}

/** The options every command shares. */
export const globalOptions = {
  output: Options.choice("output", ["json", "text", "table"]).pipe(
    Options.withDefault("json" as const),
    Options.withDescription("The output format.")
  ),
  endpointUrl: Options.text("endpoint-url").pipe(
    Options.optional,
    Options.withDescription("Send requests to this URL (an ecr-scan emulator, for example).")
  ),
  region: Options.text("region").pipe(Options.optional, Options.withDescription("The AWS region.")),
  backend: Options.choice("backend", ["aws", "memory"]).pipe(
    Options.withDefault("aws" as const),
    Options.withDescription("aws: the AWS SDK (real ECR or --endpoint-url). memory: an in-process registry.")
  )
}

/** Reads a flag's text (`file://path` reads the file). */
export const readText = (
  flag: string,
  text: string
): Effect.Effect<string, CliFailure.CliFailure, FileSystem.FileSystem> =>
  text.startsWith("file://")
    ? Effect.mapError(
      Files.readText(text.slice("file://".length)),
      (problem) => CliFailure.parameter(flag, `Unable to load paramfile ${text}: ${problem}`)
    )
    : Effect.succeed(text)

const memberValue = (
  member: Member,
  raw: string
): Effect.Effect<unknown, CliFailure.CliFailure, FileSystem.FileSystem> =>
  Effect.flatMap(readText(member.flag, raw), (text): Either.Either<unknown, CliFailure.CliFailure> => {
    const fail = (problem: string): Either.Either<unknown, CliFailure.CliFailure> =>
      Either.left(CliFailure.parameter(member.flag, problem))
    switch (member.kind._tag) {
      case "string":
        return Either.right(text)
      case "integer": {
        const n = Number(text)
        return Number.isInteger(n) ? Either.right(n) : fail(`invalid literal for int() with base 10: '${text}'`)
      }
      case "structure": {
        const kinds = member.kind.members
        const parsed = Shorthand.parseStructure(text)
        if (Either.isLeft(parsed)) return fail(parsed.left)
        if (text.trimStart().startsWith("{")) return Either.right(parsed.right)
        return Either.mapLeft(Shorthand.coerce(parsed.right, kinds), (p) => CliFailure.parameter(member.flag, p))
      }
      case "structureList": {
        const kinds = member.kind.members
        if (text.trimStart().startsWith("[")) {
          try {
            const list: unknown = JSON.parse(text)
            return Array.isArray(list)
              ? Either.right(list)
              : fail(`Invalid JSON: expected a list\nJSON received: ${text}`)
          } catch (error) {
            return fail(`Invalid JSON: ${(error as Error).message}\nJSON received: ${text}`)
          }
        }
        // Shorthand: one structure per space-separated item.
        const items: Array<unknown> = []
        for (const part of text.split(/\s+/).filter((p) => p !== "")) {
          const parsed = Either.flatMap(Shorthand.parseStructure(part), (r) => Shorthand.coerce(r, kinds))
          if (Either.isLeft(parsed)) return fail(parsed.left)
          items.push(parsed.right)
        }
        return Either.right(items)
      }
    }
  })

/**
 * What botocore's parameter validation says of members the operation does not have (`model` is the
 * request's input skeleton): the AWS CLI refuses them before sending, whether they came in shorthand,
 * in JSON or through `--cli-input-json`.
 */
const unknownParameters = (model: unknown, value: unknown, path: string): Array<string> => {
  if (Array.isArray(value)) {
    const item: unknown = Array.isArray(model) ? model[0] : undefined
    return value.flatMap((v, i) => unknownParameters(item, v, `${path}[${i}]`))
  }
  if (typeof value !== "object" || value === null || typeof model !== "object" || model === null) return []
  if (Array.isArray(model)) return []
  const known = model as Record<string, unknown>
  return Object.entries(value).flatMap(([key, member]) =>
    Object.prototype.hasOwnProperty.call(known, key)
      ? unknownParameters(known[key], member, path === "input" ? key : `${path}.${key}`)
      : [`Unknown parameter in ${path}: "${key}", must be one of: ${Object.keys(known).join(", ")}`]
  )
}

/** The object `--cli-input-json` holds. */
const inputObject = (text: string): Either.Either<Record<string, unknown>, CliFailure.CliFailure> => {
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return Either.left(CliFailure.parameter("cli-input-json", "Invalid JSON: expected an object"))
    }
    return Either.right({ ...(parsed as Record<string, unknown>) })
  } catch (error) {
    return Either.left(CliFailure.parameter("cli-input-json", `Invalid JSON received: ${(error as Error).message}`))
  }
}

/** The request: `--cli-input-json`, then each flag given on the command line over it. */
export const buildRequest = (
  spec: OperationSpec,
  cliInputJson: Option.Option<string>,
  flags: Readonly<Record<string, Option.Option<string>>>
): Effect.Effect<Record<string, unknown>, CliFailure.CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const request: Record<string, unknown> = Option.isSome(cliInputJson)
      ? yield* inputObject(yield* readText("cli-input-json", cliInputJson.value))
      : {}
    for (const member of spec.members) {
      const raw = flags[member.member]
      if (raw === undefined || Option.isNone(raw)) continue
      request[member.member] = yield* memberValue(member, raw.value)
    }
    const missing = spec.members.filter((m) => m.required === true && request[m.member] === undefined)
    if (missing.length > 0) {
      return yield* CliFailure.usage(
        `the following arguments are required: ${missing.map((m) => `--${m.flag}`).join(", ")}`
      )
    }
    const unknown = unknownParameters(Skeleton.of(Api.Operations[spec.operation].request, "input"), request, "input")
    if (unknown.length > 0) return yield* CliFailure.validation(unknown)
    return request
  })

/** Calls an operation through the ports (the request is checked by the backend). */
export const call = (
  operation: Api.OperationName,
  request: unknown
): Effect.Effect<unknown, Errors.EcrError, Ports.Ports> => Ports.call(operation, request as never)

const get = (value: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>(
    (v, key) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined),
    value
  )

const set = (value: Record<string, unknown>, path: ReadonlyArray<string>, item: unknown): Record<string, unknown> => {
  if (path.length === 1) return { ...value, [path[0]]: item }
  const inner = value[path[0]]
  return {
    ...value,
    [path[0]]: set(
      typeof inner === "object" && inner !== null ? inner as Record<string, unknown> : {},
      path.slice(1),
      item
    )
  }
}

interface PageOptions {
  readonly maxItems: Option.Option<number>
  readonly startingToken: Option.Option<string>
  readonly pageSize: Option.Option<number>
  readonly noPaginate: boolean
}

/** A string as Python's `json.dumps` writes it (`ensure_ascii`: every character outside space to `~` escaped). */
const pythonJsonString = (text: string) =>
  `"${
    text.replace(/[\\"]|[^ -~]/g, (c) => {
      if (c === "\\" || c === "\"") return `\\${c}`
      const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" }
      return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
    })
  }"`

/**
 * The token `--max-items` leaves for `--starting-token`, as botocore's paginator writes it (base64 of
 * `json.dumps`): on a page boundary `{"nextToken": "<the service's token>"}`; within a page, the token that
 * fetched the page (null for the first) and how many of its items were used,
 * `{"nextToken": null, "boto_truncate_amount": 1}`.
 */
const encodeToken = (nextToken: string | undefined, skip: number) =>
  Encoding.encodeBase64(
    skip === 0 && nextToken !== undefined
      ? `{"nextToken": ${pythonJsonString(nextToken)}}`
      : `{"nextToken": ${
        nextToken === undefined ? "null" : pythonJsonString(nextToken)
      }, "boto_truncate_amount": ${skip}}`
  )

/** A `--starting-token`: botocore's (exactly `nextToken` and, optionally, `boto_truncate_amount`). */
const decodeToken = (
  text: string
): Either.Either<{ nextToken: string | undefined; skip: number }, CliFailure.CliFailure> =>
  Either.flatMap(
    Either.mapLeft(
      Encoding.decodeBase64String(text),
      () => CliFailure.parameter("starting-token", "Bad starting token")
    ),
    (json) => {
      try {
        const parsed = JSON.parse(json) as Record<string, unknown>
        const keys = Object.keys(parsed).sort()
        const amount = parsed.boto_truncate_amount
        if (
          (keys.join() === "nextToken" || keys.join() === "boto_truncate_amount,nextToken") &&
          (parsed.nextToken === null || typeof parsed.nextToken === "string") &&
          (amount === undefined || (typeof amount === "number" && Number.isInteger(amount) && amount >= 0))
        ) {
          return Either.right({
            nextToken: typeof parsed.nextToken === "string" && parsed.nextToken !== "" ? parsed.nextToken : undefined,
            skip: (amount as number | undefined) ?? 0
          })
        }
      } catch {
        // fall through
      }
      return Either.left(CliFailure.parameter("starting-token", "Bad starting token"))
    }
  )

const MAX_PAGES = 10_000

/**
 * What a paginated call prints: the merged response (json, table) and, for the text format, what the
 * AWS CLI's text formatter prints page by page (botocore's `non_aggregate_part` with the first page's
 * results, then each further page's results alone, a result key the page lacks as `None`, and the
 * resume token last as `NEXTTOKEN`).
 */
export interface Paginated {
  readonly response: unknown
  readonly textPages?: ReadonlyArray<unknown> | undefined
}

const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value)

/** Calls a paginated operation and merges its pages, as the AWS CLI does. */
const paginate = (
  spec: OperationSpec,
  pagination: Pagination,
  request: Record<string, unknown>,
  options: PageOptions
) =>
  Effect.gen(function*() {
    if (options.noPaginate) return { response: yield* call(spec.operation, request) } satisfies Paginated
    const start = Option.isSome(options.startingToken)
      ? yield* decodeToken(options.startingToken.value)
      : { nextToken: request.nextToken as string | undefined, skip: 0 }
    const maxItems = Option.getOrUndefined(options.maxItems)
    let token = start.nextToken
    let skip = start.skip
    let first: Record<string, unknown> | undefined
    const merged: Array<Array<unknown>> = pagination.resultKeys.map(() => [])
    let count = 0
    let truncatedAt: string | undefined
    // The items each page contributed under each result key (undefined: the page had no such key).
    const pages: Array<Array<Array<unknown> | undefined>> = []
    for (let page = 0; page < MAX_PAGES; page++) {
      const pageRequest: Record<string, unknown> = { ...request }
      if (token === undefined) delete pageRequest.nextToken
      else pageRequest.nextToken = token
      if (Option.isSome(options.pageSize)) pageRequest.maxResults = options.pageSize.value
      const response = (yield* call(spec.operation, pageRequest)) as Record<string, unknown>
      first ??= response
      let used = 0
      let full = false
      const pageItems: Array<Array<unknown> | undefined> = pagination.resultKeys.map(() => undefined)
      pages.push(pageItems)
      pagination.resultKeys.forEach((path, i) => {
        const found = get(response, path) as Array<unknown> | undefined
        const items = found ?? []
        if (found !== undefined) pageItems[i] = []
        for (const item of items.slice(skip)) {
          if (maxItems !== undefined && count >= maxItems) {
            full = true
            break
          }
          merged[i].push(item)
          pageItems[i]?.push(item)
          count++
          used++
        }
      })
      if (full) {
        truncatedAt = encodeToken(token, skip + used)
        break
      }
      skip = 0
      const next = response.nextToken
      if (typeof next !== "string") break
      if (maxItems !== undefined && count >= maxItems) {
        truncatedAt = encodeToken(next, 0)
        break
      }
      token = next
    }
    let out: Record<string, unknown> = { ...first }
    delete out.nextToken
    pagination.resultKeys.forEach((path, i) => {
      if (get(first, path) !== undefined || merged[i].length > 0) out = set(out, path, merged[i])
    })
    if (truncatedAt !== undefined) out.NextToken = truncatedAt
    const textPages: Array<unknown> = pages.map((items, n) => {
      let current: Record<string, unknown> = {}
      if (n === 0) {
        current = { ...first }
        delete current.nextToken
        for (const path of pagination.resultKeys) if (path.length === 1) delete current[path[0]]
      }
      pagination.resultKeys.forEach((path, i) => {
        // Where the first page lacks the key's parent (an IN_PROGRESS scan has no imageScanFindings),
        // botocore's formatter fails; nothing is printed for it here.
        if (n === 0 && path.length > 1 && !isObject(get(current, path.slice(0, -1)))) return
        current = set(current, path, items[i] ?? null)
      })
      return current
    })
    if (truncatedAt !== undefined) textPages.push({ NextToken: { NextToken: truncatedAt } })
    return { response: out, textPages } satisfies Paginated
  })

/** The `@effect/cli` command of a spec. */
export const make = (spec: OperationSpec) => {
  const schemas = Api.Operations[spec.operation]
  const flags: Record<string, Options.Options<Option.Option<string>>> = {}
  for (const member of spec.members) flags[member.member] = Options.text(member.flag).pipe(Options.optional)
  const pageOptions = {
    maxItems: Options.integer("max-items").pipe(Options.optional),
    startingToken: Options.text("starting-token").pipe(Options.optional),
    pageSize: Options.integer("page-size").pipe(Options.optional),
    noPaginate: Options.boolean("no-paginate")
  }
  const options = {
    flags: Options.all(flags),
    cliInputJson: Options.text("cli-input-json").pipe(Options.optional),
    skeleton: Options.choice("generate-cli-skeleton", ["input", "output"]).pipe(Options.optional),
    page: Options.all(pageOptions),
    ...globalOptions
  }
  return Command.make(spec.command, options, (args) =>
    Effect.gen(function*() {
      if (Option.isSome(args.skeleton) && args.skeleton.value === "input") {
        return yield* Stdio.out(Skeleton.render(schemas.request, "input"))
      }
      const request = yield* buildRequest(spec, args.cliInputJson, args.flags)
      if (Option.isSome(args.skeleton)) return yield* Stdio.out(Skeleton.render(schemas.response, "output"))
      const layer = yield* Backend.layer(args)
      const called: Effect.Effect<Paginated, Errors.EcrError | CliFailure.CliFailure, Ports.Ports> =
        spec.pagination === undefined
          ? Effect.map(call(spec.operation, request), (response) => ({ response }))
          : paginate(spec, spec.pagination, request, args.page)
      const result = yield* called.pipe(
        Effect.mapError((error) =>
          error._tag === "CliFailure"
            ? error
            : CliFailure.fromEcrError(spec.operation, error, Option.getOrUndefined(args.endpointUrl))
        ),
        Effect.provide(layer)
      )
      const terminal = yield* Stdio.stdoutTerminal
      yield* Stdio.out(
        args.output === "text" && result.textPages !== undefined
          ? result.textPages.map((page) => Output.render("text", spec.operation, page)).join("")
          : Output.render(args.output, spec.operation, result.response, terminal)
      )
    })).pipe(Command.withDescription(spec.description))
}
