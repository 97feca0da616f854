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
 * Colours: what goes through the console's `log` and `error` (@effect/cli's help, version and usage errors,
 * which it renders with ANSI styles whatever the stream) loses its colour codes on a stream that takes no
 * colours (`colours`: a pipe or a file, or `NO_COLOR`); text written as it is (`out`, `err`) is the
 * command's own, coloured by the command from its terminal (a table's colorama codes).
 *
 * stdin: the bin's console also says when stdin (a pipe or a socket) ends (`stdinEnded`), for a command that
 * runs until its parent lets go (`events tail`); in-process, stdin never ends.
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Console as NodeConsole } from "node:console"
import { fstatSync } from "node:fs"
import * as Table from "./Table.js"

/**
 * One stream: where its text goes, and the terminal it is (`tty: false` for a pipe or a file) and whether
 * it takes colours (by default when it is a terminal).
 */
export interface Stream {
  /** Writes the text as it is. */
  readonly write: (text: string) => void
  readonly terminal: Table.Terminal
}

/**
 * Watches for the end of stdin: calls `onEnd` (at most once) when the stream that feeds the command ends;
 * returns what stops watching.
 */
export type StdinWatch = (onEnd: () => void) => () => void

/** The streams of a console made by `make`; `stdin` only where a command may watch it end (the bin's). */
export interface Streams {
  readonly stdout: Stream
  readonly stderr: Stream
  readonly stdin?: StdinWatch | undefined
}

const StreamsId: unique symbol = Symbol.for("@ecr-scan/cli/Stdio/Streams")

/** A console made by `make`: one that can write text as it is. */
export interface StdioConsole extends Console.Console {
  readonly [StreamsId]: Streams
}

const isStdioConsole = (console: Console.Console): console is StdioConsole => StreamsId in console

/** The environment variables `colours` reads. */
export type Env = Readonly<Record<string, string | undefined>>

/**
 * Whether a stream takes colours: `FORCE_COLOR` (unless `0` or `false`) says yes and `NO_COLOR` (set, not
 * empty) says no, as node and https://no-color.org have them; otherwise, whether the stream is a terminal.
 */
export const colours = (tty: boolean, env: Env): boolean => {
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== "0" && force !== "false"
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false
  return tty
}

/** `terminal` with whether it takes colours, if it does not say (see `colours`). */
export const withColours = (terminal: Table.Terminal, env: Env): Table.Terminal =>
  terminal.colour === undefined ? { ...terminal, colour: colours(terminal.tty, env) } : terminal

// SGR sequences: colours and styles (bold, underline, ...), all that @effect/printer-ansi writes.
const SGR = /\u001b\[[0-9;]*m/g

/** The text without its colour and style codes. */
export const uncoloured = (text: string): string => text.replace(SGR, "")

// What node's console needs of a stream (it writes strings and, with `ignoreErrors: false`, nothing else);
// colour codes are dropped where the stream takes none.
const writable = (stream: Stream) => {
  const plain = !(stream.terminal.colour ?? stream.terminal.tty)
  return {
    write: (text: string) => {
      stream.write(plain ? uncoloured(text) : text)
      return true
    }
  } as unknown as NodeJS.WritableStream
}

/** A console over two streams: `log`, `error` and the rest as node's console prints them, onto the streams. */
export const make = (streams: Streams): StdioConsole => {
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
 * as node reads it for `columns` (`TIOCGWINSZ`, not `COLUMNS`); off a terminal, 80 columns. Whether it takes
 * colours is `colours` of the process's environment.
 */
export const processConsole = (): StdioConsole => {
  const stream = (out: NodeJS.WriteStream): Stream => {
    const tty = out.isTTY === true
    return {
      write: (text) => void out.write(text),
      terminal: withColours(tty ? { tty, width: out.columns ?? 80 } : Table.notATerminal, process.env)
    }
  }
  return make({ stdout: stream(process.stdout), stderr: stream(process.stderr), stdin: processStdin })
}

/**
 * The end of the process's stdin, where it is a pipe or a socket (a parent process that holds the other end
 * ends a long-running command by closing it). A terminal (Ctrl-C is the way there), a file or /dev/null
 * (over at once) is never watched. Reading starts when a command watches, and stops when it no longer does,
 * so that stdin keeps no process alive.
 */
const processStdin: StdinWatch = (onEnd) => {
  try {
    const stat = fstatSync(0)
    if (!stat.isFIFO() && !stat.isSocket()) return () => {}
  } catch {
    return () => {}
  }
  const stdin = process.stdin
  let done = false
  const end = () => {
    if (done) return
    done = true
    onEnd()
  }
  const discard = () => {}
  stdin.on("data", discard)
  stdin.on("end", end)
  stdin.on("close", end)
  stdin.on("error", end)
  stdin.resume()
  return () => {
    stdin.off("data", discard)
    stdin.off("end", end)
    stdin.off("close", end)
    stdin.off("error", end)
    stdin.pause()
  }
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

/**
 * Succeeds when stdin ends, where the console watches it (the bin's, on a pipe or a socket); never
 * otherwise (in-process, a terminal, a file). Interrupting it stops watching.
 */
export const stdinEnded: Effect.Effect<void> = Console.consoleWith((console) => {
  const watch = isStdioConsole(console) ? console[StreamsId].stdin : undefined
  if (watch === undefined) return Effect.never
  return Effect.async<void>((resume) => {
    let stopped = false
    const stop = watch(() => {
      if (!stopped) resume(Effect.void)
    })
    return Effect.sync(() => {
      stopped = true
      stop()
    })
  })
})

/** Whether stdout is a terminal, how wide, and whether it takes colours. */
export const stdoutTerminal: Effect.Effect<Table.Terminal> = terminalOf("stdout")

/** Whether stderr is a terminal, how wide, and whether it takes colours. */
export const stderrTerminal: Effect.Effect<Table.Terminal> = terminalOf("stderr")
