/** The progress line's rate and eta: what a run's operator reads to plan the wait. */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import type { Report } from '@erasekit/core'
import { stripAnsi } from 'consola/utils'
import { startProgress } from '../src/progress'
import { Tally } from '../src/summary'

const report = (i: number): Report => ({ subjectRef: `#${i}`, ok: true, durationMs: 1, outcomes: [] })
const capture = () => {
  const lines: string[] = []
  return { lines, stream: { write: (text: string) => (lines.push(text), true), isTTY: false } as unknown as NodeJS.WriteStream }
}

/** A progress display on a captured stream, on fake timers; `tally` may hold reports already. */
function start({ total, tty = false, intervalMs = 1000 }: { total: number; tty?: boolean; intervalMs?: number }, tally = new Tally()) {
  const { lines, stream } = capture()
  return { tally, lines, stream, progress: startProgress({ tally, total, stream, tty, intervalMs }) }
}

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('progress', () => {
  test('a tally that starts with subjects already counted (the demo\'s first): rate and eta count only this run\'s', () => {
    const counted = new Tally()
    counted.add(report(0))
    const { tally, lines, progress } = start({ total: 101 }, counted)
    vi.advanceTimersByTime(1000)
    // Nothing done in this run yet: no rate, no eta (it used to read 1/s and eta 100 s).
    expect(lines.at(-1)).toBe('progress: 1/101 subjects, 0/s (0%)\n')
    for (let i = 1; i <= 50; i++) tally.add(report(i))
    vi.advanceTimersByTime(1000)
    // 50 in 2 s: 25/s, 50 left: eta 2 s.
    expect(lines.at(-1)).toBe('progress: 51/101 subjects, 25/s, eta 2 s (50%)\n')
    progress.stop()
  })

  test('subjects with a failure are counted on the line: a log shows trouble before the summary', () => {
    const { tally, lines, progress } = start({ total: 3 })
    tally.add(report(1))
    tally.add({ ...report(2), ok: false })
    tally.add(report(3))
    vi.advanceTimersByTime(1000)
    // In red where colours are on.
    expect(stripAnsi(lines.at(-1)!)).toBe('progress: 3/3 subjects, 3/s, 1 failed (100%)\n')
    progress.stop()
    expect(stripAnsi(lines.at(-1)!)).toBe('progress: 3/3 subjects, 3/s, 1 failed, 1.0 s (100%)\n')
  })

  test('the rate and elapsed time are on the monotonic clock: a wall clock stepped back an hour mid-run prints no negative time', () => {
    const { tally, lines, progress } = start({ total: 4 })
    for (let i = 1; i <= 2; i++) tally.add(report(i))
    vi.setSystemTime(Date.now() - 3_600_000)
    vi.advanceTimersByTime(1000)
    expect(lines.at(-1)).toBe('progress: 2/4 subjects, 2/s, eta 1 s (50%)\n')
    for (let i = 3; i <= 4; i++) tally.add(report(i))
    progress.stop()
    expect(lines.at(-1)).toBe('progress: 4/4 subjects, 4/s, 1.0 s (100%)\n')
  })

  test('a log gets a line only when it says something new: a run waiting on its first answers does not repeat itself every second', () => {
    const { tally, lines, progress } = start({ total: 10 })
    vi.advanceTimersByTime(5000)
    expect(lines).toEqual(['progress: 0/10 subjects, 0/s (0%)\n'])
    tally.add(report(1))
    vi.advanceTimersByTime(1000)
    expect(lines).toHaveLength(2)
    progress.stop()
  })

  test('on a terminal a warning printed mid-run clears the bar first: it is not glued to the end of the bar', () => {
    const { lines, stream, progress } = start({ total: 10, tty: true, intervalMs: 100 })
    expect(lines.at(-1)).toMatch(/^\r\x1b\[2K.*0\/10 subjects/)
    progress.print(() => stream.write('[warn] adapty: network errors\n'))
    expect(lines.slice(-2)).toEqual(['\r\x1b[2K', '[warn] adapty: network errors\n'])
    progress.stop()
  })
})
