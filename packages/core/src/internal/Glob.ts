/**
 * `*`-only glob matching, shared by the wildcards of event patterns and of lifecycle policies.
 *
 * @since 0.1.0
 * @internal
 */

/**
 * Whether `s` matches the glob whose literal parts, between its `*`, are `segments`: the first part a prefix,
 * the last a suffix, the others found in order between them (linear, no backtracking). One segment is an
 * exact match.
 */
export const matchesSegments = (segments: ReadonlyArray<string>, s: string): boolean => {
  const first = segments[0]!
  if (segments.length === 1) return s === first
  const last = segments[segments.length - 1]!
  const end = s.length - last.length
  if (end < first.length || !s.startsWith(first) || !s.endsWith(last)) return false
  let at = first.length
  for (const segment of segments.slice(1, -1)) {
    const found = s.indexOf(segment, at)
    if (found < 0 || found + segment.length > end) return false
    at = found + segment.length
  }
  return true
}
