/**
 * The two clocks. Pacing, an attempt's timeout budget across redirect hops, durations and progress
 * read the monotonic one: Date.now() is the wall clock, which NTP slews (2 ms in 3 s on a VM here)
 * and steps, and a resumed VM jumps; a step ahead would let requests into a rate-limit window early,
 * a step back would make durations negative. (In Workers both advance together, on I/O only.)
 * Outcome times (`at`) read the wall clock.
 */
export const monotonic = (): number => performance.now()

/** Whole milliseconds since a `monotonic()` reading. */
export const msSince = (start: number): number => Math.round(monotonic() - start)

// The ISO string's date and time to the second is built once a second, not per outcome.
let second = -1
let prefix = ''
/** The wall-clock time as an ISO string, for outcomes. */
export const isoNow = (): string => {
  const ms = Date.now()
  const at = Math.floor(ms / 1000)
  // Outside years 1970-9999 the ISO form is not 24 characters: built whole.
  if (ms < 0 || ms >= 253402300800000) return new Date(ms).toISOString()
  if (at !== second) (second = at), (prefix = new Date(ms).toISOString().slice(0, 20))
  return `${prefix}${String(ms % 1000).padStart(3, '0')}Z`
}
