import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as PolicyDocuments from "../src/PolicyDocuments.js"

const { check, isValid, reasonOf } = PolicyDocuments
const KINDS: ReadonlyArray<PolicyDocuments.PolicyKind> = ["repository", "registry"]

/** AWS's refusals, written out here rather than read from the module under test. */
const REFUSED = {
  repository: {
    _tag: "InvalidParameterException",
    message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'"
  },
  registry: {
    _tag: "InvalidParameterException",
    message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'"
  }
} as const

const refusal = (kind: PolicyDocuments.PolicyKind, text: string) => {
  const error = check(kind, text)
  return error === undefined ? undefined : { _tag: error._tag, message: error.message }
}

// ---------------------------------------------------------------------------------------------------------------
// Documents ECR stores

const arn = fc.integer({ min: 0, max: 999_999_999_999 }).map((n) => `arn:aws:iam::${String(n).padStart(12, "0")}:root`)
const oneOrMore = <A>(item: fc.Arbitrary<A>) => fc.oneof(item, fc.array(item, { minLength: 1, maxLength: 3 }))
const principal = fc.oneof(
  fc.constant("*" as const),
  fc.record({ AWS: oneOrMore(arn) }),
  fc.record({ Service: oneOrMore(fc.constantFrom("codebuild.amazonaws.com", "lambda.amazonaws.com")) }),
  fc.record({ AWS: oneOrMore(arn), Service: fc.constant("codebuild.amazonaws.com") })
)
const action = fc.constantFrom("*", "ecr:*", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:Describe*")
const condition = fc.record({
  StringEquals: fc.dictionary(fc.constantFrom("aws:PrincipalOrgID", "aws:SourceAccount"), fc.string())
})

/** A statement of a resource-based policy, with neither `Resource` nor `NotResource`. */
const statement = fc.tuple(
  fc.record(
    {
      Sid: fc.string({ maxLength: 20 }),
      Effect: fc.constantFrom("Allow", "Deny"),
      Condition: condition
    },
    { requiredKeys: ["Effect"] }
  ),
  fc.boolean(),
  principal,
  fc.boolean(),
  oneOrMore(action)
).map(([base, notPrincipal, p, notAction, a]) => ({
  ...base,
  [notPrincipal ? "NotPrincipal" : "Principal"]: p,
  [notAction ? "NotAction" : "Action"]: a
}))

const document = fc.tuple(
  fc.record(
    { Version: fc.constantFrom("2012-10-17", "2008-10-17"), Id: fc.string({ maxLength: 20 }) },
    { requiredKeys: [] }
  ),
  fc.oneof(statement, fc.array(statement, { minLength: 1, maxLength: 4 }))
).map(([base, Statement]) => ({ ...base, Statement }))

const statements = (doc: { readonly Statement: unknown }): Array<Record<string, unknown>> =>
  (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Array<Record<string, unknown>>

/** `doc` with `f` applied to one of its statements (the `index`-th, modulo their number). */
const editStatement = (
  doc: { readonly Statement: unknown },
  index: number,
  f: (s: Record<string, unknown>) => Record<string, unknown>
) => {
  const all = statements(doc)
  const i = index % all.length
  const edited = all.map((s, j) => (j === i ? f(s) : s))
  return { ...doc, Statement: Array.isArray(doc.Statement) ? edited : edited[0] }
}

const without = (s: Record<string, unknown>, ...keys: ReadonlyArray<string>) =>
  Object.fromEntries(Object.entries(s).filter(([key]) => !keys.includes(key)))

describe("PolicyDocuments", () => {
  it("stores every resource-based policy document, whatever its layout", () =>
    fc.assert(
      fc.property(document, fc.constantFrom(undefined, 2, "\t"), fc.constantFrom(...KINDS), (doc, indent, kind) => {
        const text = JSON.stringify(doc, null, indent)
        expect(reasonOf(kind, text)).toBeUndefined()
        expect(check(kind, text)).toBeUndefined()
      })
    ))

  it("refuses whatever is not JSON, with AWS's one text", () =>
    fc.assert(
      fc.property(
        fc.string().filter((s) => {
          try {
            JSON.parse(s)
            return false
          } catch {
            return true
          }
        }),
        fc.constantFrom(...KINDS),
        (text, kind) => {
          expect(reasonOf(kind, text)).toBe("the text is not JSON")
          expect(refusal(kind, text)).toStrictEqual(REFUSED[kind])
        }
      )
    ))

  it("refuses JSON that is not an object", () =>
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(null), fc.boolean(), fc.double({ noNaN: true }), fc.string(), fc.array(fc.jsonValue())),
        fc.constantFrom(...KINDS),
        (value, kind) => {
          const text = JSON.stringify(value)
          expect(reasonOf(kind, text)).toBe("the document must be a JSON object")
          expect(refusal(kind, text)).toStrictEqual(REFUSED[kind])
        }
      )
    ))

  it("never throws, whatever the text", () =>
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "grapheme" }), fc.json()), fc.constantFrom(...KINDS), (text, kind) => {
        const error = check(kind, text)
        expect(error === undefined || error.message === REFUSED[kind].message).toBe(true)
        expect(isValid(kind, text)).toBe(error === undefined)
      })
    ))

  it("refuses a document without a Statement, with an empty one, or with a member the grammar lacks", () =>
    fc.assert(
      fc.property(document, fc.constantFrom(...KINDS), fc.string({ minLength: 1 }), (doc, kind, key) => {
        const { Statement: _, ...rest } = doc
        expect(refusal(kind, JSON.stringify(rest))).toStrictEqual(REFUSED[kind])
        expect(refusal(kind, JSON.stringify({ ...doc, Statement: [] }))).toStrictEqual(REFUSED[kind])
        if (!["Version", "Id", "Statement"].includes(key)) {
          expect(refusal(kind, JSON.stringify({ ...doc, [key]: 1 }))).toStrictEqual(REFUSED[kind])
        }
      })
    ))

  it("refuses a Version other than 2012-10-17 and 2008-10-17", () =>
    fc.assert(
      fc.property(
        document,
        fc.jsonValue().filter((v) => v !== "2012-10-17" && v !== "2008-10-17"),
        fc.constantFrom(...KINDS),
        (doc, version, kind) => {
          expect(refusal(kind, JSON.stringify({ ...doc, Version: version }))).toStrictEqual(REFUSED[kind])
        }
      )
    ))

  it("refuses a statement without its Effect, its principal or its action, or with a bad Effect", () =>
    fc.assert(
      fc.property(document, fc.nat(), fc.constantFrom(...KINDS), (doc, i, kind) => {
        for (
          const edit of [
            (s: Record<string, unknown>) => without(s, "Effect"),
            (s: Record<string, unknown>) => ({ ...s, Effect: "allow" }),
            (s: Record<string, unknown>) => without(s, "Principal", "NotPrincipal"),
            (s: Record<string, unknown>) => without(s, "Action", "NotAction"),
            (s: Record<string, unknown>) => ({ ...s, Action: [] }),
            (s: Record<string, unknown>) => ({ ...s, Principal: "*", NotPrincipal: "*" }),
            (s: Record<string, unknown>) => ({ ...s, Action: "ecr:*", NotAction: "ecr:*" }),
            (s: Record<string, unknown>) => ({ ...without(s, "NotAction"), Action: "BatchGetImage" }),
            (s: Record<string, unknown>) => ({ ...without(s, "NotPrincipal"), Principal: { Someone: "x" } }),
            (s: Record<string, unknown>) => ({ ...s, Condition: "aws:SourceAccount" }),
            (s: Record<string, unknown>) => ({ ...s, Unknown: true })
          ]
        ) {
          expect(refusal(kind, JSON.stringify(editStatement(doc, i, edit)))).toStrictEqual(REFUSED[kind])
        }
      })
    ))

  it("refuses Resource and NotResource in a repository policy, and takes them in the registry policy", () =>
    fc.assert(
      fc.property(
        document,
        fc.nat(),
        fc.constantFrom("Resource", "NotResource"),
        oneOrMore(fc.constantFrom("*", "arn:aws:ecr:us-east-1:123456789012:repository/*")),
        (doc, i, key, resource) => {
          const text = JSON.stringify(editStatement(doc, i, (s) => ({ ...s, [key]: resource })))
          expect(refusal("repository", text)).toStrictEqual(REFUSED.repository)
          expect(check("registry", text)).toBeUndefined()
        }
      )
    ))

  it("answers AWS's not-found texts", () => {
    const repository = PolicyDocuments.repositoryPolicyNotFound({ registryId: "123456789012", repositoryName: "app" })
    expect({ _tag: repository._tag, message: repository.message }).toStrictEqual({
      _tag: "RepositoryPolicyNotFoundException",
      message: "Repository policy does not exist for the repository with name 'app' in the registry with id " +
        "'123456789012'"
    })
    const registry = PolicyDocuments.registryPolicyNotFound("123456789012")
    expect({ _tag: registry._tag, message: registry.message }).toStrictEqual({
      _tag: "RegistryPolicyNotFoundException",
      message: "Registry policy does not exist in the registry with id '123456789012'"
    })
  })
})
