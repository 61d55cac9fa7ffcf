import { closeSync, createReadStream, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { CONFIRMED, type Journal, type Outcome } from '@erasekit/core'
import { UsageError } from './errors'

/** An append-only JSON-lines file, written synchronously: a line is in the OS before the next outcome settles. */
export class LineFile {
  private fd: number
  lines = 0

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true })
    this.fd = openSync(path, 'a+')
    // A crash mid-write can leave a partial last line: start ours on a fresh one.
    const size = fstatSync(this.fd).size
    if (size > 0) {
      const last = Buffer.alloc(1)
      readSync(this.fd, last, 0, 1, size - 1)
      if (last[0] !== 10) writeSync(this.fd, '\n')
    }
  }

  /** Appends one line (`text` ends with a newline). */
  write(text: string) {
    writeSync(this.fd, text)
    this.lines++
  }

  close() {
    if (this.fd < 0) return
    fsyncSync(this.fd)
    closeSync(this.fd)
    this.fd = -1
  }

  sync() {
    if (this.fd >= 0) fsyncSync(this.fd)
  }
}

const key = (subjectRef: string, provider: string, target?: string) => (target ? `${subjectRef}\u0000${provider}\u0000${target}` : `${subjectRef}\u0000${provider}`)

/** What a journal line holds: enough to skip the work on resume, nothing personal. */
interface JournalLine {
  subjectRef: string
  provider: string
  target?: string
  status: Outcome['status']
  at: string
}

export interface LoadedJournal {
  confirmed: Set<string>
  /** Lines that could not be read (a torn last line after a crash). */
  skipped: number
}

export async function loadJournal(path: string): Promise<LoadedJournal> {
  const confirmed = new Set<string>()
  let skipped = 0
  if (!existsSync(path)) return { confirmed, skipped }
  let number = 0
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    number++
    if (!line.trim()) continue
    let entry: Partial<JournalLine>
    try {
      entry = JSON.parse(line)
    } catch {
      skipped++
      continue
    }
    if (typeof entry?.subjectRef !== 'string' || typeof entry.provider !== 'string' || !CONFIRMED.has(entry.status as Outcome['status'])) {
      throw new UsageError(`${path} line ${number}: not an erasekit journal line`)
    }
    confirmed.add(key(entry.subjectRef, entry.provider, entry.target))
  }
  return { confirmed, skipped }
}

export interface OutcomeSink extends Journal {
  /** Outcomes written to the receipts file. */
  readonly receipts: number
  /** Confirmed outcomes appended to the journal file. */
  readonly journaled: number
  close(): void
  sync(): void
}

/**
 * The engine's journal, and the receipts writer: every settled outcome goes to the receipts
 * file first, then (when confirmed) to the journal, so the journal never holds an outcome the
 * receipts lack, even after a crash.
 */
export function createOutcomeSink(options: { receipts?: LineFile; journal?: LineFile; loaded?: Set<string>; dryRun?: boolean }): OutcomeSink {
  const { receipts, journal, loaded, dryRun } = options
  let journaled = 0
  return {
    record(outcome) {
      receipts?.write(`${JSON.stringify(outcome)}\n`)
      if (journal && !dryRun && CONFIRMED.has(outcome.status)) {
        const line: JournalLine = { subjectRef: outcome.subjectRef, provider: outcome.provider, target: outcome.target, status: outcome.status, at: outcome.at }
        journal.write(`${JSON.stringify(line)}\n`)
        journaled++
      }
    },
    has: (subjectRef, provider, target) => (loaded ? loaded.has(key(subjectRef, provider, target)) : false),
    get receipts() {
      return receipts?.lines ?? 0
    },
    get journaled() {
      return journaled
    },
    sync() {
      receipts?.sync()
      journal?.sync()
    },
    close() {
      receipts?.close()
      journal?.close()
    },
  }
}
