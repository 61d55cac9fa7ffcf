import type { Tally } from './summary'
import { colors, fmt } from './ui'

export interface ProgressOptions {
  tally: Tally
  /** Subjects expected, when known (lines counted up front). */
  total?: number
  /** Draw a bar (a terminal) or print a plain line every `intervalMs` (logs, pipes, CI). Default: stderr is a TTY and CI is not set. */
  tty?: boolean
  stream?: NodeJS.WriteStream
  intervalMs?: number
}

export interface Progress {
  /** Runs `fn` (which prints) with the bar cleared; the bar comes back on the next tick. */
  print(fn: () => void): void
  /** Last update and stop; the bar line is replaced by a final plain line. */
  stop(): void
}

const BAR = 28
const isCI = () => Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0'

export function startProgress(options: ProgressOptions): Progress {
  const { tally, total } = options
  const stream = options.stream ?? process.stderr
  // CI logs keep every byte: a bar redrawn in place would fill them with frames.
  const tty = options.tty ?? (Boolean(stream.isTTY) && !isCI())
  const started = performance.now()
  // The rate and eta count only this run's subjects (a tally may start with some, as the demo's does).
  const initial = tally.subjects
  let drawn = false
  let last = ''

  const line = (final: boolean) => {
    const done = tally.subjects
    const seconds = (performance.now() - started) / 1000
    const rate = seconds > 0 ? Math.round((done - initial) / seconds) : 0
    const failed = tally.failedSubjects
    const parts = [`${fmt(done)}${total ? `/${fmt(total)}` : ''} subjects`, `${fmt(rate)}/s`]
    if (failed) parts.push(colors.red(`${fmt(failed)} failed`))
    if (final) parts.push(`${seconds.toFixed(1)} s`)
    else if (total && rate > 0 && done < total) parts.push(`eta ${Math.max(1, Math.round((total - done) / rate))} s`)
    const ratio = total ? Math.min(1, done / total) : undefined
    const percent = ratio === undefined ? '' : `${String(Math.floor(ratio * 100)).padStart(3)}%`
    if (!tty) return `progress: ${parts.join(', ')}${percent ? ` (${percent.trim()})` : ''}`
    const filled = ratio === undefined ? 0 : Math.round(ratio * BAR)
    const bar = ratio === undefined ? '' : `${colors.green('█'.repeat(filled))}${colors.dim('░'.repeat(BAR - filled))} ${percent}  `
    return `${bar}${parts.join(colors.dim(' · '))}`
  }

  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K')
    drawn = false
  }
  const tick = () => {
    const text = line(false)
    if (tty) {
      stream.write(`\r\x1b[2K${text}`)
      drawn = true
    } else if (text !== last) {
      stream.write(`${text}\n`)
      last = text
    }
  }
  const timer = setInterval(tick, options.intervalMs ?? (tty ? 100 : 1000))
  if (tty) tick()

  return {
    print(fn) {
      clear()
      fn()
    },
    stop() {
      clearInterval(timer)
      clear()
      stream.write(`${line(true)}\n`)
    },
  }
}
