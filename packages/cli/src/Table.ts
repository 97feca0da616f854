/**
 * The AWS CLI's `--output table`, ported line for line from awscli/formatter.py (`TableFormatter`) and
 * awscli/table.py (`MultiTable`, `Section`, `center_text`, `align_left`, `get_text_length`) of AWS CLI v1, so
 * that a response prints byte for byte as `aws ... --output table` prints it.
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
 * one more at exit: ported too, write for write.
 *
 * @since 0.1.0
 */

/** Where a table is printed: whether stdout is a terminal, and the terminal's width in columns. */
export interface Terminal {
  readonly tty: boolean
  readonly width: number
}

/**
 * The process's stdout as the AWS CLI sees it: on a terminal, its width (`TIOCGWINSZ`, as node reads it
 * for `columns`); otherwise 80, `determine_terminal_width`'s default.
 */
export const stdoutTerminal = (): Terminal => {
  const tty = process.stdout.isTTY === true
  return { tty, width: tty ? process.stdout.columns ?? 80 : 80 }
}

// --- get_text_length: East Asian Wide, Fullwidth and Ambiguous characters count two columns -------------

// The code points whose `unicodedata.east_asian_width` is W, F or A in the Python the AWS CLI runs on
// (3.11: Unicode 14.0.0), as base-36 pairs: the gap since the previous range's end, the range's length.
const EAST_ASIAN_WIDE =
  "4h 1 2 1 2 2 1 1 2 2 1 5 1 5 1 4 6 1 9 1 6 2 5 4 4 1 1 3 1 2 2 1 1 2 3 4 1 1 1 1 2 1 f 1 1 1 7 1 " +
  "a 2 3 1 5 3 4 1 6 4 1 1 3 4 1 1 4 2 i 2 3 1 2q 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 38 1 f 1 2q 1 2 1 1 " +
  "3 1 1 2 1 7 4 1 1 1 1 w 34 8 2 6 4 7 1 1 1 3 p 7 h 1 7 1j 1 e 1s 1 1 66 1 12 2 1e 2 3 1 1j 8 r 4 " +
  "6 b 7i 1 1o 2 2t e 1n 2 1d 2 f 1 s 2 1 1 b 5 v 1 2 6 6k 1 8 2 2 2 m 1 7 1 1 3 4 2 9 2 2 2 4 8 1 " +
  "4 2 1 5 2 p 2 3 1 6 4 2 2 m 1 7 1 2 1 2 1 2 2 1 1 5 4 2 2 3 3 1 7 4 1 1 7 h a 3 1 9 1 3 1 m 1 7 " +
  "1 2 1 5 2 a 1 3 1 3 2 1 f 4 2 c 7 7 1 3 1 8 2 2 2 m 1 7 1 2 1 5 2 9 2 2 2 3 7 3 4 2 1 5 2 i a 2 " +
  "1 6 3 3 1 4 3 2 1 1 1 2 3 2 3 3 3 c 4 5 3 3 1 4 2 1 6 1 e l 5 d 1 3 1 n 1 g 2 9 1 3 1 4 7 2 1 3 " +
  "2 1 2 4 2 a 7 m 1 3 1 n 1 a 1 5 2 9 1 3 1 4 7 2 6 2 1 4 2 a 1 2 d d 1 3 1 1f 1 3 1 6 4 g 2 q 1 3 " +
  "1 i 3 o 1 9 1 1 2 7 3 1 4 6 1 1 1 8 6 a 2 3 c 1m 4 t 11 2 1 1 1 5 1 o 1 1 1 n 2 5 1 1 1 6 2 a 2 " +
  "4 w 20 1 10 4 13 1 10 1 f 1 d 11 5i 1 1 5 1 2 1c 2o 6h 1 4 2 7 1 1 1 4 2 15 1 4 2 x 1 4 2 7 1 1 " +
  "1 4 2 f 1 1l 1 4 2 1v 2 w 3 q 6 2e 2 6 2 il 3 2h 7 m 9 o 9 k c d 1 3 1 2 c 2m 2 a 6 a 6 q 6 2h 7 " +
  "17 5 1y a v 1 c 4 c 4 1 3 16 2 5 b 18 4 q 6 b 3 1q 2 1t 1 t 2 b 6 a 6 e 2 v 1d 25 3 1b 1 38 8 1o " +
  "3 f 3 1o 7 17 2 b 8 17 5 eu 2 6 2 12 2 6 2 8 1 1 1 1 1 1 1 v 2 1h 1 f 1 e 2 6 1 j 2 3 1 9 1 g 1 " +
  "2 4 1 2 2 2 2 3 1 4 8 1 1 2 1 1 5 1 2 1 12 1 c 3 a 1 1 4 a 1 d 3 c 1 k f x f 3 1 1 1 3 1 9 1 2 1 " +
  "a 2 3 1 4 1 13 2 6 4 1 c 4 a f 1 2 e u 2 o 1 1 1 i 1 o 1 1 2 3 2 2 1 3 1 1 1 3 1 4 1 2 4 2 1 1 1 " +
  "1 6 1 1 5 4 4 2 a 1 3 1 5 1 d 2 2 4 2 2 2 2 i 2 2 2 d 1 3 1 b 1 p 1 2a 1 7 2 d 2 5a 4 3 1 2 1 1f " +
  "p b 4f 1 2p 4 10 c g 2 4 a 2 1 7 8 2 2 2 4 2 2 2 4 3 2 1 2 4 g 4 9 1 d 2 6 2 2 1 4 2 4 2 6 1 1 1 " +
  "x 1 1 1 5 c c 2 1 3 1 4 1 2 1 1 f 1 j 1 a 2 1 1 8 2 h 3 4 u 1 1 4 o 5 1 4 2 s 1 k 1 e 1 1 1 4 3 " +
  "1 1 u a l 3 o 1 e 1 nv 2 1f 1 4 5 q 2 w 1 9p 5 19 1 1 5 1 2 1k 7 2 e o 9 7 1 7 1 7 1 7 1 7 1 7 1 " +
  "7 1 7 1 3i dd 1 5ts 1s h5c 9o k 54 8 5n 5 2 1 1 1 5 o 1n 3 a 6 1k 8 1y 8 c 6 38 b 1 w 26 1 b 4 x " +
  "1 1j 9 e 2 a 2 2v o s a 6 2 6 2 6 9 7 1 7 1 1o 4 3i 2 a 8mu n 4 1d 4 1kw 5c0 7 c 5 5 q 1 5 1 1 1 " +
  "2 1 2 1 3h g cd 2 1i 7 1 w g w g 1s 5 1 3r 2 1 2p 2m 3 6 2 6 2 6 2 3 b 7 a 4 3 c 1 q 1 j 1 2 1 f " +
  "2 e y 3f 5 3 4 19 3 2g 1 d 3 1 1b 1a 3m t 3 1d f s 4 10 9 u 5 17 5 u 1 11 4 e 16 4e 2 a 6 10 4 " +
  "10 4 14 8 1g b c 1 f 1 7 1 2 1 b 1 f 1 7 1 2 1v 8n 9 m a 8 o 6 1 16 1 9 1x 6 2 1 1 18 1 2 3 1 2 " +
  "n 1 20 8 9 1c j 1 2 5 x 3 r 5 1 1s 1k 4 k 2 1e 1 2 5 8 1 3 1 t 2 3 4 a 7 9 7 1s w 13 4 c 9 1i 3 " +
  "t 2 r 5 q 7 4 c 7 28 21 1j 1f d 1f 7 1a 8 a 86 v 1 16 1 3 2 2 26 14 8 16 m q 12 s k n 9 26 4 10 " +
  "9 1w a 1 2 p 7 a 6 1h 1 i 8 13 9 2o 1 k b i 1 18 1t 7 1 1 1 4 1 f 1 b 6 1n 5 a 6 4 1 8 2 2 2 m 1 " +
  "7 1 2 1 5 1 a 2 2 2 3 2 1 6 1 5 7 2 7 3 5 3v 2k 1 5 u 20 8 a 4m 1i 2 12 y 1x b a 6 d j 1m 6 a 1i " +
  "r 2 f 4 n 55 1o 2s 2b c 8 2 1 2 8 1 2 1 u 1 2 2 c 9 a 1y 8 2 1a 2 b r 20 8 2b d 21 7b 9 1 19 1 e " +
  "a t 3 w 2 m 1 e 21 7 1 2 1 18 3 1 1 2 1 9 8 a 6 6 1 2 1 11 1 2 1 6 7 a 8m p 53 1 f 1e d pn 2u 33 " +
  "1 5 b 5g 218 2r d tr 1 9 347 g7 6nt ft 7 v 1 a 4 29 1 a 6 u 2 6 a 1y a a 1 7 1 l 5 j j4 2j 2t 23 " +
  "4 1l 7 h f34 2z 5 d 3 9 7 a 2 8 3mk 1a 2 n 9 38 1o 6u a 13 2 5e l 1y 4a k c 2f 9 p 3r 2d 1 1z 1 " +
  "2 2 1 2 2 2 4 1 c 1 1 1 7 1 1t 1 4 2 8 1 7 1 s 1 4 1 5 1 1 3 7 1 9g 2 84 2 ji f 5 1 f uo v 69 7 " +
  "1 h 2 7 1 2 1 5 5x 19 3 e 2 a 4 2 8w v h 1m 5 1 yo 7 1 4 1 2 1 f 1 5h 2 g 15 24 4 a 4 2 lt 1w 24 " +
  "1p 5e 4 1 r 1 2 1 1 2 1 1 a 1 4 1 1 1 1 6 1 4 1 1 1 1 1 1 3 1 2 1 1 2 1 1 1 1 1 1 1 1 1 1 2 1 1 " +
  "2 4 1 7 1 4 1 4 1 1 1 a 1 h 5 3 1 5 1 h 1g 2 7i 4 1 13 4 2s c f 2 f 1 e 2 11 l 5 u 2 1m 6 1p 1 " +
  "1k q 81 c 9 1 1y 1 m c 17 4 5 c h 3 1 3 1z 1 1 1 57 2 1r d 4 1 o i 1 q 2 d 1 2e 2d 1c 1y 6 1 3 3 " +
  "2 b b 5 4 c 38 c 2h 13 c 4 1k 8 a 6 14 8 u 2 2 26 c 1b 1 a 1 55 2c c e 42 43 1 1j 11 a gvlz 1 u " +
  "2o 47ls"

const [wideStarts, wideEnds] = (() => {
  const starts: Array<number> = []
  const ends: Array<number> = []
  const numbers = EAST_ASIAN_WIDE.split(" ").map((n) => parseInt(n, 36))
  let previousEnd = -1
  for (let i = 0; i < numbers.length; i += 2) {
    const start = previousEnd + 1 + numbers[i]
    previousEnd = start + numbers[i + 1] - 1
    starts.push(start)
    ends.push(previousEnd)
  }
  return [starts, ends]
})()

const isWide = (codePoint: number): boolean => {
  if (codePoint < 0xa1) return false
  let low = 0
  let high = wideStarts.length - 1
  while (low <= high) {
    const mid = (low + high) >> 1
    if (codePoint < wideStarts[mid]) high = mid - 1
    else if (codePoint > wideEnds[mid]) low = mid + 1
    else return true
  }
  return false
}

/** `get_text_length`: the columns a text takes, two for each wide, fullwidth or ambiguous character. */
export const textLength = (text: string): number => {
  let length = 0
  for (const char of text) length += isWide(char.codePointAt(0)!) ? 2 : 1
  return length
}

// --- Python's semantics where they differ from JavaScript's ------------------------------------------

/** `' ' * n`: empty for a negative count. */
const times = (text: string, n: number) => (n > 0 ? text.repeat(n) : "")

/** `a // b`: floor division. */
const floorDiv = (a: number, b: number) => Math.floor(a / b)

/** `round(x)` of a float: half to even. */
const pythonRound = (x: number) => {
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
const str = (value: unknown, nested = false): string => {
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
const falsy = (value: unknown): boolean => {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return true
  if (Array.isArray(value)) return value.length === 0
  if (typeof value === "object") return Object.keys(value).length === 0
  return false
}

/** Python's ordering of strings: by code point (JavaScript's `<` compares UTF-16 code units). */
const byCodePoint = (a: string, b: string): number => {
  const x = Array.from(a, (c) => c.codePointAt(0)!)
  const y = Array.from(b, (c) => c.codePointAt(0)!)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i]
  return x.length - y.length
}

type Dict = Record<string, unknown>

const isDict = (value: unknown): value is Dict => typeof value === "object" && value !== null && !Array.isArray(value)

const has = (dict: Dict, key: string) => Object.prototype.hasOwnProperty.call(dict, key)

/** `_scalar_type`: neither a list nor a dict. */
const isScalar = (value: unknown): boolean => !Array.isArray(value) && !isDict(value)

// --- table.py ------------------------------------------------------------------------------------------

class Section {
  /** `None` for the sections of a list nested directly in a list (shown untitled, measured as "None"). */
  title: string | null = ""
  headers: Array<string> = []
  rows: Array<Array<string>> = []
  indentLevel = 0
  private numCols: number | undefined = undefined
  private maxWidths: Array<number> = []

  /** `calculate_column_widths`: each column's widest cell plus `padding`, scaled to sum to `maxWidth`. */
  columnWidths(padding = 0, maxWidth?: number): Array<number> {
    const unscaled = this.maxWidths.map((w) => w + padding)
    if (maxWidth === undefined || unscaled.length === 0) return unscaled
    const scaleFactor = maxWidth / unscaled.reduce((a, b) => a + b, 0)
    const scaled = unscaled.map((w) => pythonRound(scaleFactor * w))
    let offBy = scaled.reduce((a, b) => a + b, 0) - maxWidth
    while (offBy !== 0) {
      const order = scaled.map((_, i) => i)
      if (offBy < 0) order.reverse()
      for (const i of order) {
        if (offBy > 0) {
          scaled[i] -= 1
          offBy -= 1
        } else {
          scaled[i] += 1
          offBy += 1
        }
        if (offBy === 0) break
      }
    }
    return scaled
  }

  /** `total_width(padding=4, with_border=True, outer_padding=indent_level)`. */
  totalWidth(padding: number, outerPadding: number): number {
    let total = 0
    for (const w of this.columnWidths()) total += w + padding
    total += 2 + outerPadding + outerPadding
    return Math.max(textLength(this.title ?? "None") + 2 + outerPadding + outerPadding, total)
  }

  addHeader(headers: Array<string>) {
    this.updateMaxWidths(headers)
    if (this.numCols === undefined) this.numCols = headers.length
    this.headers = headers
  }

  addRow(row: ReadonlyArray<unknown>) {
    if (this.numCols === undefined) this.numCols = row.length
    if (row.length !== this.numCols) {
      // The AWS CLI stops here with this ValueError (a list of lists of different lengths).
      throw new Error(`Row should have ${this.numCols} elements, instead it has ${row.length}`)
    }
    const formatted = row.map((cell) => str(cell))
    this.rows.push(formatted)
    this.updateMaxWidths(formatted)
  }

  private updateMaxWidths(row: ReadonlyArray<string>) {
    if (this.maxWidths.length === 0) {
      this.maxWidths = row.map(textLength)
    } else {
      row.forEach((el, i) => {
        this.maxWidths[i] = Math.max(textLength(el), this.maxWidths[i] ?? 0)
      })
    }
  }
}

/** `Styler` (off a terminal) and `ColorizedStyler` (on one): colorama's codes around values and bars. */
interface Styler {
  readonly rowElement: (text: string) => string
  readonly indentationChar: (text: string) => string
}

const RESET_ALL = "\x1b[0m"

const plainStyler: Styler = { rowElement: (text) => text, indentationChar: (text) => text }

const colorizedStyler: Styler = {
  // Style.BRIGHT + Fore.BLUE
  rowElement: (text) => `\x1b[1m\x1b[34m${text}${RESET_ALL}`,
  // Style.DIM + Fore.YELLOW
  indentationChar: (text) => `\x1b[2m\x1b[33m${text}${RESET_ALL}`
}

/** A stream; with colorama's `autoreset` (on a terminal), each write is followed by a reset. */
interface Stream {
  readonly write: (text: string) => void
}

/** `IndentedStream`: `indentLevel` bars on each side of each line. */
const indented = (stream: Stream, indentLevel: number, left: string, right: string): Stream => ({
  write: (text) => {
    stream.write(times(left, indentLevel))
    if (text.endsWith("\n")) {
      stream.write(text.slice(0, -1))
      stream.write(times(right, indentLevel))
      stream.write("\n")
    } else {
      stream.write(text)
    }
  }
})

/** `center_text`. */
const centerText = (text: string, length: number, leftEdge: string, rightEdge: string, textLen = textLength(text)) => {
  const charStart = floorDiv(length, 2) - floorDiv(textLen, 2) - 1
  const lengthSoFar = textLength(leftEdge) + charStart + textLen
  const rightSideSpaces = length - textLength(rightEdge) - lengthSoFar
  return `${leftEdge}${times(" ", charStart)}${text}${times(" ", rightSideSpaces)}${rightEdge}`
}

/** `align_left`, with its default `left_padding=2`. */
const alignLeft = (text: string, length: number, leftEdge: string, rightEdge: string, textLen: number) => {
  const computedLength = textLen + 2 + textLength(leftEdge) + textLength(rightEdge)
  const padding = length - computedLength >= 0 ? 2 : 0
  const lengthSoFar = leftEdge.length + padding + textLen
  return `${leftEdge}${times(" ", padding)}${text}${times(" ", length - lengthSoFar - rightEdge.length)}${rightEdge}`
}

/** `convert_to_vertical_table`: each one-row section with headers becomes header/value rows. */
const convertToVerticalTable = (sections: Array<Section>) => {
  sections.forEach((section, i) => {
    if (section.rows.length === 1 && section.headers.length > 0) {
      const vertical = new Section()
      vertical.title = section.title
      vertical.indentLevel = section.indentLevel
      const row = section.rows[0]
      for (let j = 0; j < Math.min(section.headers.length, row.length); j++) {
        vertical.addRow([section.headers[j], row[j]])
      }
      sections[i] = vertical
    }
  })
}

class MultiTable {
  private current: Section | undefined = undefined
  readonly sections: Array<Section> = []

  constructor(private readonly terminalWidth: number, private readonly styler: Styler) {}

  addRowHeader(headers: Array<string>) {
    this.current!.addHeader(headers)
  }

  addRow(row: ReadonlyArray<unknown>) {
    this.current!.addRow(row)
  }

  newSection(title: string | null, indentLevel = 0) {
    this.current = new Section()
    this.sections.push(this.current)
    this.current.title = title
    this.current.indentLevel = indentLevel
  }

  render(stream: Stream) {
    let maxWidth = this.calculateMaxWidth()
    if (maxWidth > this.terminalWidth) {
      convertToVerticalTable(this.sections)
      maxWidth = this.calculateMaxWidth()
    }
    stream.write(`${"-".repeat(maxWidth)}\n`)
    for (const section of this.sections) this.renderSection(section, maxWidth, stream)
  }

  private calculateMaxWidth() {
    return Math.max(...this.sections.map((s) => s.totalWidth(4, s.indentLevel)))
  }

  private renderSection(section: Section, maxWidth: number, stream: Stream) {
    const bar = this.styler.indentationChar("|")
    const out = indented(stream, section.indentLevel, bar, bar)
    const width = maxWidth - section.indentLevel * 2
    this.renderTitle(section, width, out)
    this.renderColumnTitles(section, width, out)
    this.renderRows(section, width, out)
  }

  private renderTitle(section: Section, maxWidth: number, stream: Stream) {
    if (section.title === null || section.title === "") return
    stream.write(`${centerText(section.title, maxWidth, "|", "|")}\n`)
    if (section.headers.length === 0 && section.rows.length === 0) stream.write(`+${times("-", maxWidth - 2)}+\n`)
  }

  private renderColumnTitles(section: Section, maxWidth: number, stream: Stream) {
    if (section.headers.length === 0) return
    const widths = section.columnWidths(4, maxWidth)
    let current = ""
    widths.forEach((width, i) => {
      if (i >= section.headers.length) return
      current += centerText(section.headers[i], width, i === 0 ? "|" : "", "|")
    })
    this.writeLineBreak(stream, widths)
    stream.write(`${current}\n`)
  }

  private writeLineBreak(stream: Stream, widths: ReadonlyArray<number>) {
    const parts = widths.map((width, i) => (i === 0 ? `+${times("-", width - 2)}+` : `${times("-", width - 1)}+`))
    stream.write(`${parts.join("")}\n`)
  }

  private renderRows(section: Section, maxWidth: number, stream: Stream) {
    if (section.rows.length === 0) return
    const widths = section.columnWidths(4, maxWidth)
    if (widths.length === 0) return
    this.writeLineBreak(stream, widths)
    for (const row of section.rows) {
      let current = ""
      for (let i = 0; i < Math.min(widths.length, row.length); i++) {
        const element = row[i]
        current += alignLeft(this.styler.rowElement(element), widths[i], i === 0 ? "|" : "", "|", textLength(element))
      }
      stream.write(`${current}\n`)
    }
    this.writeLineBreak(stream, widths)
  }
}

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
 * strings), titled with the operation's name (`DescribeImages`), on `terminal`.
 */
export const render = (title: string, response: unknown, terminal: Terminal = stdoutTerminal()): string => {
  const out: Array<string> = []
  const stream: Stream = terminal.tty
    ? { write: (text) => out.push(text, RESET_ALL) }
    : { write: (text) => out.push(text) }
  const table = new MultiTable(terminal.width, terminal.tty ? colorizedStyler : plainStyler)
  if (buildTable(table, title, response)) table.render(stream)
  // colorama's reset at exit, once it has been initialised (on a terminal, whatever was printed).
  if (terminal.tty) out.push(RESET_ALL)
  return out.join("")
}
