/**
 * A reader of a `text/event-stream` body (the WHATWG HTML "server-sent events" format), fed the body's
 * text as it arrives in chunks of any size: `id:`, `event:` and `data:` fields, a blank line ending each
 * message, `:` comments (keep-alives), and `\n`, `\r\n` or `\r` line ends, a `\r\n` split across two chunks
 * included. Pure and synchronous; bounded: a message longer than `MAX_LINE` characters is an error, not memory
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

/** A reader of one connection's body. */
export interface Reader {
  /** Reads a chunk of the body's text: the messages it ends; `undefined` once a message outgrows `MAX_LINE`. */
  readonly feed: (chunk: string) => ReadonlyArray<Message> | undefined
}

/** The longest message a reader accepts (16 MiB of text). */
export const MAX_LINE = 16 * 1024 * 1024

/** A reader; `lastEventId` is the id a reconnection starts from (what `Last-Event-ID` said). */
export const make = (options: { readonly lastEventId?: string | undefined } = {}): Reader => {
  let pending = ""
  // A chunk that ended in "\r": a "\n" at the start of the next one belongs to the same line end.
  let afterCr = false
  let lastEventId = options.lastEventId
  let event = ""
  let data: Array<string> = []
  let dataSize = 0

  const line = (text: string, out: Array<Message>): void => {
    if (text === "") {
      if (data.length > 0) out.push({ id: lastEventId, event: event === "" ? "message" : event, data: data.join("\n") })
      event = ""
      data = []
      dataSize = 0
      return
    }
    // A comment (a keep-alive).
    if (text.startsWith(":")) return
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
  }

  return {
    feed: (chunk) => {
      const messages: Array<Message> = []
      let text = chunk
      if (afterCr && text.startsWith("\n")) text = text.slice(1)
      afterCr = false
      let start = 0
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i)
        if (c !== 10 && c !== 13) continue
        line(pending + text.slice(start, i), messages)
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
      return pending.length + dataSize > MAX_LINE ? undefined : messages
    }
  }
}
