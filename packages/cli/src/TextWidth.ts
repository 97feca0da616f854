/**
 * `get_text_length` of the AWS CLI's table (awscli/table.py): the columns a text takes on a terminal, two for
 * each East Asian Wide, Fullwidth or Ambiguous character, as Python's `unicodedata` classifies them.
 *
 * @since 0.1.0
 */

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
