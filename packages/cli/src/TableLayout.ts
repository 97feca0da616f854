/**
 * The layout of the AWS CLI's `--output table`, ported line for line from awscli/table.py of AWS CLI v1
 * (`MultiTable`, `Section`, `center_text`, `align_left`, `convert_to_vertical_table`): sections of a title,
 * headers and rows; the width of the widest section, every section's columns scaled to fill it; one-row
 * sections turned into key/value rows when that is wider than the terminal; and, on a terminal, colorama's
 * colours around the values and the nesting bars.
 *
 * @since 0.1.0
 */
import { floorDiv, pythonRound, str, times } from "./PythonSemantics.js"
import { textLength } from "./TextWidth.js"

/** A section: a title, headers and rows, indented by its level of nesting. */
export class Section {
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
export interface Styler {
  readonly rowElement: (text: string) => string
  readonly indentationChar: (text: string) => string
}

/** colorama's `Style.RESET_ALL`. */
export const RESET_ALL = "\x1b[0m"

/** Off a terminal: no colours. */
export const plainStyler: Styler = { rowElement: (text) => text, indentationChar: (text) => text }

/** On a terminal: colorama's colours. */
export const colorizedStyler: Styler = {
  // Style.BRIGHT + Fore.BLUE
  rowElement: (text) => `\x1b[1m\x1b[34m${text}${RESET_ALL}`,
  // Style.DIM + Fore.YELLOW
  indentationChar: (text) => `\x1b[2m\x1b[33m${text}${RESET_ALL}`
}

/** A stream; with colorama's `autoreset` (on a terminal), each write is followed by a reset. */
export interface Stream {
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

/** `MultiTable`: the sections of a table, rendered to a stream at one width. */
export class MultiTable {
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
