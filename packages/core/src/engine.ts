import type { HookableCore } from 'hookable'
import { ErasureError, scrubError } from './errors'
import { hashIdentifier } from './hash'
import { createRedactor, type Redactor, secretEntries } from './redact'
import { createPipeline, DryRunStop } from './request'
import { createRateLimiter } from './rate-limit'
import { onAbort, type RetryPolicy } from './retry'
import type { Provider } from './provider'
import { identifierProblem } from './security'
import type { EraserHooks, FetchFunction, Identifier, Journal, Outcome, PlannedRequest, Progress, ProviderResult, Report, Status, Subject } from './types'
import { object, optional, parseOrThrow, record, text } from './validate'

export const subjectSchema = object({
  ref: optional(text()),
  userId: optional(text()),
  email: optional(text()),
  phone: optional(text()),
  ids: optional(record(text(), 'expected an object of provider ids')),
}, 'expected an object')

/** Subjects already parsed (erase validates before the engine runs): not parsed twice. */
const parsed = new WeakSet<object>()

export function parseSubject(subject: unknown): Subject {
  if (parsed.has(subject as object)) return subject as Subject
  if (Array.isArray(subject)) throw new ErasureError('invalid_subject', 'subject: expected an object')
  const value = parseOrThrow(subjectSchema, subject, 'invalid_subject', { root: 'subject' })
  parsed.add(value)
  return value
}

/** A provider (and target) as the engine runs it. */
export interface LaneConfig {
  provider: Provider
  target?: string
  fetch: FetchFunction
  retry: RetryPolicy
  timeout: number
}

export interface RunOptions {
  signal?: AbortSignal
  dryRun?: boolean
  /** Subjects read but not yet reported, at most. Bounds memory. Default 20 000. */
  window?: number
  /** How long a partial batch waits for more subjects, ms. Default 20. */
  lingerMs?: number
  journal?: Journal
  onProgress?: (progress: Progress) => void | Promise<void>
  /** Minimum time between progress events, ms. Default 250; Infinity turns them off. */
  progressIntervalMs?: number
}

export interface EngineContext {
  lanes: LaneConfig[]
  hooks: HookableCore<EraserHooks>
  secrets: string[]
  receiptSalt?: string
}

interface Pending {
  ref: string
  started: number
  outcomes: Outcome[]
  remaining: number
  requests?: PlannedRequest[]
  hashes: Map<string, Promise<string>>
}

interface Job {
  subject: Pending
  identifier: Identifier
  hash: Promise<string>
}

const now = () => new Date().toISOString()

/**
 * Streams subjects through every provider lane: batching, concurrency, pacing, retry (in the
 * pipeline), journal, progress. Yields exactly one report per subject read.
 */
export async function* runEngine(context: EngineContext, source: Iterable<unknown> | AsyncIterable<unknown>, options: RunOptions = {}): AsyncGenerator<Report> {
  const { lanes: configs, hooks, secrets, receiptSalt } = context
  const { journal, dryRun, lingerMs = 20, progressIntervalMs = 250 } = options
  const window = Math.max(1, options.window ?? 20_000)
  const controller = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal
  const redactSecrets = createRedactor(secretEntries(secrets))
  const startedAt = Date.now()
  const ready: Report[] = []
  const counts: Record<string, Record<Status, number>> = {}
  let wake: (() => void) | undefined
  let slotFree: (() => void) | undefined
  let fatal: unknown
  let pending = 0
  let read = 0
  let reported = 0
  let lastProgress = 0
  let intakeDone = false
  let draining = false
  let inFlightTotal = 0

  const notify = () => {
    wake?.()
    wake = undefined
  }
  const fail = (error: unknown) => {
    fatal ??= error
    controller.abort(error)
    notify()
  }

  const emitProgress = async (done: boolean) => {
    if (progressIntervalMs === Infinity) return
    const elapsedMs = Date.now() - startedAt
    const providers = Object.fromEntries(Object.entries(counts).map(([key, value]) => [key, { ...value }]))
    const event: Progress = { read, reported, providers, elapsedMs, perSecond: elapsedMs ? Math.round((reported * 1000) / elapsedMs) : 0, done }
    await options.onProgress?.(event)
    await hooks.callHook('progress', event)
  }

  async function settle(subject: Pending, lane: number, outcome: Outcome) {
    subject.outcomes[lane] = outcome
    counts[lanes[lane]!.key]![outcome.status]++
    await journal?.record(outcome)
    await hooks.callHook('outcome', outcome)
    if (--subject.remaining) return
    const outcomes = subject.outcomes
    const report: Report = { subjectRef: subject.ref, ok: outcomes.every((item) => item.status !== 'failed'), outcomes, durationMs: Date.now() - subject.started }
    if (dryRun) Object.assign(report, { dryRun: true, requests: subject.requests ?? [] })
    await hooks.callHook('report', report)
    ready.push(report)
    notify()
  }

  /** An outcome settled without a request (skipped, journaled, invalid, aborted in the queue). */
  const settleLocal = (subject: Pending, lane: number, fields: Pick<Outcome, 'status'> & Partial<Outcome>) => {
    const { provider, target } = configs[lane]!
    return settle(subject, lane, { provider: provider.name, target, subjectRef: subject.ref, attempts: 0, durationMs: 0, at: now(), ...fields })
  }

  const lanes = configs.map((config, index) => {
    const { provider, target } = config
    const { batchSize, concurrency, rate } = provider.limits
    const take = rate && createRateLimiter(rate)
    const queue = createQueue<Job>()
    let inFlight = 0
    let timer: ReturnType<typeof setTimeout> | undefined
    let lingerDue = false
    counts[target ? `${provider.name}/${target}` : provider.name] = { deleted: 0, accepted: 0, not_found: 0, skipped: 0, failed: 0 }

    const pump = () => {
      while (inFlight < concurrency && queue.size) {
        // A partial batch waits for more input, up to lingerMs, unless no more can come: the input
        // ended, or the window is full and nothing in flight anywhere will free a slot. (Flushing on
        // every freed slot would shrink batches to one while a slow provider holds the window.)
        const stuck = draining && !inFlightTotal
        if (queue.size < batchSize && !stuck && !intakeDone && !lingerDue && !signal.aborted) {
          timer ??= setTimeout(() => {
            timer = undefined
            lingerDue = true
            pump()
          }, lingerMs)
          return
        }
        lingerDue = false
        inFlight++
        inFlightTotal++
        run(queue.take(batchSize))
          .catch(fail)
          .finally(() => {
            // The lane's slot was freed when the vendor answered; the window, once settled.
            if (--inFlightTotal || !draining) pump()
            else pumpAll()
          })
      }
    }

    async function run(batch: Job[]) {
      const started = Date.now()
      let results: ProviderResult[] | undefined
      let failure: ErasureError | undefined
      let hashes: string[] = []
      let redact = redactSecrets
      const planned: PlannedRequest[] | undefined = dryRun ? [] : undefined
      let attempts = 0
      try {
        hashes = await Promise.all(batch.map((job) => job.hash))
        redact = createRedactor([...secretEntries(secrets), ...batch.map((job, i) => [job.identifier.value, `[id:${hashes[i]!.slice(0, 8)}]`] as const)])
        const pipeline = createPipeline({ ...config, provider: provider.name, baseURL: provider.baseURL, hooks, redact, signal, planned })
        try {
          if (signal.aborted) throw aborted(provider.name)
          await take?.(signal)
          results = await provider.erase(
            batch.map((job) => job.identifier),
            pipeline,
          )
          if (results?.length !== batch.length) {
            throw new ErasureError('provider_error', `erase returned ${results?.length ?? 'no'} results for ${batch.length} identifiers`, { provider: provider.name })
          }
        } catch (error) {
          if (!(error instanceof DryRunStop)) failure = asErasureError(error, provider.name, signal, redact)
        }
        attempts = pipeline.attempts
      } finally {
        inFlight--
      }
      // The next batch goes out while this one's outcomes are recorded.
      pump()
      const timing = { attempts, durationMs: Date.now() - started, at: now() }
      for (const [i, job] of batch.entries()) {
        if (planned) (job.subject.requests ??= []).push(...planned)
        const outcome: Outcome = { provider: provider.name, target, subjectRef: job.subject.ref, identifier: { kind: job.identifier.kind, hash: hashes[i]! }, status: 'skipped', ...timing }
        if (failure || !dryRun) Object.assign(outcome, toResult(failure ? { status: 'failed', error: failure } : results![i]!, redact, provider.name))
        else Object.assign(outcome, { reason: 'dry_run', attempts: 0 })
        await settle(job.subject, index, outcome)
      }
    }

    return {
      key: target ? `${provider.name}/${target}` : provider.name,
      pump,
      push(job: Job) {
        queue.push(job)
        pump()
      },
      /** On abort every queued job is reported, failed as aborted. */
      async abortQueued() {
        clearTimeout(timer)
        for (const job of queue.take(Infinity)) {
          await settleLocal(job.subject, index, { identifier: { kind: job.identifier.kind, hash: await job.hash }, status: 'failed', error: outcomeError(aborted(provider.name)) })
        }
      },
    }
  })

  async function admit(raw: unknown) {
    const fallbackRef = `#${++read}`
    let value: Subject | undefined
    let invalid: ErasureError | undefined
    try {
      value = parseSubject(raw)
    } catch (error) {
      invalid = error as ErasureError
    }
    const rawRef = (raw as Subject | null)?.ref
    const subject: Pending = {
      ref: value?.ref ?? (typeof rawRef === 'string' && rawRef ? rawRef : fallbackRef),
      started: Date.now(),
      outcomes: [],
      remaining: configs.length,
      hashes: new Map(),
    }
    pending++
    const hashOf = (text: string) => {
      let hash = subject.hashes.get(text)
      if (!hash) subject.hashes.set(text, (hash = hashIdentifier(text, receiptSalt)))
      return hash
    }
    for (const [index, { provider, target }] of configs.entries()) {
      if (invalid) {
        await settleLocal(subject, index, { status: 'failed', error: outcomeError(invalid) })
      } else if (await journal?.has(subject.ref, provider.name, target)) {
        await settleLocal(subject, index, { status: 'skipped', reason: 'journaled' })
      } else {
        let identifier: Identifier | undefined | null | false
        try {
          identifier = provider.match(value!)
          const problem = identifier && identifierProblem(identifier.value, provider.limits.maxIdentifierLength)
          if (problem) throw new ErasureError('invalid_subject', problem, { provider: provider.name })
        } catch (error) {
          const kind = identifier && typeof identifier.value === 'string' && { identifier: { kind: identifier.kind, hash: await hashOf(identifier.value) } }
          await settleLocal(subject, index, { ...kind, status: 'failed', error: outcomeError(asErasureError(error, provider.name, signal, redactSecrets)) })
          continue
        }
        if (identifier) lanes[index]!.push({ subject, identifier, hash: hashOf(identifier.value) })
        else await settleLocal(subject, index, { status: 'skipped', reason: 'no_identifier' })
      }
    }
  }

  const pumpAll = () => lanes.forEach((lane) => lane.pump())

  async function intake() {
    const iterator: Iterator<unknown> | AsyncIterator<unknown> =
      Symbol.asyncIterator in source ? (source as AsyncIterable<unknown>)[Symbol.asyncIterator]() : (source as Iterable<unknown>)[Symbol.iterator]()
    try {
      // An abort stops intake between subjects; a subject handed over is always reported.
      while (read === 0 || !signal.aborted) {
        if (pending >= window) {
          // Nothing more can be read until the consumer takes reports: flush partial batches.
          draining = true
          pumpAll()
          await new Promise<void>((resolve) => (slotFree = resolve))
          draining = false
          continue
        }
        const next = await untilAborted(iterator.next(), signal)
        if (!next || next.done) break
        await admit(next.value)
        // A synchronous source never leaves the microtask queue: let timers and I/O run.
        if (read % 512 === 0) await new Promise((resolve) => setTimeout(resolve, 0))
      }
    } catch (error) {
      // Recorded before the finally wakes the consumer, so a failing input is never taken for its end.
      fail(error)
    } finally {
      // Close the input, without waiting: an async source stuck in next() would never settle.
      if (signal.aborted) Promise.resolve().then(() => iterator.return?.()).catch(() => {})
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
      if (fatal !== undefined) throw fatal
      const report = ready.shift()
      if (report) {
        reported++
        yield report
        pending--
        const free = slotFree
        slotFree = undefined
        free?.()
        if (Date.now() - lastProgress >= progressIntervalMs) {
          lastProgress = Date.now()
          await emitProgress(false)
        }
      } else if (intakeDone && !pending) {
        break
      } else {
        await new Promise<void>((resolve) => (wake = resolve))
      }
    }
    await emitProgress(true)
  } finally {
    stopListening()
    // The consumer stopped early: cancel what is still queued or in flight.
    if (read > reported || !intakeDone) controller.abort(aborted())
  }
}

const aborted = (provider?: string) => new ErasureError('aborted', 'aborted by the caller', { provider })

const outcomeError = ({ code, message, retryable, providerCode }: ErasureError): NonNullable<Outcome['error']> =>
  providerCode === undefined ? { code, message, retryable } : { code, message, retryable, providerCode }

/** The outcome fields a provider result sets; requestId and errors pass the batch redactor. */
function toResult(result: ProviderResult, redact: Redactor, provider: string): Partial<Outcome> {
  const { status, requestId, verified, error, attempts } = result
  const out: Partial<Outcome> = { status }
  if (attempts !== undefined) out.attempts = attempts
  const httpStatus = result.httpStatus ?? error?.status
  if (requestId !== undefined) out.requestId = redact(String(requestId))
  if (httpStatus !== undefined) out.httpStatus = httpStatus
  if (verified !== undefined) out.verified = verified
  if (status === 'failed') out.error = outcomeError(asErasureError(error ?? new ErasureError('provider_error', 'failed without an error', { provider }), provider, undefined, redact))
  return out
}

function asErasureError(error: unknown, provider: string, signal: AbortSignal | undefined, redact: Redactor): ErasureError {
  if (ErasureError.isInstance(error)) return scrubError(error, redact)
  if (signal?.aborted) return aborted(provider)
  return new ErasureError('provider_error', `unexpected error: ${redact(error instanceof Error ? error.message : String(error))}`, { provider })
}

/** Resolves with the promise's value, or with undefined as soon as the signal aborts (an input that never ends cannot hang a run). */
function untilAborted<T>(promise: T | Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (!(promise instanceof Promise)) return Promise.resolve(promise)
  return new Promise((resolve, reject) => {
    const stop = onAbort(signal, () => resolve(undefined))
    promise.then(resolve, reject).finally(stop)
  })
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
