import type { StandardSchemaV1 } from '@standard-schema/spec'
import { monotonic, msSince } from './clock'
import { aborted, configError, ErasureError } from './errors'
import { createHasher } from './hash'
import { type BatchItem, eraseBatch, type LaneConfig, localOutcome, type LocalOutcome, matchSubject, outcomeError, refHoldsIdentifier, reportOf, subjectValues } from './lane'
import { isPlainObject, type Redactor } from './redact'
import { afterAbort, ignore, isFunction, isThenable, LATE_MS, onAbort, untilAborted } from './retry'
import type { HookRunner, Journal, Outcome, PlannedRequest, Progress, Report, Status, Subject } from './types'
import { is, nonNegative, object, optional, parseOrThrow, positiveInt, record, text } from './validate'

export const subjectSchema = object({
  ref: optional(text()),
  userId: optional(text()),
  email: optional(text()),
  phone: optional(text()),
  // An unset id (`{ adapty: user.adaptyId }`) is absent, as an unset top-level field is.
  ids: optional(record(optional(text()), 'expected an object of provider ids')),
}, 'expected an object')

/**
 * A misspelt field (`userID`) would silently erase nothing and report ok: object() refuses it. So
 * would a Promise (a forgotten await), a Map or a Response: an object that is not plain and has
 * none of the fields (a class instance with the fields, a database row, is read as it is).
 * Reading runs the subject's getters and Proxy traps: what they throw may hold anything, and is
 * never shown.
 */
const readSubject: StandardSchemaV1<unknown, Subject> = {
  '~standard': {
    ...subjectSchema['~standard'],
    validate(value) {
      try {
        if (value && typeof value === 'object' && !Array.isArray(value) && !isPlainObject(value) && !Object.keys(subjectSchema.entries).some((key) => key in value)) {
          const got = isThenable(value) ? 'a Promise: await it first' : 'a non-plain object without any (a Map, a Date…)'
          return { issues: [{ message: `expected an object of subject fields, got ${got}` }] }
        }
        return subjectSchema['~standard'].validate(value)
      } catch {
        return { issues: [{ message: 'could not be read' }] }
      }
    },
  },
}

export function parseSubject(subject: unknown): Subject {
  const value = parseOrThrow(readSubject, subject, undefined, 'subject', 'invalid_subject')
  if (value.ref && refHoldsIdentifier(value.ref, value)) throw new ErasureError('invalid_subject', 'subject.ref: holds an identifier of the subject; receipts show refs as they are')
  return value
}

/** Duck-typed: an AbortSignal from another realm (happy-dom, a polyfill) is just as good. */
export const signalOption = optional(is<AbortSignal>((value) => typeof (value as AbortSignal)?.aborted === 'boolean' && isFunction((value as AbortSignal).addEventListener), 'expected an AbortSignal'))
export const dryRunOption = optional(is<boolean>((value) => typeof value === 'boolean', 'expected a boolean'))
export const journalOption = optional(is<Journal>((value) => isFunction((value as Journal)?.record) && isFunction((value as Journal).has), 'expected a Journal { record, has }'))

const runSchema = object({
  signal: signalOption,
  dryRun: dryRunOption,
  window: optional(positiveInt()),
  lingerMs: optional(nonNegative()),
  progressIntervalMs: optional(nonNegative()),
  journal: journalOption,
  onProgress: optional(is((value) => isFunction(value), 'expected a function')),
})

/** Checks an eraseMany() call before anything is read or sent. */
export function checkRun(source: unknown, options: unknown): void {
  const iterable = source != null && typeof source !== 'string' && (isFunction((source as Iterable<unknown>)[Symbol.iterator]) || isFunction((source as AsyncIterable<unknown>)[Symbol.asyncIterator]))
  if (!iterable) throw configError('subjects: expected an Iterable or AsyncIterable of subjects')
  if (options !== undefined) parseOrThrow(runSchema, options)
}

export interface RunOptions {
  signal?: AbortSignal | undefined
  dryRun?: boolean | undefined
  /**
   * Subjects read but not yet reported, at most. Bounds memory (about 1.5 KB per subject with four
   * providers). Default 5 000, or the largest provider batchSize up to 10 000 (so that Batch's
   * batches can be full): in the 100k bench 5 000 beat 20 000 on wall time, CPU and memory.
   */
  window?: number | undefined
  /**
   * How long a partial batch waits for more subjects, ms. Default 20. It waits longer while a fast
   * synchronous input is being read, and, once the window has filled, while every subject it holds
   * still waits for another provider that sends one identifier per request.
   */
  lingerMs?: number | undefined
  journal?: Journal | undefined
  /** Its return value is ignored, a returned promise awaited. */
  onProgress?: ((progress: Progress) => unknown) | undefined
  /** Minimum time between progress events, ms. Default 250; Infinity turns them off. */
  progressIntervalMs?: number | undefined
}

export interface EngineContext {
  lanes: LaneConfig[]
  hooks: HookRunner
  receiptSalt?: string
  /** Removes the secrets (built once per eraser). */
  redactSecrets: Redactor
  /** Removes the secrets that could be part of a vendor's UUID (hex of 36 characters at most, or phone-like), if any. */
  uuidSecrets?: Redactor | undefined
}

interface Pending {
  ref: string
  started: number
  outcomes: Outcome[]
  /** Outcomes not settled yet. */
  remaining: number
  /**
   * Its own `outcome` or `report` hook threw (an audit sink down): no more hooks are called for it.
   * It is still reported (the vendor may have acted), but not journaled: a resumed run sends it
   * again, and its hooks see it then.
   */
  hookFailed?: boolean
  /** Lanes of one identifier per request not settled yet: while any is, a batching lane can wait on for more. */
  singles: number
  /** Its jobs still queued in batching lanes, by lane (dropped when sent: they hold the subject's values). */
  jobs?: (Job | undefined)[]
  requests?: PlannedRequest[]
}

interface Job extends BatchItem {
  subject: Pending
}

/**
 * Streams subjects through every provider lane: batching, concurrency, pacing, retry (in the
 * pipeline), journal, progress. Yields exactly one report per subject read.
 */
export async function* runEngine(context: EngineContext, source: Iterable<unknown> | AsyncIterable<unknown>, options: RunOptions = {}): AsyncGenerator<Report> {
  const { lanes: configs, hooks, receiptSalt, redactSecrets, uuidSecrets } = context
  const { journal, dryRun, progressIntervalMs = 250 } = options
  // A timer past 2^31 - 1 ms fires at once: a longer linger (Infinity included) waits that long instead.
  const lingerMs = Math.min(options.lingerMs ?? 20, 2 ** 31 - 1)
  const window = Math.max(1, options.window ?? Math.min(10_000, Math.max(5_000, ...configs.map((config) => config.provider.limits.batchSize))))
  const controller = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal
  const startedAt = monotonic()
  const ready: Report[] = []
  /** Reports of subjects whose own hook threw (Pending.hookFailed). */
  const unjournaled = new WeakSet<Report>()
  const counts: Record<string, Record<Status, number>> = {}
  const journaled: Record<string, number> = {}
  let wake: (() => void) | undefined
  let slotFree: (() => void) | undefined
  /** What stops the run (boxed, like inputFailure: a hook may throw undefined). */
  let fatal: { error: unknown } | undefined
  /** What the input threw (boxed: anything can be thrown, undefined included). */
  let inputFailure: { error: unknown } | undefined
  let pending = 0
  let read = 0
  let reported = 0
  // The first report emits at once (finite, so an interval of Infinity never does).
  let lastProgress = -Number.MAX_VALUE
  let intakeDone = false
  let draining = false
  let breathing = false
  let inFlightTotal = 0
  /** How often intake found the window full: input is coming faster than the run can report. */
  let fills = 0

  const notify = () => {
    wake?.()
    wake = undefined
  }
  const fail = (error: unknown) => {
    fatal ??= { error }
    controller.abort(error)
    notify()
  }

  // Hooks and journal writes (the audit trail) are awaited, journal writes one at a time.
  const { bounded, late, stuck } = afterAbort(signal)
  /** The consumer has stopped taking reports. */
  let closed = false
  let journalFailed = false
  let doneSent = false
  /** onProgress and the progress hook: one that throws is not called again, the other still is. */
  const listeners = new Set([options.onProgress, (event: Progress) => hooks.callHook('progress', event)])
  const emitProgress = async (done: boolean) => {
    if (progressIntervalMs === Infinity || doneSent) return
    // Until they return: a listener that stops the run is not called again for a last event.
    doneSent = true
    const elapsedMs = msSince(startedAt)
    // One decimal: a rate-limited run at 0.3 reports a second is not 0.
    const perSecond = elapsedMs ? Math.round((reported * 10_000) / elapsedMs) / 10 : 0
    // Each listener gets its own copy: one that edits its event cannot change what the next sees.
    const event = (): Progress => ({ read, reported, providers: structuredClone(counts), journaled: { ...journaled }, elapsedMs, perSecond, done })
    let failure: { error: unknown } | undefined
    for (const listener of listeners) {
      try {
        await bounded(listener?.(event()))
      } catch (error) {
        listeners.delete(listener)
        failure ??= { error }
      }
    }
    doneSent = done
    if (failure) throw failure.error
  }

  async function settle(subject: Pending, lane: number, outcome: Outcome) {
    subject.outcomes[lane] = outcome
    // The subject now waits on batching lanes only: a lane holding it must send.
    if (!lanes[lane]!.batching && !--subject.singles) {
      subject.jobs?.forEach((job, index) => {
        if (job) lanes[index]!.markDue()
      })
    }
    let failure: { error: unknown } | undefined
    const observe = async (call: () => unknown) => {
      if (subject.hookFailed) return
      try {
        await bounded(call())
      } catch (error) {
        subject.hookFailed = true
        failure = { error }
      }
    }
    await observe(() => hooks.callHook('outcome', outcome))
    if (!--subject.remaining) {
      const report = reportOf(subject.ref, subject.started, subject.outcomes, dryRun ? (subject.requests ?? []) : undefined)
      await observe(() => hooks.callHook('report', report))
      if (subject.hookFailed) unjournaled.add(report)
      ready.push(report)
    }
    // Its hook's error stops the run, after this report (pushed first: it may be the last one pending).
    if (failure) fail(failure.error)
    notify()
    if (failure) throw failure.error
  }

  /** An outcome settled without a request (skipped, journaled, invalid, aborted in the queue). */
  // A hook's error settling it stops the run (fail), never rejects here: the caller goes on reporting.
  const settleLocal = (subject: Pending, lane: number, fields: LocalOutcome) => settle(subject, lane, localOutcome(configs[lane]!, subject.ref, fields)).catch(fail)

  const lanes = configs.map((config, index) => {
    const { provider, target } = config
    const { batchSize } = provider.limits
    const batching = batchSize > 1
    const { slots } = config
    const queue = createQueue<Job>()
    // A slot handed to this lane while it waited in line (slots are shared with other runs and erase()).
    let granted = false
    // Queued jobs whose subjects wait for nothing but batching lanes: due to go.
    let due = 0
    // `fills` when this lane last sent: has the window been full since?
    let fillsAtSend = 0
    let waiting = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let lingerDue = false
    const key = target ? `${provider.name}/${target}` : provider.name
    counts[key] = { deleted: 0, accepted: 0, not_found: 0, skipped: 0, failed: 0 }
    journaled[key] = 0

    const linger = () => {
      // Intake is only letting timers run: more input is coming at once, so the batch waits on.
      if (breathing) return void (timer = setTimeout(linger, lingerMs))
      timer = undefined
      lingerDue = true
      pump()
    }

    const pump = () => {
      while (queue.size) {
        // A partial batch waits for more input, up to lingerMs, unless no more can come: the input
        // ended, or the window is full and nothing in flight anywhere will free a slot. (Flushing on
        // every freed slot would shrink batches to one while a slow provider holds the window.)
        // Past lingerMs, if the window has filled since it last sent, it waits on as long as every
        // subject it holds still waits for a lane of single requests too: a fuller batch then costs
        // no throughput (Batch: 10 calls per 100k, not 6 000). A trickle, or a subject that waits
        // only for it, goes.
        const stuck = draining && !inFlightTotal
        if (queue.size < batchSize && !stuck && !intakeDone && !signal.aborted && (!lingerDue || (fills !== fillsAtSend && !due))) {
          if (!lingerDue) timer ??= setTimeout(linger, lingerMs)
          break
        }
        if (signal.aborted) {
          // Jobs admitted while the run was being aborted: reported here, without waiting for a slot.
          abortQueued().catch(fail)
          break
        }
        if (!granted && !slots.tryTake()) {
          if (!waiting) {
            waiting = true
            slots.take(signal).then(
              () => ((waiting = false), (granted = true), pump()),
              () => ((waiting = false), pump()),
            )
          }
          break
        }
        granted = false
        // The linger was for what is going now: one left armed would send the next job alone.
        clearTimeout(timer)
        timer = undefined
        lingerDue = false
        fillsAtSend = fills
        inFlightTotal++
        run(take(batchSize))
          .catch(fail)
          .finally(() => {
            // The lane's slot was freed when the vendor answered; the window, once settled.
            if (--inFlightTotal || !draining) pump()
            else pumpAll()
            // A stopping error waits for reports while batches are in flight: the last one ending wakes it.
            if (!inFlightTotal) notify()
          })
      }
      // A slot granted when nothing could be sent goes back.
      if (granted) (granted = false), slots.release()
    }

    const take = (count: number) => {
      const jobs = queue.take(count)
      if (batching) {
        for (const job of jobs) {
          job.subject.jobs![index] = undefined
          if (!job.subject.singles) due--
        }
      }
      return jobs
    }

    async function run(batch: Job[]) {
      const answered = () => {
        slots.release()
        pump()
      }
      const { outcomes, planned } = await eraseBatch(config, batch, { hooks, redactSecrets, uuidSecrets, signal, dryRun, answered })
      for (const [i, job] of batch.entries()) {
        if (planned) (job.subject.requests ??= []).push(...planned)
        // A hook that throws for one subject stops the run; the batch's others are still reported.
        await settle(job.subject, index, outcomes[i]!).catch(fail)
      }
    }

    /** On abort every queued job is reported, failed as aborted. */
    async function abortQueued() {
      clearTimeout(timer)
      for (const job of take(Infinity)) {
        await settleLocal(job.subject, index, { identifier: { kind: job.identifier.kind, hash: job.hash }, status: 'failed', error: outcomeError(aborted(provider.name)) })
      }
    }

    return {
      key,
      batching,
      pump,
      abortQueued,
      stop: () => clearTimeout(timer),
      markDue() {
        due++
        pump()
      },
      push(job: Job) {
        queue.push(job)
        if (batching) {
          const jobs = (job.subject.jobs ??= Array(configs.length))
          jobs[index] = job
          if (!job.subject.singles) due++
        }
        pump()
      },
    }
  })

  const singles = lanes.filter((lane) => !lane.batching).length

  async function admit(raw: unknown) {
    const fallbackRef = `#${++read}`
    let value: Subject | undefined
    let invalid: ErasureError | undefined
    try {
      value = parseSubject(raw)
    } catch (error) {
      // A subject whose getters throw is unreadable: their message may quote anything.
      invalid = ErasureError.isInstance(error) ? error : new ErasureError('invalid_subject', 'subject: could not be read')
    }
    // A subject refused keeps the ref it was given in its report, unless that is what was refused.
    let ref = value?.ref
    if (invalid) {
      try {
        const given = (raw as Subject | null)?.ref
        if (typeof given === 'string' && given && !refHoldsIdentifier(given, raw as Subject)) ref = given
      } catch {}
    }
    const subject: Pending = {
      ref: ref ?? fallbackRef,
      started: monotonic(),
      // Sized once: arrays grown one index at a time reserve room for 17.
      outcomes: Array(configs.length),
      remaining: configs.length,
      singles,
    }
    pending++
    const hashOf = createHasher(receiptSalt)
    const values = value ? subjectValues(value) : []
    for (const [index, config] of configs.entries()) {
      const { provider, target } = config
      if (invalid) {
        await settleLocal(subject, index, { status: 'failed', error: outcomeError(invalid) })
        continue
      }
      const match = matchSubject(config, value!, hashOf, redactSecrets)
      if (!('value' in match)) {
        await settleLocal(subject, index, match)
        continue
      }
      const hash = hashOf(match.value)
      // The identifier's hash too: a reused ref, or a changed identifier, is not the confirmed deletion.
      // After an abort (or the error that stops the run) the journal is not asked, and one that never
      // answers cannot hold the run: the job goes to its lane, which reports it aborted. A lookup that
      // fails stops the run the same way, its subject reported.
      let confirmed: unknown
      try {
        confirmed = !signal.aborted && (await untilAborted(journal?.has(subject.ref, provider.name, target, hash), signal))
      } catch (error) {
        fail(error)
      }
      if (confirmed) {
        await settleLocal(subject, index, { identifier: { kind: match.kind, hash }, status: 'skipped', reason: 'journaled' })
      } else {
        lanes[index]!.push({ ref: subject.ref, subject, identifier: match, hash, values })
      }
    }
  }

  const pumpAll = () => lanes.forEach((lane) => lane.pump())

  let iterator: Iterator<unknown> | AsyncIterator<unknown> | undefined
  let asynchronous = false
  let sourceMs = 0
  /** The input's next item; undefined when it failed (the subjects already read still finish, and its error comes after their reports). */
  async function nextInput() {
    try {
      if (!iterator) {
        // As for await does: an async iterator method that is undefined or null leaves the sync one.
        const method = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]
        asynchronous = method != null
        iterator = asynchronous ? method.call(source) : (source as Iterable<unknown>)[Symbol.iterator]()
      }
      const began = monotonic()
      const next = iterator.next()
      // Time spent producing items (a synchronous source's own work), not the run's work in between.
      sourceMs += monotonic() - began
      let result = await untilAborted(next, signal)
      // Aborted while the input was producing an item: one handed over in time was read (an async
      // generator has passed its `yield`) and is reported, as aborted.
      if (!result && signal.aborted) result = closed ? undefined : await late(next)
      // What for...of refuses (42, null): an endless run of invalid subjects, or a silent end. After
      // an abort it ends the input (caught below), as a result past its deadline does: no subject.
      if (Object(result) !== result) throw configError('subjects: the iterator returned a result that is not an object')
      return result
    } catch (error) {
      // After an abort, the input's failure is the run's end, not news.
      if (!signal.aborted) inputFailure = { error }
      return undefined
    }
  }

  /** Subjects being admitted while the journal answers: lookups over the network (KV, D1) overlap. */
  const admitting = new Set<Promise<void>>()
  /** Wakes intake when one of 64 admissions ends. */
  let room: (() => void) | undefined
  async function intake() {
    const trickleMs = Math.max(lingerMs, 16)
    let slowBefore = false
    try {
      // An abort stops intake between subjects; a subject handed over is always reported.
      while (!signal.aborted) {
        if (pending >= window) {
          // Nothing more can be read until the consumer takes reports: flush partial batches.
          fills++
          draining = true
          pumpAll()
          await new Promise<void>((resolve) => (slotFree = resolve))
          draining = false
          continue
        }
        const next = await nextInput()
        if (!next || next.done) break
        if (journal) {
          // Up to 64 at once (each counts in the window from the start): a journal answering in 10 ms
          // would otherwise hold intake to 20 subjects a second with five lanes.
          const admission: Promise<void> = admit(next.value)
            .then(undefined, fail)
            // A resolver called twice (the room was filled meanwhile) does nothing.
            .finally(() => (admitting.delete(admission), room?.()))
          admitting.add(admission)
          if (admitting.size >= 64) await new Promise<void>((resolve) => (room = resolve))
        } else {
          await admit(next.value)
        }
        // A synchronous source never leaves the microtask queue: let timers and I/O run, often, so
        // that responses already due are not held back (50k subjects: 1.20x the bound against 1.23x
        // with every 512 reads, and less CPU). An async one mostly waits for I/O by itself. A slow
        // synchronous source (its next() calls take lingerMs, and 16 ms, before 64 reads) breathes
        // then too, and is a trickle: its partial batches go after lingerMs instead of waiting to
        // fill. Slow twice running, so that one pause (a GC) does not cut a backlog's batches.
        const slow = !asynchronous && sourceMs >= trickleMs
        if (slow || read % (asynchronous ? 512 : 64) === 0) {
          breathing = !(slow && slowBefore)
          slowBefore = slow
          sourceMs = 0
          await new Promise((resolve) => setTimeout(resolve, 0))
          breathing = false
        }
      }
    } catch (error) {
      // A hook or the journal failed while a subject was admitted: the run stops with that error
      // (recorded before the finally wakes the consumer, so it is never taken for the input's end).
      fail(error)
    } finally {
      // Close the input, without waiting: an async source stuck in next() would never settle.
      if (signal.aborted) Promise.resolve().then(() => iterator?.return?.()).catch(ignore)
      // Admissions end after an abort too: journal lookups are bounded by it.
      await Promise.all(admitting)
      intakeDone = true
      pumpAll()
      notify()
    }
  }

  const stopListening = onAbort(signal, () => {
    slotFree?.()
    for (const lane of lanes) lane.abortQueued().catch(fail)
  })
  void intake()
  try {
    for (;;) {
      const report = ready.shift()
      // Before the error that stops the run, every subject read is reported (aborted where unfinished),
      // as after an abort: some were sent already. After LATE_MS without
      // a new report (a hook stuck), the error comes anyway.
      if (!report && fatal) {
        if (!intakeDone || pending) {
          // Its own timer, not late(): a sink stuck earlier in the run must not cut this wait short.
          let timer: ReturnType<typeof setTimeout> | undefined
          // A batch in flight is bounded by itself (LATE_MS for its answer, then bounded hooks): its reports are waited for.
          const news = await new Promise<boolean>((resolve) => ((timer = inFlightTotal ? undefined : setTimeout(resolve, LATE_MS, false)), (wake = () => resolve(true))))
          clearTimeout(timer)
          if (news) continue
        }
        throw fatal.error
      }
      if (report) {
        reported++
        // Counted as delivered, so that counts and `reported` always agree.
        report.outcomes.forEach(({ status, reason }, lane) => {
          const { key } = lanes[lane]!
          counts[key]![status]++
          if (reason === 'journaled') journaled[key]!++
        })
        const outcomes = [...report.outcomes]
        yield report
        // The loop took the report and came back for more: whatever it did with it (a receipt
        // written) is done before the journal says so. A loop that stops early leaves the report
        // it stopped in, and those it never took, to be sent again by a resumed run. After another
        // error (a hook's), the reports still handed over are recorded; after the journal's own, none.
        if (journal && !journalFailed && !unjournaled.has(report)) {
          try {
            for (const outcome of outcomes) {
              // After an abort, once a sink has been let go past its bound, nothing more is awaited: the
              // journal is not written to again (writes stay one at a time; a resumed run sends those again).
              if (stuck()) break
              await bounded(journal.record(outcome))
            }
          } catch (error) {
            journalFailed = true
            fail(error)
          }
        }
        pending--
        const free = slotFree
        slotFree = undefined
        free?.()
        if (monotonic() - lastProgress >= progressIntervalMs) {
          lastProgress = monotonic()
          // A listener that throws stops the run as a hook does: what was read is reported first.
          await emitProgress(false).catch(fail)
        }
      } else if (intakeDone && !pending) {
        if (inputFailure) {
          await emitProgress(true)
          throw inputFailure.error
        }
        break
      } else {
        await new Promise<void>((resolve) => (wake = resolve))
      }
    }
    await emitProgress(true)
  } finally {
    // An error that stopped the run is thrown even at a `break` taken while reports were still
    // being delivered (or one thrown in: Node's Readable.from throws an AbortError in at destroy):
    // an audit sink that failed must not pass unseen.
    const stoppedBy = fatal
    closed = true
    // The consumer stopped early: cancel what is still queued or in flight (before unsubscribing:
    // the abort also releases an intake waiting for the window, which then closes the input).
    if (read > reported || !intakeDone) controller.abort(aborted())
    stopListening()
    // A linger armed for a batch that went anyway must not keep the process alive (lingerMs may be long).
    for (const lane of lanes) lane.stop()
    // A loop that stopped early, or a run a hook or the journal stopped, still gets a last event
    // (the error that stopped it, not this event's, is the one thrown).
    if (!doneSent) await (fatal ? emitProgress(true).catch(ignore) : emitProgress(true))
    if (stoppedBy) throw stoppedBy.error
  }
}

/** FIFO with O(1) amortised take: lanes hold up to a window of jobs, sliced into batches. */
function createQueue<T>() {
  let items: T[] = []
  let head = 0
  return {
    get size() {
      return items.length - head
    },
    push: (item: T) => void items.push(item),
    take(count: number): T[] {
      const out = items.slice(head, (head += count))
      if (head >= items.length) (items = []), (head = 0)
      else if (head > 4096 && head * 2 > items.length) (items = items.slice(head)), (head = 0)
      return out
    },
  }
}
