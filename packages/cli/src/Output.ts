/**
 * The AWS CLI's three output formats for a response: `json` (indented by four spaces, timestamps in
 * ISO 8601), `text` (the AWS CLI's tab-separated algorithm) and `table` (boxed sections).
 *
 * @since 0.1.0
 */

/** An output format. */
export type Format = "json" | "text" | "table"

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** A timestamp as the AWS CLI prints it: `2026-01-01T00:00:03+00:00`, with microseconds when not whole. */
export const timestamp = (date: Date): string => {
  const base = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  const millis = date.getUTCMilliseconds()
  return `${base}${millis === 0 ? "" : `.${pad(millis, 3)}000`}+00:00`
}

/** The response as plain JSON data: Dates as timestamps, absent members dropped. */
export const toPlain = (value: unknown): unknown => {
  if (value instanceof Date) return timestamp(value)
  if (Array.isArray(value)) return value.map(toPlain)
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) out[key] = toPlain(member)
    }
    return out
  }
  return value
}

const isComplex = (value: unknown) => typeof value === "object" && value !== null

const scalar = (value: unknown): string =>
  value === true ? "True" : value === false ? "False" : value === null ? "None" : String(value)

// The AWS CLI's text format (awscli/formatter.py, text.py), step for step.
const formatText = (item: unknown, out: Array<string>, identifier?: string, scalarKeys?: ReadonlyArray<string>) => {
  if (Array.isArray(item)) return formatList(item, out, identifier)
  if (isComplex(item)) return formatDict(item as Record<string, unknown>, out, identifier, scalarKeys)
  out.push(`${scalar(item)}\n`)
}

const formatList = (items: ReadonlyArray<unknown>, out: Array<string>, identifier?: string) => {
  if (items.length === 0) return
  if (items.some((e) => isComplex(e) && !Array.isArray(e))) {
    const keys = new Set<string>()
    for (const e of items) {
      if (isComplex(e) && !Array.isArray(e)) {
        for (const [k, v] of Object.entries(e as object)) if (!isComplex(v)) keys.add(k)
      }
    }
    const all = [...keys].sort()
    for (const e of items) formatText(e, out, identifier, all)
    return
  }
  if (items.some(Array.isArray)) {
    const scalars = items.filter((e) => !isComplex(e))
    if (scalars.length > 0) formatScalarList(scalars, out, identifier)
    for (const e of items.filter(isComplex)) formatText(e, out, identifier)
    return
  }
  formatScalarList(items, out, identifier)
}

const formatScalarList = (items: ReadonlyArray<unknown>, out: Array<string>, identifier?: string) => {
  if (identifier !== undefined) { for (const e of items) out.push(`${identifier.toUpperCase()}\t${scalar(e)}\n`) }
  else out.push(`${items.map(scalar).join("\t")}\n`)
}

const formatDict = (
  item: Record<string, unknown>,
  out: Array<string>,
  identifier?: string,
  scalarKeys?: ReadonlyArray<string>
) => {
  const scalars: Array<string> = []
  const nested: Array<[string, unknown]> = []
  if (scalarKeys === undefined) {
    for (const key of Object.keys(item).sort()) {
      if (isComplex(item[key])) nested.push([key, item[key]])
      else scalars.push(scalar(item[key]))
    }
  } else {
    for (const key of scalarKeys) scalars.push(key in item ? scalar(item[key]) : "")
    for (const key of Object.keys(item).filter((k) => !scalarKeys.includes(k)).sort()) nested.push([key, item[key]])
  }
  if (scalars.length > 0) {
    if (identifier !== undefined) scalars.unshift(identifier.toUpperCase())
    out.push(`${scalars.join("\t")}\n`)
  }
  for (const [key, value] of nested) formatText(value, out, key)
}

/** The text format. */
export const text = (value: unknown): string => {
  const out: Array<string> = []
  formatText(value, out)
  return out.join("")
}

// A boxed table: a title, then for each structure its scalar members as a header row and a value row,
// nested structures and lists as titled sub-tables.
const tableSection = (title: string, value: unknown, lines: Array<string>, width: number) => {
  const center = (s: string) => {
    const room = width - 2 - s.length
    const left = Math.max(0, Math.floor(room / 2))
    return `|${" ".repeat(left)}${s}${" ".repeat(Math.max(0, room - left))}|`
  }
  lines.push(`+${"-".repeat(width - 2)}+`, center(title), `+${"-".repeat(width - 2)}+`)
  const rows = Array.isArray(value) ? value : [value]
  for (const [i, row] of rows.entries()) {
    // After an item that ended in a sub-table, the next item's rows would read as part of that
    // sub-table: each such item gets the list's title again.
    const previous = rows[i - 1]
    if (i > 0 && isComplex(row) && isComplex(previous) && Object.values(previous as object).some(isComplex)) {
      lines.push(`+${"-".repeat(width - 2)}+`, center(title), `+${"-".repeat(width - 2)}+`)
    }
    if (!isComplex(row)) {
      lines.push(`| ${scalar(row).padEnd(width - 4)} |`)
      continue
    }
    const entries = Object.entries(row as object)
    const scalars = entries.filter(([, v]) => !isComplex(v))
    const keyWidth = Math.max(0, ...scalars.map(([k]) => k.length))
    for (const [k, v] of scalars) {
      lines.push(`| ${k.padEnd(keyWidth)} | ${scalar(v).padEnd(Math.max(0, width - keyWidth - 7))} |`)
    }
    for (const [k, v] of entries.filter(([, v]) => isComplex(v))) tableSection(k, v, lines, width)
  }
}

const widest = (value: unknown, depth = 0): number => {
  if (!isComplex(value)) return scalar(value).length
  let max = 0
  for (const [k, v] of Object.entries(value as object)) {
    max = Math.max(max, k.length + (isComplex(v) ? widest(v, depth + 1) : scalar(v).length + 3))
  }
  return max
}

/** The table format, titled with the operation's name. */
export const table = (operation: string, value: unknown): string => {
  const width = Math.min(200, Math.max(operation.length, widest(value)) + 8)
  const lines: Array<string> = []
  tableSection(operation, value, lines, width)
  lines.push(`+${"-".repeat(width - 2)}+`)
  return `${lines.join("\n")}\n`
}

/** Renders a response in a format. */
export const render = (format: Format, operation: string, response: unknown): string => {
  const plain = toPlain(response)
  switch (format) {
    case "json":
      return `${JSON.stringify(plain, null, 4)}\n`
    case "text":
      return text(plain)
    case "table":
      return table(operation, plain)
  }
}
