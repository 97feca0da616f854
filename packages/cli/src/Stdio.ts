/**
 * The CLI's stdout and stderr, through Effect's `Console`: a command prints through the console in its
 * context, so that it runs the same in the bin (a console over the process's streams) and in-process with
 * its output captured (InProcess.ts); and it prints byte for byte, since its output is compared with the
 * AWS CLI's.
 *
 * `Console.log` and `Console.error` end each write with a newline. Most of what the AWS CLI prints ends
 * with one, but not all: a live progress line on a terminal, colorama's resets after a table's last line.
 * So a console made here (`make`) also writes text as it is, and says whether each stream is a terminal.
 * On any other console, text goes out through `log` and `error` as to a pipe (a last line without its
 * newline gets one).
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Console as NodeConsole } from "node:console"
import * as Table from "./Table.js"

/** One stream: where its text goes, and the terminal it is (`tty: false` for a pipe or a file). */
export interface Stream {
  /** Writes the text as it is. */
  readonly write: (text: string) => void
  readonly terminal: Table.Terminal
}

const StreamsId: unique symbol = Symbol.for("@ecr-scan/cli/Stdio/Streams")

/** A console made by `make`: one that can write text as it is. */
export interface StdioConsole extends Console.Console {
  readonly [StreamsId]: { readonly stdout: Stream; readonly stderr: Stream }
}

const isStdioConsole = (console: Console.Console): console is StdioConsole => StreamsId in console

// What node's console needs of a stream (it writes strings and, with `ignoreErrors: false`, nothing else).
const writable = (stream: Stream) =>
  ({
    write: (text: string) => {
      stream.write(text)
      return true
    }
  }) as unknown as NodeJS.WritableStream

/** A console over two streams: `log`, `error` and the rest as node's console prints them, onto the streams. */
export const make = (streams: { readonly stdout: Stream; readonly stderr: Stream }): StdioConsole => {
  const unsafe = new NodeConsole({
    stdout: writable(streams.stdout),
    stderr: writable(streams.stderr),
    ignoreErrors: false,
    colorMode: false
  })
  return {
    [Console.TypeId]: Console.TypeId,
    [StreamsId]: streams,
    assert: (condition, ...args) => Effect.sync(() => unsafe.assert(condition, ...args)),
    clear: Effect.sync(() => unsafe.clear()),
    count: (label) => Effect.sync(() => unsafe.count(label)),
    countReset: (label) => Effect.sync(() => unsafe.countReset(label)),
    debug: (...args) => Effect.sync(() => unsafe.debug(...args)),
    dir: (item, options) => Effect.sync(() => unsafe.dir(item, options)),
    dirxml: (...args) => Effect.sync(() => unsafe.dirxml(...args)),
    error: (...args) => Effect.sync(() => unsafe.error(...args)),
    group: (options) =>
      Effect.sync(() => options?.collapsed ? unsafe.groupCollapsed(options.label) : unsafe.group(options?.label)),
    groupEnd: Effect.sync(() => unsafe.groupEnd()),
    info: (...args) => Effect.sync(() => unsafe.info(...args)),
    log: (...args) => Effect.sync(() => unsafe.log(...args)),
    table: (tabularData, properties) => Effect.sync(() => unsafe.table(tabularData, properties)),
    time: (label) => Effect.sync(() => unsafe.time(label)),
    timeEnd: (label) => Effect.sync(() => unsafe.timeEnd(label)),
    timeLog: (label, ...args) => Effect.sync(() => unsafe.timeLog(label, ...args)),
    trace: (...args) => Effect.sync(() => unsafe.trace(...args)),
    warn: (...args) => Effect.sync(() => unsafe.warn(...args)),
    unsafe
  }
}

/**
 * The console of the process's stdout and stderr. A stream is a terminal as the AWS CLI sees it: its width
 * as node reads it for `columns` (`TIOCGWINSZ`, not `COLUMNS`); off a terminal, 80 columns.
 */
export const processConsole = (): StdioConsole => {
  const stream = (out: NodeJS.WriteStream): Stream => {
    const tty = out.isTTY === true
    return {
      write: (text) => void out.write(text),
      terminal: tty ? { tty, width: out.columns ?? 80 } : Table.notATerminal
    }
  }
  return make({ stdout: stream(process.stdout), stderr: stream(process.stderr) })
}

const print = (which: "stdout" | "stderr", text: string): Effect.Effect<void> =>
  Console.consoleWith((console) => {
    if (isStdioConsole(console)) return Effect.sync(() => console[StreamsId][which].write(text))
    if (text === "") return Effect.void
    const line = text.endsWith("\n") ? text.slice(0, -1) : text
    return which === "stdout" ? console.log(line) : console.error(line)
  })

/** Prints text on stdout as it is. */
export const out = (text: string): Effect.Effect<void> => print("stdout", text)

/** Prints text on stderr as it is. */
export const err = (text: string): Effect.Effect<void> => print("stderr", text)

const terminalOf = (which: "stdout" | "stderr"): Effect.Effect<Table.Terminal> =>
  Console.consoleWith((console) =>
    Effect.succeed(isStdioConsole(console) ? console[StreamsId][which].terminal : Table.notATerminal)
  )

/** Whether stdout is a terminal, and how wide. */
export const stdoutTerminal: Effect.Effect<Table.Terminal> = terminalOf("stdout")

/** Whether stderr is a terminal, and how wide. */
export const stderrTerminal: Effect.Effect<Table.Terminal> = terminalOf("stderr")
