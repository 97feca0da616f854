/**
 * The AWS CLI's `--output table`, ported line for line from awscli/formatter.py (`TableFormatter`) of AWS CLI
 * v1, so that a response prints byte for byte as `aws ... --output table` prints it; the layout is
 * awscli/table.py's (TableLayout.ts).
 *
 * What the algorithm does, in short: a section per structure (the operation's name for the response, then
 * each member's name, one more `|` on each side per level of nesting); keys sorted; a structure's scalar
 * members as a header row and a value row (or, for one scalar member, a key/value row); a list of
 * structures as a header row and a row per item (a new titled section per item when the items have
 * nested members); a list of scalars as one-cell rows. The width is not the terminal's: it is the widest
 * section's natural width, every section's columns scaled to fill it. Only when that is wider than the
 * terminal (80 columns when stdout is not a terminal: the AWS CLI asks the terminal and nothing else, not
 * `COLUMNS`) is every one-row section turned into key/value rows. On a terminal the AWS CLI colours the
 * values and the nesting bars through colorama with `autoreset`, which writes a reset after each write and
 * one more at exit: ported too, write for write (and left out, as every colour, under `NO_COLOR`).
 *
 * @since 0.1.0
 */
import { byCodePoint, falsy } from "./PythonSemantics.js"
import { colorizedStyler, MultiTable, plainStyler, RESET_ALL, type Stream } from "./TableLayout.js"

/**
 * Where a table is printed: whether stdout is a terminal, the terminal's width in columns, and whether it
 * takes colours (by default when it is a terminal; `Stdio.colours` decides it from `NO_COLOR` and
 * `FORCE_COLOR` too).
 */
export interface Terminal {
  readonly tty: boolean
  readonly width: number
  readonly colour?: boolean | undefined
}

/** Not a terminal (a pipe or a file): 80 columns to the AWS CLI, `determine_terminal_width`'s default. */
export const notATerminal: Terminal = { tty: false, width: 80 }

type Dict = Record<string, unknown>

const isDict = (value: unknown): value is Dict => typeof value === "object" && value !== null && !Array.isArray(value)

const has = (dict: Dict, key: string) => Object.prototype.hasOwnProperty.call(dict, key)

/** `_scalar_type`: neither a list nor a dict. */
const isScalar = (value: unknown): boolean => !Array.isArray(value) && !isDict(value)

// --- formatter.py: TableFormatter ----------------------------------------------------------------------

/** `_group_scalar_keys`: a dict's keys with scalar values, and the others, each sorted. */
const groupScalarKeys = (current: Dict): [Array<string>, Array<string>] => {
  const headers: Array<string> = []
  const more: Array<string> = []
  for (const key of Object.keys(current)) (isScalar(current[key]) ? headers : more).push(key)
  return [headers.sort(byCodePoint), more.sort(byCodePoint)]
}

/** `_group_scalar_keys_from_list`: the union over the list's dicts. */
const groupScalarKeysFromList = (list: ReadonlyArray<unknown>): [Array<string>, Array<string>] => {
  const headers = new Set<string>()
  const more = new Set<string>()
  for (const item of list) {
    // The AWS CLI fails on a list that mixes dicts and other values (the services send none): so does this.
    if (!isDict(item)) throw new Error("A list of structures holds something else")
    const [h, m] = groupScalarKeys(item)
    h.forEach((k) => headers.add(k))
    m.forEach((k) => more.add(k))
  }
  return [[...headers].sort(byCodePoint), [...more].sort(byCodePoint)]
}

const buildTable = (table: MultiTable, title: string | undefined, current: unknown, indentLevel = 0): boolean => {
  if (falsy(current)) return false
  if (title !== undefined) table.newSection(title, indentLevel)
  if (Array.isArray(current)) {
    if (isDict(current[0])) {
      buildSubTableFromList(table, current, indentLevel, title)
    } else {
      for (const item of current) {
        if (isScalar(item)) table.addRow([item])
        // Iterating a dict gives its keys.
        else if (isDict(item)) table.addRow(Object.keys(item))
        else if ((item as Array<unknown>).every(isScalar)) table.addRow(item as Array<unknown>)
        else buildTable(table, undefined, item)
      }
    }
  }
  if (isDict(current)) buildSubTableFromDict(table, current, indentLevel)
  return true
}

const buildSubTableFromDict = (table: MultiTable, current: Dict, indentLevel: number) => {
  const [headers, more] = groupScalarKeys(current)
  if (headers.length === 1) {
    table.addRow([headers[0], current[headers[0]]])
  } else if (headers.length > 0) {
    table.addRowHeader(headers)
    table.addRow(headers.map((k) => current[k]))
  }
  for (const remaining of more) buildTable(table, remaining, current[remaining], indentLevel + 1)
}

const buildSubTableFromList = (
  table: MultiTable,
  current: ReadonlyArray<unknown>,
  indentLevel: number,
  title: string | undefined
) => {
  const [headers, more] = groupScalarKeysFromList(current)
  table.addRowHeader(headers)
  let first = true
  for (const item of current) {
    const element = item as Dict
    if (!first && more.length > 0) {
      table.newSection(title ?? null, indentLevel)
      table.addRowHeader(headers)
    }
    first = false
    table.addRow(headers.map((header) => (has(element, header) ? element[header] : "")))
    for (const remaining of more) {
      if (has(element, remaining)) buildTable(table, remaining, element[remaining], indentLevel + 1)
    }
  }
}

/**
 * What `aws <service> <operation> --output table` prints for a response (JSON data: timestamps already
 * strings), titled with the operation's name (`DescribeImages`), on `terminal` (by default none).
 */
export const render = (title: string, response: unknown, terminal: Terminal = notATerminal): string => {
  const out: Array<string> = []
  const colour = terminal.colour ?? terminal.tty
  const stream: Stream = colour
    ? { write: (text) => out.push(text, RESET_ALL) }
    : { write: (text) => out.push(text) }
  const table = new MultiTable(terminal.width, colour ? colorizedStyler : plainStyler)
  if (buildTable(table, title, response)) table.render(stream)
  // colorama's reset at exit, once it has been initialised (on a terminal, whatever was printed).
  if (colour) out.push(RESET_ALL)
  return out.join("")
}
