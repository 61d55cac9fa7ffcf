import type { RetryOptions } from './types'

export type RetryPolicy = Required<RetryOptions>

export const defaultRetry: RetryPolicy = {
  limit: 4,
  statusCodes: [408, 425, 429, 500, 502, 503, 504],
  delayMs: 300,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
}

/**
 * Partial layers over a base, in order (a retry policy: eraser → provider defaults → provider
 * options; limits): a copy, where a key left undefined keeps the value below it.
 */
export function mergeLayers<T extends object>(base: T, ...layers: (Partial<T> | undefined)[]): T {
  const merged = { ...base }
  for (const layer of layers) {
    // Each value read once; an own `__proto__` key is a value like any other, never the copy's prototype.
    for (const [key, value] of Object.entries(layer ?? {})) if (value !== undefined) Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return merged
}

/**
 * Wait before retry number `retry` (1-based): the server's Retry-After when given (capped),
 * otherwise exponential backoff with full jitter: random in [0, min(maxDelay, base·2^(n-1))].
 */
export function retryDelay(retry: number, policy: RetryPolicy, retryAfterMs?: number, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxRetryAfterMs)
  const ceiling = Math.min(policy.maxDelayMs, policy.delayMs * 2 ** (retry - 1))
  return Math.round(random() * ceiling)
}

/**
 * How long the vendor asks to wait, in ms, from an answer's headers: `retry-after-ms`, then
 * `Retry-After`; on a 429 only, the end of the rate-limit window (`RateLimit-Reset`,
 * `X-RateLimit-Reset`, `X-Rate-Limit-Reset`, the first one readable): seconds from now, or a Unix
 * time in seconds (from 1e9) or in ms (from 1e12). Other answers carry a reset too, but there it is
 * only when the window ends, not a wait (ky reads it on a 503 as well).
 */
export function retryAfterOf(headers: Headers, status: number, now: number = Date.now()): number | undefined {
  const ms = numberIn(headers.get('retry-after-ms'))
  if (ms !== undefined) return wait(ms)
  const after = parseRetryAfter(headers.get('retry-after'), now)
  if (after !== undefined || status !== 429) return after
  const reset = numberIn(headers.get('ratelimit-reset')) ?? numberIn(headers.get('x-ratelimit-reset')) ?? numberIn(headers.get('x-rate-limit-reset'))
  const until = reset === undefined ? 0 : wait(reset >= 1e12 ? reset - now : reset >= 1e9 ? reset * 1000 - now : reset * 1000)
  // A reset of 0 or already past (our clock ahead of the vendor's) is no wait given: backoff, not
  // every retry at once.
  return until || undefined
}

/** Retry-After as seconds or an HTTP-date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  const seconds = numberIn(value)
  if (seconds !== undefined) return wait(seconds * 1000)
  const trimmed = value?.trim() ?? ''
  // Each HTTP-date form starts with the day's name and names a month; Date.parse would also read
  // "-1", "a 1" or "Mon 1" as a date. The asctime form (`Sun Nov  6 08:49:37 1994`) names no zone:
  // GMT, says RFC 9110, not the machine's, and so is any date sent without one; a zone given is kept.
  const date = HTTP_DATE.test(trimmed) ? Date.parse(ZONE.test(trimmed) ? trimmed : `${trimmed} GMT`) : NaN
  return Number.isNaN(date) ? undefined : wait(date - now)
}

/** A header's number: digits, a decimal point allowed (no sign, no exponent); else undefined. */
const numberIn = (value: string | null) => (value && /^\d+(\.\d+)?$/.test((value = value.trim())) ? Number(value) : undefined)
/** Whole ms, none below 0; a number too large for a double is still "wait long", not Infinity. */
const wait = (ms: number) => Math.min(Math.max(0, Math.round(ms)), Number.MAX_SAFE_INTEGER)

// At most 64 characters (the longest HTTP-date, RFC 850's, is 33), without a (comment), which Date.parse reads
// nested and unclosed in ways a zone test cannot follow: anything else is no date, so backoff.
const HTTP_DATE = /^(?=[^(]{0,64}$)(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*[,.\s].*\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i
/** A zone Date.parse reads: a name (GMT, UT, Z, EST…) or an offset (+0900, -05:00, -5, GMT+09, 09:00:30+0900, 09:00:30.5+0900, 9:00:30 PM+0900). */
const ZONE = /\b(?:gmt|utc?|z|[ecmp][sd]t)\b|(?:\s|:\d\d(?:\.\d+)?|gmt|utc?|[ap]m)[+-]\d\d?(?::?\d\d)?\b/i

/**
 * Runs `fn` once when `signal` aborts; returns the unsubscribe. All callers share one listener per
 * signal: a run has many requests and waits in flight on one signal, and Node warns past 10 listeners.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  if (signal === never) return ignore
  let callbacks = subscribers.get(signal)
  if (!callbacks) {
    const set = new Set<() => void>()
    subscribers.set(signal, (callbacks = set))
    signal.addEventListener('abort', () => set.forEach((callback) => callback()), { once: true })
  }
  callbacks.add(fn)
  return () => void callbacks.delete(fn)
}
const subscribers = new WeakMap<AbortSignal, Set<() => void>>()
export const ignore = () => {}
export const isFunction = (value: unknown): value is Function => typeof value === 'function'
/** Any thenable, not only this realm's Promise (one from a vm context, a hand-made { then }). */
export const isThenable = (value: unknown): value is PromiseLike<unknown> => isFunction((value as PromiseLike<unknown> | undefined)?.then)

/**
 * The signal of a call given none: it never aborts, so nothing listens to it. Made on first use:
 * workerd builds before 2026-11 refuse `new AbortController()` at module scope, so a Worker
 * importing the core would not start.
 */
let never: AbortSignal | undefined
export const neverAborts = (): AbortSignal => (never ??= new AbortController().signal)

/**
 * Resolves with the promise's value, or with undefined as soon as the signal aborts (at once if it
 * already has): an input stuck in next(), or a provider that ignores its signal, cannot hang a run.
 */
export function untilAborted<T>(promise: T | Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) {
    // Not waited for, but never an unhandled rejection.
    if (isThenable(promise)) Promise.resolve(promise).catch(ignore)
    return Promise.resolve(undefined)
  }
  // Any thenable, not only this realm's Promise: one from a vm context or a hand-made { then } may never settle either.
  if (!isThenable(promise) || signal === never) return Promise.resolve(promise)
  return new Promise((resolve, reject) => {
    const stop = onAbort(signal, () => resolve(undefined))
    Promise.resolve(promise).then(resolve, reject).finally(stop)
  })
}

/** How long a cancelled call still waits for an input's item in hand, each hook and journal write, ms. */
export const LATE_MS = 1000

/**
 * Waits bounded by an abort: `bounded` awaits a hook's or journal write's promise, and after
 * `signal` aborts each still gets up to LATE_MS (`late`), so one that never settles cannot hold
 * a cancelled call; once one has missed its deadline (a stuck sink) the rest are not waited for.
 */
export function afterAbort(signal: AbortSignal): {
  bounded: <T>(value: T | PromiseLike<T>) => Promise<T | undefined>
  late: <T>(value: T | PromiseLike<T>) => Promise<T | undefined>
  /** One has been let go past its bound: the rest are not waited for. */
  stuck: () => boolean
} {
  let stuck = false
  /** Up to LATE_MS, on a timer that keeps the process alive meanwhile. */
  async function late<T>(value: T | PromiseLike<T>): Promise<T | undefined> {
    if (stuck) return void Promise.resolve(value).catch(ignore)
    // Boxed, so that a value that is itself undefined is told from the deadline passing.
    const settled = await within(Promise.resolve(value).then((result) => ({ result })), LATE_MS, neverAborts())
    if (settled) return settled.result
    stuck = true
    Promise.resolve(value).catch(ignore)
  }
  return {
    late,
    stuck: () => stuck,
    async bounded<T>(value: T | PromiseLike<T>): Promise<T | undefined> {
      if (!isThenable(value)) return value as T
      const settled = await untilAborted(value as Promise<T>, signal)
      return signal.aborted ? late(value) : settled
    },
  }
}

/**
 * The promise's value, or undefined after `ms` or as soon as the signal aborts: its timer and
 * listener end with it, whichever comes first (a short script is not kept alive).
 */
export function within<T>(promise: PromiseLike<T>, ms: number, signal: AbortSignal): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const done = () => (clearTimeout(timer), stop())
    const timer = setTimeout(() => (done(), resolve(undefined)), ms)
    const stop = onAbort(signal, () => (done(), resolve(undefined)))
    if (signal.aborted) done(), resolve(undefined)
    promise.then((value) => (done(), resolve(value)), (error: unknown) => (done(), reject(error)))
  })
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const stop = onAbort(signal, () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
    // A timer fires at once past 2^31 - 1 ms; a wait that long (Retry-After with no cap) is clamped instead.
    const timer = setTimeout(() => {
      stop()
      resolve()
    }, Math.min(ms, 2 ** 31 - 1))
  })
}
