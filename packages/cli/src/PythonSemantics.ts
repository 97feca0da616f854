/**
 * Python's semantics where they differ from JavaScript's, as the AWS CLI's table needs them: `str` and `repr`
 * of values, `round`, `//`, `' ' * n`, truthiness and the ordering of strings.
 *
 * @since 0.1.0
 */

/** `' ' * n`: empty for a negative count. */
export const times = (text: string, n: number) => (n > 0 ? text.repeat(n) : "")

/** `a // b`: floor division. */
export const floorDiv = (a: number, b: number) => Math.floor(a / b)

/** `round(x)` of a float: half to even. */
export const pythonRound = (x: number) => {
  const r = Math.round(x)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** `str(x)` of a float with a fraction: `repr`, the shortest digits, with an exponent below 1e-4 (`1e-05`). */
const pythonFloat = (x: number): string => {
  if (Math.abs(x) < 1e-4) {
    const [mantissa, exponent] = x.toExponential().split("e")
    const sign = exponent.startsWith("-") ? "-" : "+"
    const digits = exponent.replace(/^[+-]/, "").padStart(2, "0")
    return `${mantissa}e${sign}${digits}`
  }
  return String(x)
}

/** `repr(text)`: single quotes unless the text has one and no double quote; control characters escaped. */
const pythonStringRepr = (text: string): string => {
  const quote = text.includes("'") && !text.includes("\"") ? "\"" : "'"
  const escaped = text.replace(/[\\\x00-\x1f\x7f]/g, (c) => {
    if (c === "\\") return "\\\\"
    if (c === "\n") return "\\n"
    if (c === "\r") return "\\r"
    if (c === "\t") return "\\t"
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`
  })
  return `${quote}${quote === "'" ? escaped.replaceAll("'", "\\'") : escaped}${quote}`
}

/**
 * `str(value)` of parsed JSON: a list or a dict (a member that is a scalar in one item of a list and not in
 * another) as Python's `repr` writes it.
 */
export const str = (value: unknown, nested = false): string => {
  if (value === true) return "True"
  if (value === false) return "False"
  if (value === null || value === undefined) return "None"
  // A JSON number without a fraction is an int to Python (the SDK keeps no `.0` to tell a float by).
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value).toString() : pythonFloat(value)
  if (Array.isArray(value)) return `[${value.map((v) => str(v, true)).join(", ")}]`
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${pythonStringRepr(k)}: ${str(v, true)}`).join(", ")}}`
  }
  return nested ? pythonStringRepr(String(value)) : String(value)
}

/** Python's `not value`. */
export const falsy = (value: unknown): boolean => {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return true
  if (Array.isArray(value)) return value.length === 0
  if (typeof value === "object") return Object.keys(value).length === 0
  return false
}

/** Python's ordering of strings: by code point (JavaScript's `<` compares UTF-16 code units). */
export const byCodePoint = (a: string, b: string): number => {
  const x = Array.from(a, (c) => c.codePointAt(0)!)
  const y = Array.from(b, (c) => c.codePointAt(0)!)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i]
  return x.length - y.length
}
