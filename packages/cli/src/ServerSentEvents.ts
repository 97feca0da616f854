/**
 * A reader of a `text/event-stream` body (the WHATWG HTML "server-sent events" format), fed the body's
 * text as it arrives in chunks of any size: `id:`, `event:` and `data:` fields, a blank line ending each
 * message, `:` comments (keep-alives), and `\n`, `\r\n` or `\r` line ends, a `\r\n` split across two chunks
 * included. Pure and synchronous; bounded: a message longer than `maxLine` characters is an error, not memory
 * the reader keeps taking.
 *
 * @since 0.1.0
 */

/** One message of the stream. */
export interface Message {
  /** The last id the stream gave (as the spec's "last event ID" buffer: it carries over to later messages). */
  readonly id: string | undefined
  /** The `event:` field; `message` when the message has none. */
  readonly event: string
  /** The `data:` lines, joined with `\n`. */
  readonly data: string
}

/** What one chunk of the body gave. */
export interface Fed {
  readonly messages: ReadonlyArray<Message>
  /** How many comment lines (keep-alives) the chunk held. */
  readonly comments: number
}

/** A reader of one connection's body. */
export interface Reader {
  /** Reads a chunk of the body's text; `undefined` when a message grows longer than the limit. */
  readonly feed: (chunk: string) => Fed | undefined
}

/** The longest message a reader accepts unless told otherwise (16 MiB of text). */
export const MAX_LINE = 16 * 1024 * 1024

/** A reader; `lastEventId` is the id a reconnection starts from (what `Last-Event-ID` said). */
export const make = (
  options: { readonly lastEventId?: string | undefined; readonly maxLine?: number } = {}
): Reader => {
  const maxLine = options.maxLine ?? MAX_LINE
  let pending = ""
  // A chunk that ended in "\r": a "\n" at the start of the next one belongs to the same line end.
  let afterCr = false
  let lastEventId = options.lastEventId
  let event = ""
  let data: Array<string> = []
  let dataSize = 0

  const line = (text: string, out: Array<Message>): number => {
    if (text === "") {
      if (data.length > 0) out.push({ id: lastEventId, event: event === "" ? "message" : event, data: data.join("\n") })
      event = ""
      data = []
      dataSize = 0
      return 0
    }
    if (text.startsWith(":")) return 1
    const colon = text.indexOf(":")
    const field = colon < 0 ? text : text.slice(0, colon)
    let value = colon < 0 ? "" : text.slice(colon + 1)
    if (value.startsWith(" ")) value = value.slice(1)
    if (field === "data") {
      data.push(value)
      dataSize += value.length + 1
    } else if (field === "event") event = value
    else if (field === "id" && !value.includes("\u0000")) lastEventId = value
    // `retry` and unknown fields: ignored (the reconnection's delays are the client's own).
    return 0
  }

  return {
    feed: (chunk) => {
      const messages: Array<Message> = []
      let comments = 0
      let text = chunk
      if (afterCr && text.startsWith("\n")) text = text.slice(1)
      afterCr = false
      let start = 0
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i)
        if (c !== 10 && c !== 13) continue
        comments += line(pending + text.slice(start, i), messages)
        pending = ""
        if (c === 13) {
          if (i + 1 < text.length) {
            if (text.charCodeAt(i + 1) === 10) i++
          } else {
            afterCr = true
          }
        }
        start = i + 1
      }
      pending += text.slice(start)
      if (pending.length + dataSize > maxLine) return undefined
      return { messages, comments }
    }
  }
}
