/**
 * The AWS CLI's two syntaxes for structure parameters: shorthand (`imageDigest=sha256:...,imageTag=v1`)
 * and JSON (`{"imageTag": "v1"}`), with the AWS CLI's error wording. Values may be quoted with `'` or
 * `"` to hold commas; `\,` escapes a comma too.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"

/** Why a parameter could not be read: the text after `Error parsing parameter '--x': `. */
export type ParseProblem = string

const caret = (input: string, at: number) => `for input:\n${input}\n${" ".repeat(at)}^`

/** Reads `key=value,key=value` into a flat record of strings. */
export const parseShorthand = (input: string): Either.Either<Record<string, string>, ParseProblem> => {
  const out: Record<string, string> = {}
  let i = 0
  const n = input.length
  while (i < n) {
    const keyStart = i
    while (i < n && input[i] !== "=" && input[i] !== ",") i++
    const key = input.slice(keyStart, i).trim()
    if (i >= n) return Either.left(`Expected: '=', received: 'EOF' ${caret(input, i)}`)
    if (input[i] !== "=") return Either.left(`Expected: '=', received: '${input[i]}' ${caret(input, i)}`)
    if (key === "") return Either.left(`Expected: a key, received: '=' ${caret(input, i)}`)
    if (Object.prototype.hasOwnProperty.call(out, key)) {
      return Either.left(
        `Second instance of key "${key}" encountered ${caret(input, keyStart)}\n` +
          `This is often because there is a preceding "," instead of a space.`
      )
    }
    i++ // past '='
    let value = ""
    if (input[i] === "'" || input[i] === "\"") {
      const quote = input[i]
      const close = input.indexOf(quote, i + 1)
      if (close < 0) return Either.left(`Expected: '${quote}', received: 'EOF' ${caret(input, n)}`)
      value = input.slice(i + 1, close)
      i = close + 1
      if (i < n && input[i] !== ",") return Either.left(`Expected: ',', received: '${input[i]}' ${caret(input, i)}`)
    } else {
      while (i < n && input[i] !== ",") {
        if (input[i] === "\\" && i + 1 < n) {
          value += input[i + 1]
          i += 2
        } else {
          value += input[i]
          i++
        }
      }
    }
    out[key] = value
    if (input[i] === ",") i++
  }
  return Either.right(out)
}

/** Reads a structure parameter in either syntax: JSON when it starts with `{`, shorthand otherwise. */
export const parseStructure = (input: string): Either.Either<Record<string, unknown>, ParseProblem> => {
  const trimmed = input.trimStart()
  if (trimmed.startsWith("{")) {
    try {
      const value: unknown = JSON.parse(input)
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return Either.left(`Invalid JSON: expected an object\nJSON received: ${input}`)
      }
      return Either.right(value as Record<string, unknown>)
    } catch (error) {
      return Either.left(`Invalid JSON: ${(error as Error).message}\nJSON received: ${input}`)
    }
  }
  return parseShorthand(input)
}

/**
 * Converts shorthand strings to the booleans and numbers a structure's members expect. A key the
 * structure does not have is kept as it is: the request's validation reports it, in the same words
 * whichever syntax it came in, as the AWS CLI does.
 */
export const coerce = (
  record: Record<string, unknown>,
  kinds: Readonly<Record<string, "string" | "boolean" | "number">>
): Either.Either<Record<string, unknown>, ParseProblem> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) {
    const kind = kinds[key]
    if (kind === undefined || typeof value !== "string" || kind === "string") {
      out[key] = value
    } else if (kind === "boolean") {
      if (value !== "true" && value !== "false") return Either.left(`"${key}" must be true or false, got "${value}"`)
      out[key] = value === "true"
    } else {
      const number = Number(value)
      if (value.trim() === "" || !Number.isFinite(number)) {
        return Either.left(`"${key}" must be a number, got "${value}"`)
      }
      out[key] = number
    }
  }
  return Either.right(out)
}
