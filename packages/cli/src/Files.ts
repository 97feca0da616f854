/**
 * The files a command names (`file://` parameters, scenarios), read through `@effect/platform`'s
 * `FileSystem`: the bin reads the disk, an in-process run reads whatever file system it is given.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"

/**
 * A file's text: its bytes as UTF-8, a byte order mark kept (as node's `readFileSync(path, "utf8")` and the
 * AWS CLI keep it); failing with what went wrong in the operating system's words
 * (`ENOENT: no such file or directory, open 'x'`).
 */
export const readText = (path: string): Effect.Effect<string, string, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFile(path)).pipe(
    Effect.map((bytes) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes)),
    Effect.mapError((error) => error.description ?? error.message)
  )
