import type { HookableCore } from 'hookable'
import * as v from 'valibot'
import { ErasureError, scrubError } from './errors'
import { hashIdentifier } from './hash'
import { createRedactor, type Redactor, secretEntries } from './redact'
import { createPipeline, DryRunStop } from './request'
import { createRateLimiter } from './rate-limit'
import type { RetryPolicy } from './retry'
import type { Provider } from './provider'
import { identifierProblem } from './security'
import type {
  EraserHooks,
  FetchFunction,
  Identifier,
  Journal,
  Outcome,
  OutcomeError,
  PlannedRequest,
  Progress,
  ProviderResult,
  Report,
  Status,
  Subject,
} from './types'
import { parseOrThrow, text } from './validate'

export const subjectSchema = v.object({
  ref: v.optional(text()),
  userId: v.optional(text()),
  email: v.optional(text()),
  phone: v.optional(text()),
  ids: v.optional(v.record(v.string(), text(), 'expected an object of provider ids')),
})

export function parseSubject(subject: unknown): Subject {
  if (typeof subject !== 'object' || subject === null || Array.isArray(subject)) {
    throw new ErasureError('invalid_subject', 'subject: expected an object')
  }
  return parseOrThrow(subjectSchema, subject, 'invalid_subject', { root: 'subject' })
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
  /** Minimum time between progress events, ms. Default 250. */
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

const EMPTY_COUNTS = (): Record<Status, number> => ({ deleted: 0, accepted: 0, not_found: 0, skipped: 0, failed: 0 })

/**
 * Streams subjects through every provider lane: batching, concurrency, pacing, retry (in the
 * pipeline), journal, progress. Yields exactly one report per subject read.
 */
export async function* runEngine(
  context: EngineContext,
  source: Iterable<unknown> | AsyncIterable<unknown>,
  options: RunOptions = {},
): AsyncGenerator<Report> {
  const { lanes: laneConfigs, hooks, secrets, receiptSalt } = context
  const { journal, dryRun = false, lingerMs = 20, progressIntervalMs = 250 } = options
  const window = Math.max(1, options.window ?? 20_000)
  const controller = new AbortController()
  const signal = options.signal ? anySignal(options.signal, controller.signal) : controller.signal
  const startedAt = Date.now()

  const ready: Report[] = []
  let wake: (() => void) | undefined
  let fatal: unknown
  let pending = 0
  let read = 0
  let reported = 0
  let intakeDone = false
  let draining = false
  let slotFree: (() => void) | undefined
  const counts: Record<string, Record<Status, number>> = {}
  let lastProgress = 0

  const notify = () => {
    wake?.()
    wake = undefined
  }
  const fail = (error: unknown) => {
    fatal ??= error
    controller.abort(error)
    notify()
  }

  const laneKey = (lane: LaneConfig) => (lane.target ? `${lane.provider.name}/${lane.target}` : lane.provider.name)
  for (const lane of laneConfigs) counts[laneKey(lane)] = EMPTY_COUNTS()

  const progress = (done: boolean): Progress => {
    const elapsedMs = Date.now() - startedAt
    const providers = Object.fromEntries(Object.entries(counts).map(([key, value]) => [key, { ...value }]))
    return { read, reported, providers, elapsedMs, perSecond: elapsedMs ? Math.round((reported * 1000) / elapsedMs) : 0, done }
  }
  const emitProgress = async (done: boolean) => {
    const event = progress(done)
    await options.onProgress?.(event)
    await hooks.callHook('progress', event)
  }

  async function settle(subject: Pending, laneIndex: number, outcome: Outcome) {
    subject.outcomes[laneIndex] = outcome
    counts[laneKey(laneConfigs[laneIndex]!)]![outcome.status]++
    await journal?.record(outcome)
    await hooks.callHook('outcome', outcome)
    if (--subject.remaining === 0) {
      const outcomes = subject.outcomes.filter(Boolean)
      const report: Report = {
        subjectRef: subject.ref,
        ok: outcomes.every((item) => item.status !== 'failed'),
        outcomes,
        durationMs: Date.now() - subject.started,
      }
      if (dryRun) {
        report.dryRun = true
        report.requests = subject.requests ?? []
      }
      await hooks.callHook('report', report)
      ready.push(report)
      notify()
    }
  }

  const lanes = laneConfigs.map((config, index) => createLane(config, index))

  function createLane(config: LaneConfig, index: number) {
    const { provider, target } = config
    const { batchSize, concurrency } = provider.limits
    const take = provider.limits.rate ? createRateLimiter(provider.limits.rate) : undefined
    const queue = createQueue<Job>()
    let inFlight = 0
    let timer: ReturnType<typeof setTimeout> | undefined
    let lingerDue = false

    function pump() {
      while (inFlight < concurrency && queue.size > 0) {
        if (queue.size < batchSize && !draining && !intakeDone && !lingerDue && !signal.aborted) {
          timer ??= setTimeout(() => {
            timer = undefined
            lingerDue = true
            pump()
          }, lingerMs)
          return
        }
        lingerDue = false
        const batch = queue.take(batchSize)
        inFlight++
        run(batch)
          .catch(fail)
          .finally(() => {
            inFlight--
            pump()
          })
      }
    }

    async function run(batch: Job[]) {
      const started = Date.now()
      const hashes = await Promise.all(batch.map((job) => job.hash))
      const redact = createRedactor([
        ...secretEntries(secrets),
        ...batch.map((job, i) => [job.identifier.value, `[id:${hashes[i]!.slice(0, 8)}]`] as const),
      ])
      const planned: PlannedRequest[] | undefined = dryRun ? [] : undefined
      const pipeline = createPipeline({
        provider: provider.name,
        target,
        baseURL: provider.baseURL,
        fetch: config.fetch,
        retry: config.retry,
        timeout: config.timeout,
        hooks,
        redact,
        signal,
        planned,
      })
      let results: ProviderResult[] | undefined
      let failure: ErasureError | undefined
      try {
        if (signal.aborted) throw new ErasureError('aborted', 'aborted by the caller', { provider: provider.name })
        await take?.(signal)
        results = await provider.erase(
          batch.map((job) => job.identifier),
          pipeline,
        )
        if (!Array.isArray(results) || results.length !== batch.length) {
          throw new ErasureError('provider_error', `erase returned ${Array.isArray(results) ? results.length : 'no'} results for ${batch.length} identifiers`, { provider: provider.name })
        }
      } catch (error) {
        if (!(error instanceof DryRunStop)) failure = asErasureError(error, provider.name, signal, redact)
      }
      const durationMs = Date.now() - started
      const at = new Date().toISOString()
      for (let i = 0; i < batch.length; i++) {
        const job = batch[i]!
        if (planned) job.subject.requests = [...(job.subject.requests ?? []), ...planned]
        const base = { provider: provider.name, target, subjectRef: job.subject.ref, identifier: { kind: job.identifier.kind, hash: hashes[i]! } }
        let outcome: Outcome
        if (dryRun && !failure) {
          outcome = { ...base, status: 'skipped', reason: 'dry_run', attempts: 0, durationMs, at }
        } else {
          outcome = toOutcome(base, failure ? { status: 'failed', error: failure } : results![i]!, { attempts: pipeline.attempts, durationMs, at }, redact, provider.name)
        }
        await settle(job.subject, index, outcome)
      }
    }

    return {
      push(job: Job) {
        queue.push(job)
        pump()
      },
      pump,
      /** Abort: every queued job is reported as failed. */
      async abortQueued() {
        const jobs = queue.take(Infinity)
        if (timer) clearTimeout(timer)
        for (const job of jobs) {
          const hash = await job.hash
          await settle(job.subject, index, {
            provider: provider.name,
            target,
            subjectRef: job.subject.ref,
            identifier: { kind: job.identifier.kind, hash },
            status: 'failed',
            attempts: 0,
            durationMs: 0,
            at: new Date().toISOString(),
            error: { code: 'aborted', message: `[erasekit] [${provider.name}] aborted by the caller`, retryable: false },
          })
        }
      },
    }
  }

  const pumpAll = () => {
    for (const lane of lanes) lane.pump()
  }

  async function admit(raw: unknown) {
    read++
    const subject = admitSubject(raw)
    const pendingSubject: Pending = {
      ref: subject.ref,
      started: Date.now(),
      outcomes: new Array(laneConfigs.length),
      remaining: laneConfigs.length,
      hashes: new Map(),
    }
    pending++
    const hashOf = (value: string) => {
      let hash = pendingSubject.hashes.get(value)
      if (!hash) pendingSubject.hashes.set(value, (hash = hashIdentifier(value, receiptSalt)))
      return hash
    }
    for (let index = 0; index < laneConfigs.length; index++) {
      const { provider, target } = laneConfigs[index]!
      const now = () => new Date().toISOString()
      const base = { provider: provider.name, target, subjectRef: pendingSubject.ref }
      if (subject.error) {
        await settle(pendingSubject, index, { ...base, status: 'failed', attempts: 0, durationMs: 0, at: now(), error: outcomeError(subject.error) })
        continue
      }
      if (journal && (await journal.has(pendingSubject.ref, provider.name, target))) {
        await settle(pendingSubject, index, { ...base, status: 'skipped', reason: 'journaled', attempts: 0, durationMs: 0, at: now() })
        continue
      }
      let identifier: Identifier | undefined | null | false
      try {
        identifier = provider.match(subject.value!)
        const problem = identifier ? identifierProblem(identifier.value, provider.limits.maxIdentifierLength) : undefined
        if (problem) throw new ErasureError('invalid_subject', problem, { provider: provider.name })
      } catch (error) {
        const failure = asErasureError(error, provider.name, signal, createRedactor(secretEntries(secrets)))
        const value = identifier && typeof identifier.value === 'string' ? identifier.value : undefined
        await settle(pendingSubject, index, {
          ...base,
          ...(identifier && value !== undefined ? { identifier: { kind: identifier.kind, hash: await hashOf(value) } } : {}),
          status: 'failed',
          attempts: 0,
          durationMs: 0,
          at: now(),
          error: outcomeError(failure),
        })
        continue
      }
      if (!identifier) {
        await settle(pendingSubject, index, { ...base, status: 'skipped', reason: 'no_identifier', attempts: 0, durationMs: 0, at: now() })
        continue
      }
      lanes[index]!.push({ subject: pendingSubject, identifier, hash: hashOf(identifier.value) })
    }
  }

  function admitSubject(raw: unknown): { ref: string; value?: Subject; error?: ErasureError } {
    const fallbackRef = `#${read}`
    try {
      const value = parseSubject(raw)
      return { ref: value.ref ?? fallbackRef, value }
    } catch (error) {
      const ref = typeof (raw as Subject)?.ref === 'string' && (raw as Subject).ref ? (raw as Subject).ref! : fallbackRef
      return { ref, error: error as ErasureError }
    }
  }

  async function intake() {
    const iterator: Iterator<unknown> | AsyncIterator<unknown> =
      Symbol.asyncIterator in source ? (source as AsyncIterable<unknown>)[Symbol.asyncIterator]() : (source as Iterable<unknown>)[Symbol.iterator]()
    try {
      // An abort stops intake between subjects; a subject handed over is always reported.
      while (read === 0 || !signal.aborted) {
        if (pending >= window) {
          draining = true
          pumpAll()
          await new Promise<void>((resolve) => (slotFree = resolve))
          draining = false
          continue
        }
        const next = await untilAborted(iterator.next(), signal)
        if (!next || next.done) break
        await admit(next.value)
      }
    } finally {
      // Close the input, without waiting: an async source stuck in next() would never settle.
      if (signal.aborted) Promise.resolve().then(() => iterator.return?.()).catch(() => {})
      intakeDone = true
      pumpAll()
      notify()
    }
  }

  const onCallerAbort = () => {
    slotFree?.()
    for (const lane of lanes) lane.abortQueued().catch(fail)
  }
  signal.addEventListener('abort', onCallerAbort, { once: true })

  intake().catch(fail)
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
        continue
      }
      if (intakeDone && pending === 0) break
      await new Promise<void>((resolve) => (wake = resolve))
    }
    await emitProgress(true)
  } finally {
    signal.removeEventListener('abort', onCallerAbort)
    if (!controller.signal.aborted) controller.abort(new ErasureError('aborted', 'the consumer stopped reading reports'))
  }
}

function outcomeError(error: ErasureError): OutcomeError {
  const out: OutcomeError = { code: error.code, message: error.message, retryable: error.retryable }
  if (error.providerCode !== undefined) out.providerCode = error.providerCode
  return out
}

function toOutcome(
  base: Pick<Outcome, 'provider' | 'target' | 'subjectRef' | 'identifier'>,
  result: ProviderResult,
  timing: Pick<Outcome, 'attempts' | 'durationMs' | 'at'>,
  redact: Redactor,
  provider: string,
): Outcome {
  const outcome: Outcome = { ...base, status: result.status, ...timing }
  if (result.requestId !== undefined) outcome.requestId = redact(String(result.requestId))
  const httpStatus = result.httpStatus ?? result.error?.status
  if (httpStatus !== undefined) outcome.httpStatus = httpStatus
  if (result.verified !== undefined) outcome.verified = result.verified
  if (result.status === 'failed') {
    const error = result.error ? asErasureError(result.error, provider, undefined, redact) : new ErasureError('provider_error', 'failed without an error', { provider })
    outcome.error = outcomeError(error)
  }
  return outcome
}

function asErasureError(error: unknown, provider: string, signal: AbortSignal | undefined, redact: Redactor): ErasureError {
  if (ErasureError.isInstance(error)) return scrubError(error, redact)
  if (signal?.aborted) return new ErasureError('aborted', 'aborted by the caller', { provider })
  const message = redact(error instanceof Error ? error.message : String(error))
  return new ErasureError('provider_error', `unexpected error: ${message}`, { provider })
}

/** AbortSignal.any where available, a manual link otherwise. */
function anySignal(...signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals)
  const controller = new AbortController()
  for (const signal of signals) {
    if (signal.aborted) return AbortSignal.abort(signal.reason)
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true })
  }
  return controller.signal
}

/** Resolves with the promise's value, or with undefined as soon as the signal aborts (an input that never ends cannot hang a run). */
function untilAborted<T>(promise: T | Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (!(promise instanceof Promise)) return Promise.resolve(promise)
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
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
    push(item: T) {
      items.push(item)
    },
    take(count: number): T[] {
      const end = Math.min(items.length, head + count)
      const out = items.slice(head, end)
      head = end
      if (head === items.length) {
        items = []
        head = 0
      } else if (head > 4096 && head * 2 > items.length) {
        items = items.slice(head)
        head = 0
      }
      return out
    },
  }
}
