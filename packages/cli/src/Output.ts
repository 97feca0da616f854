/**
 * The AWS CLI's three output formats for a response: `json` (indented by four spaces, timestamps in
 * ISO 8601), `text` (the AWS CLI's tab-separated algorithm) and `table` (the AWS CLI's table algorithm,
 * Table.ts).
 *
 * @since 0.1.0
 */
import * as Table from "./Table.js"

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

/**
 * The table format, titled with the operation's name: what the AWS CLI prints for the same response on the
 * same terminal (see Table.ts), timestamps as in the json and text formats.
 */
export const table = (operation: string, value: unknown, terminal?: Table.Terminal): string =>
  Table.render(operation, value, terminal)

/** Renders a response in a format (a table for `terminal`: by default none, as for a pipe). */
export const render = (format: Format, operation: string, response: unknown, terminal?: Table.Terminal): string => {
  const plain = toPlain(response)
  switch (format) {
    case "json":
      return `${JSON.stringify(plain, null, 4)}\n`
    case "text":
      return text(plain)
    case "table":
      return table(operation, plain, terminal)
  }
}
