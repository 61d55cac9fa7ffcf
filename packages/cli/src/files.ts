import { closeSync, createReadStream, existsSync, fstatSync, fsyncSync, ftruncateSync, linkSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { createHash } from 'node:crypto'
import { CONFIRMED, type Journal, type Outcome, type Subject } from '@erasekit/core'
import { UsageError } from './errors'

/** An append-only JSON-lines file, written synchronously: a line is in the OS before the next outcome settles. */
export class LineFile {
  private fd: number
  /** Bytes in the file: where a failed write is cut back to. */
  private size: number
  lines = 0

  /** `option` names the flag in errors (`--receipts`). */
  constructor(
    readonly path: string,
    option: string,
  ) {
    let size = 0
    let regular: boolean
    try {
      mkdirSync(dirname(path), { recursive: true })
      // Receipts and journals hold pseudonymised personal data: readable by their owner only (when made here).
      this.fd = openSync(path, 'a+', 0o600)
      const stat = fstatSync(this.fd)
      ;(size = stat.size), (regular = stat.isFile())
    } catch (error) {
      throw new UsageError(`${option}: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
    }
    // A device or a pipe (/dev/full) cannot hold receipts that must survive the run.
    if (!regular) {
      closeSync(this.fd)
      throw new UsageError(`${option}: cannot write ${path} (not a regular file)`)
    }
    // A crash mid-write can leave a partial last line: start ours on a fresh one.
    if (size > 0) {
      const last = Buffer.alloc(1)
      readSync(this.fd, last, 0, 1, size - 1)
      if (last[0] !== 10) size += writeSync(this.fd, '\n')
    }
    this.size = size
  }

  /**
   * Appends one line (`text` ends with a newline), all of it or an error: a full disk first
   * writes part of a line, which is cut off again (the file stays whole lines), and the journal
   * must never get the line whose receipt was cut.
   */
  write(text: string) {
    const bytes = Buffer.from(text)
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done)
    } catch (error) {
      try {
        ftruncateSync(this.fd, this.size)
      } catch {}
      throw error
    }
    this.size += bytes.length
    this.lines++
  }

  close() {
    if (this.fd < 0) return
    const fd = this.fd
    this.fd = -1
    // Closed even when the sync fails (EIO): the error is still thrown.
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  }

  sync() {
    if (this.fd >= 0) fsyncSync(this.fd)
  }
}

/**
 * Holds `<journal>.lock` while a run appends to the journal: two runs sharing one journal (an
 * overlapping cron job) would each find nothing done and send everything twice. The lock names
 * its run's pid; one whose process is gone (a kill -9) is taken over. Released when the process
 * exits, however it ends.
 */
export function lockJournal(path: string): void {
  const lock = `${path}.lock`
  const mine = `${process.pid}\n`
  const fail = (why: string) => new UsageError(`--journal: ${why}`)
  checkRegular(path)
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (error) {
    throw fail(`cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  const held = (pid: number) => fail(`another run (pid ${pid}) is using ${path}; wait for it to end, or delete ${lock} if no erasekit run is active`)
  let tookOver = false
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      createWhole(lock, mine)
      process.once('exit', () => {
        try {
          if (readFileSync(lock, 'utf8') === mine) unlinkSync(lock)
        } catch {}
      })
      // Two runs that found the same stale lock may each remove it and make their own: the one
      // whose lock survives a moment later goes on, the other stops.
      if (tookOver) {
        sleep(100)
        const owner = Number(readFileSync(lock, 'utf8'))
        if (owner !== process.pid) throw held(owner)
      }
      return
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException
      if (error instanceof UsageError) throw error
      if (code !== 'EEXIST') throw fail(`cannot create ${lock} (${code ?? 'error'})`)
    }
    let text: string
    try {
      text = readFileSync(lock, 'utf8')
    } catch {
      continue // released meanwhile
    }
    const pid = Number(text.trim())
    if (Number.isInteger(pid) && pid > 0 && running(pid)) throw held(pid)
    // Only the stale lock that was read: not one another run has made since.
    try {
      if (readFileSync(lock, 'utf8') === text) unlinkSync(lock)
    } catch {}
    tookOver = true
  }
  throw fail(`cannot take ${lock}; delete it if no erasekit run is active`)
}

/**
 * Creates `file` holding `text`, or fails with EEXIST if it exists: complete from its first moment
 * (a hard link to a file already written), so another run never reads it empty and takes it for
 * a stale lock. Where hard links are not supported, it is created, then written.
 */
function createWhole(file: string, text: string) {
  const temp = `${file}.${process.pid}`
  // Made new (O_EXCL): a file or symlink someone left under that name is removed, never written through.
  rmSync(temp, { force: true })
  writeFileSync(temp, text, { flag: 'wx', mode: 0o600 })
  try {
    linkSync(temp, file)
  } catch (error) {
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes((error as NodeJS.ErrnoException).code!)) throw error
    writeFileSync(file, text, { flag: 'wx' })
  } finally {
    rmSync(temp, { force: true })
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

/** A device (/dev/full, /dev/zero) would be read for ever, and keeps nothing. */
function checkRegular(path: string) {
  if (existsSync(path) && !statSync(path).isFile()) throw new UsageError(`--journal: cannot use ${path} (not a regular file)`)
}

const running = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The ref a run gives the core for one subject: its own ref (or `line:<n>`), `~`, and a fingerprint
 * of its identifiers. The journal is keyed by both, so a resumed run never skips a subject because
 * another one had the same ref, or because its identifier was corrected since, or because lines moved.
 */
export function subjectKey(ref: string, subject: Subject, salt = ''): string {
  const { userId, email, phone, ids = {} } = subject
  const identifiers = JSON.stringify([userId, email, phone, Object.entries(ids).sort(([a], [b]) => (a < b ? -1 : 1))])
  return `${ref}~${createHash('sha256').update(salt).update(identifiers).digest('hex').slice(0, FINGERPRINT)}`
}

const FINGERPRINT = 16
/** Where a run's record goes beside its receipts: `receipts.jsonl` → `receipts.runs.jsonl`. */
export const runsPathOf = (receiptsPath: string) => `${receiptsPath.replace(/\.jsonl$/i, '')}.runs.jsonl`

/** The subject's own ref, from its key. */
export const refOf = (key: string) => key.slice(0, -FINGERPRINT - 1)
const fingerprintOf = (key: string) => key.slice(-FINGERPRINT)

const key = (subjectRef: string, provider: string, target = '', identifierHash = '') => [subjectRef, provider, target, identifierHash].join('\u0000')

/** What a journal line holds: enough to skip the work on resume, nothing personal. */
interface JournalLine {
  subjectRef: string
  /** The receipt hash of the identifier this provider target was sent. */
  identifierHash?: string
  /** Of all the subject's identifiers (salted SHA-256, 16 hex): how journals without `identifierHash` are matched. A line with neither (erasekit 0.1.0) matches nothing. */
  fingerprint?: string
  provider: string
  target?: string
  status: Outcome['status']
  at: string
  /** The vendor's token or request id (Batch's GDPR request): `erasekit follow-up` reads it here too. */
  requestId?: string
}

export interface LoadedJournal {
  confirmed: Set<string>
  /** Lines that could not be read (a torn last line after a crash). */
  skipped: number
  /** The `saltCheck` of every run that wrote to it (none in journals of erasekit before 0.1.1). */
  saltChecks: Set<string>
}

/**
 * What a journal's `{"saltCheck": …}` line holds: it names the receiptSalt the hashes were made
 * with, without revealing it. A resume with another salt would match nothing and send every
 * confirmed erasure again.
 */
export const saltCheckOf = (salt = '') => createHash('sha256').update('erasekit journal salt check\u0000').update(salt).digest('hex').slice(0, FINGERPRINT)

export async function loadJournal(path: string): Promise<LoadedJournal> {
  const confirmed = new Set<string>()
  const saltChecks = new Set<string>()
  let skipped = 0
  if (!existsSync(path)) return { confirmed, skipped, saltChecks }
  checkRegular(path)
  for await (const { number, value } of jsonLines(path, '--journal')) {
    if (value === undefined) {
      skipped++
      continue
    }
    const entry = value as Partial<JournalLine>
    const saltCheck = (entry as { saltCheck?: unknown } | null)?.saltCheck
    if (typeof saltCheck === 'string' && Object.keys(entry).length === 1) {
      saltChecks.add(saltCheck)
      continue
    }
    // A `failed` line withdraws the confirmation before it (erasekit follow-up: Batch failed the request).
    const withdrawn = entry?.status === 'failed'
    if (typeof entry?.subjectRef !== 'string' || typeof entry.provider !== 'string' || !(withdrawn || CONFIRMED.has(entry.status as Outcome['status']))) {
      throw new UsageError(`${path} line ${number}: not an erasekit journal line`)
    }
    // A receipts file given as the journal would match nothing and get journal lines appended.
    if (isReceipt(entry)) throw new UsageError(`${path} line ${number}: a receipt, not a journal line; give --journal a file of its own`)
    const found = typeof entry.identifierHash === 'string'
      ? key(entry.subjectRef, entry.provider, entry.target, entry.identifierHash)
      : entry.fingerprint !== undefined ? key(`${entry.subjectRef}~${entry.fingerprint}`, entry.provider, entry.target) : undefined
    if (found !== undefined) withdrawn ? confirmed.delete(found) : confirmed.add(found)
  }
  return { confirmed, skipped, saltChecks }
}

/** A request the vendor accepted, then failed (Batch's GDPR status): its subject is to be sent again. */
export interface FailedRequest {
  subjectRef: string
  provider: string
  target?: string | undefined
  identifierHash: string
  requestId: string
}

/**
 * What `withdrawFromJournal` did: lines written; subjects withdrawn before (by an earlier follow-up);
 * subjects the journal did not hold; subjects whose latest line confirms another request, which is
 * left alone (it may be pending or done).
 */
export interface Withdrawal {
  withdrawn: number
  already: number
  absent: number
  elsewhere: number
}

/** A receipt (an outcome) has what a journal line never has. */
export const isReceipt = (entry: object) => 'attempts' in entry || 'identifier' in entry

/** Refuses a receipts file (or anything else) given as the journal, before it is locked or written. */
export async function checkJournal(path: string): Promise<void> {
  for await (const { number, value } of jsonLines(path, '--journal')) {
    const entry = value as Record<string, unknown> | null | undefined
    // A torn line (a crash mid-write) is skipped, as a run skips it.
    if (entry === undefined || (entry && typeof entry === 'object' && 'saltCheck' in entry)) continue
    if (!entry || typeof entry !== 'object' || isReceipt(entry) || typeof entry.subjectRef !== 'string') {
      throw new UsageError(`${path} line ${number}: not an erasekit journal line; give --journal the journal the runs used`)
    }
    return
  }
}

/**
 * Appends a `failed` line, which `loadJournal` reads as a withdrawal, for each subject whose
 * latest line confirms one of its failed requests, so a run with the journal sends it again. A
 * line from before erasekit kept identifier hashes (fingerprint only, no request id) cannot be
 * told apart and is withdrawn too: a repeat is safe, a skip is not. Another request's
 * confirmation (a run sent the subject again) is left alone and counted: whether it is pending,
 * done or failed is for a lookup to say. The caller holds the journal's lock.
 */
export async function withdrawFromJournal(path: string, requests: FailedRequest[], written = { lines: 0 }): Promise<Withdrawal> {
  const subjectOf = (line: { subjectRef: string; provider: string; target?: string | undefined }) => key(line.subjectRef, line.provider, line.target)
  const failed = new Map<string, { request: FailedRequest; ids: Set<string> }>()
  for (const request of requests) {
    const exact = key(request.subjectRef, request.provider, request.target, request.identifierHash)
    const entry = failed.get(exact) ?? failed.set(exact, { request, ids: new Set() }).get(exact)!
    entry.ids.add(request.requestId)
  }
  const subjects = new Set([...failed.values()].map(({ request }) => subjectOf(request)))
  // The latest line of each key: its request id, or null for a withdrawal.
  const latest = new Map<string, string | null | undefined>()
  const legacy = new Map<string, { line: JournalLine; state: string | null | undefined }>()
  for await (const { value } of jsonLines(path, '--journal')) {
    const line = value as JournalLine | undefined
    if (typeof line?.subjectRef !== 'string' || typeof line.provider !== 'string' || !subjects.has(subjectOf(line))) continue
    const state = line.status === 'failed' ? null : line.requestId
    if (typeof line.identifierHash === 'string') {
      const exact = key(line.subjectRef, line.provider, line.target, line.identifierHash)
      if (failed.has(exact)) latest.set(exact, state)
    } else if (typeof line.fingerprint === 'string') legacy.set(`${subjectOf(line)}\u0000${line.fingerprint}`, { line, state })
  }
  const journal = new LineFile(path, '--journal')
  const at = new Date().toISOString()
  const withdraw = (line: JournalLine) => journal.write(`${JSON.stringify(line)}\n`)
  const result: Withdrawal = { withdrawn: 0, already: 0, absent: 0, elsewhere: 0 }
  const legacySubjects = new Set<string>()
  try {
    for (const { line, state } of legacy.values()) {
      legacySubjects.add(subjectOf(line))
      if (state === null) {
        result.already++
        continue
      }
      const { subjectRef, fingerprint, provider, target } = line
      withdraw({ subjectRef, fingerprint, provider, target, status: 'failed', at })
      result.withdrawn++
    }
    for (const [exact, { request, ids }] of failed) {
      const last = latest.get(exact)
      if (!latest.has(exact)) {
        if (!legacySubjects.has(subjectOf(request))) result.absent++
      } else if (last === undefined || (last !== null && ids.has(last))) {
        const { subjectRef, identifierHash, provider, target } = request
        withdraw({ subjectRef, identifierHash, provider, target, status: 'failed', at, requestId: last ?? request.requestId })
        result.withdrawn++
      } else if (last === null) result.already++
      else result.elsewhere++
    }
    journal.sync()
  } finally {
    // How far a write error let it get: each line written is whole.
    written.lines = journal.lines
    journal.close()
  }
  return result
}

/**
 * The JSON lines of a file with their line numbers, blank lines passed over; `value` is undefined
 * for a line that is not JSON (a torn last line after a crash). A read error is a UsageError
 * naming `option`.
 */
export async function* jsonLines(path: string, option: string): AsyncGenerator<{ number: number; value: unknown }> {
  let number = 0
  try {
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      number++
      if (!line.trim()) continue
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch {}
      yield { number, value }
    }
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
}

export interface OutcomeSink extends Journal {
  /** Writes a receipt only (a line that is no subject: never journaled). */
  receipt(outcome: Outcome): void
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
 * receipts lack, even after a crash. `keyed`: subject refs are `subjectKey()`s, which the journal
 * keeps and the receipts turn back into the subject's own ref.
 */
export function createOutcomeSink(options: { receipts?: LineFile; journal?: LineFile; loaded?: Set<string>; dryRun?: boolean; keyed?: boolean }): OutcomeSink {
  const { receipts, journal, loaded, dryRun, keyed } = options
  let journaled = 0
  // After a failed write (a full disk leaves part of a line), nothing more is written: a later
  // line would be glued to the torn one and lost with it.
  let failure: { error: unknown } | undefined
  const guarded = <T extends unknown[]>(write: (...args: T) => void) => (...args: T) => {
    if (failure) throw failure.error
    try {
      write(...args)
    } catch (error) {
      failure = { error }
      throw error
    }
  }
  const receipt = (outcome: Outcome) => receipts?.write(`${JSON.stringify(outcome)}\n`)
  return {
    receipt: guarded(receipt),
    record: guarded((outcome: Outcome) => {
      receipt(keyed ? { ...outcome, subjectRef: refOf(outcome.subjectRef) } : outcome)
      if (journal && !dryRun && CONFIRMED.has(outcome.status)) {
        const { subjectRef, provider, target, status, at, requestId } = outcome
        const identifierHash = outcome.identifier?.hash
        const line: JournalLine = keyed
          ? { subjectRef: refOf(subjectRef), identifierHash, fingerprint: fingerprintOf(subjectRef), provider, target, status, at, requestId }
          : { subjectRef, identifierHash, provider, target, status, at, requestId }
        journal.write(`${JSON.stringify(line)}\n`)
        journaled++
      }
    }),
    // By the identifier this provider would be sent: a subject whose other columns were corrected
    // since is not sent again where this one was confirmed.
    has: (subjectRef, provider, target, identifierHash) =>
      !!loaded && ((identifierHash !== undefined && loaded.has(key(keyed ? refOf(subjectRef) : subjectRef, provider, target, identifierHash))) || loaded.has(key(subjectRef, provider, target))),
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
