/**
 * Durations as people type them on a command line or in a control request: `500ms`, `5s`, `2m`,
 * `1h30m`, `23 hours 59 minutes`, `5 seconds`, a number of milliseconds, and ranges `3s..8s`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

const SHORT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/
const UNIT: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

const single = (text: string): number | undefined => {
  if (/^\d+$/.test(text)) return Number(text)
  const short = SHORT.exec(text)
  if (short !== null) return Number(short[1]) * UNIT[short[2]]
  return Option.match(Duration.decodeUnknown(text), {
    onNone: () => undefined,
    onSome: (d) => Duration.isFinite(d) ? Duration.toMillis(d) : undefined
  })
}

/**
 * Reads `500ms`, `5s`, `2m`, `1h30m`-style sums (`1h 30m`, `23 hours 59 minutes`), `5 seconds`, or a
 * number of milliseconds.
 */
export const parseDuration = (text: string): Either.Either<number, string> => {
  const trimmed = text.trim()
  const whole = single(trimmed)
  if (whole !== undefined) return Either.right(whole)
  // A sum of parts: "1h 30m", "1h30m", "23 hours 59 minutes".
  const parts = trimmed.match(/\d+(?:\.\d+)?\s*[a-zA-Z]+/g)
  if (parts !== null && parts.join("").replace(/\s/g, "") === trimmed.replace(/\s/g, "")) {
    let total = 0
    for (const part of parts) {
      const compact = part.replace(/\s+/g, "")
      const value = single(compact) ?? single(part.replace(/(\d)([a-zA-Z])/, "$1 $2"))
      if (value === undefined) return Either.left(`not a duration: '${text}' (try 5s, 500ms, 2m, 1h30m or "5 seconds")`)
      total += value
    }
    return Either.right(total)
  }
  return Either.left(`not a duration: '${text}' (try 5s, 500ms, 2m, 1h30m or "5 seconds")`)
}

/** Reads `MIN` or `MIN..MAX`. */
export const parseDurationRange = (text: string): Either.Either<{ min: number; max: number }, string> => {
  const [low, high = low] = text.split("..")
  return Either.flatMap(
    parseDuration(low),
    (min) =>
      Either.flatMap(parseDuration(high), (max) =>
        max >= min
          ? Either.right({ min, max })
          : Either.left(`the longest scan is shorter than the shortest: '${text}'`))
  )
}
