import type { HookableCore } from 'hookable'
import type { ErasureError, ErasureErrorJSON, ErrorCode } from './errors'

/** A person to erase. `ref` is the caller's correlation id and must not be personal data. */
export interface Subject {
  ref?: string | undefined
  userId?: string | undefined
  email?: string | undefined
  phone?: string | undefined
  /** Provider-specific ids, keyed by provider name: `{ adapty: '<profile uuid>' }`. */
  ids?: Record<string, string | undefined> | undefined
}

/** The identifier a provider chose for a subject. `kind` is free text ('userId', 'guid', 'custom:CRM_ID'). */
export interface Identifier {
  kind: string
  value: string
}

export type Status = 'deleted' | 'accepted' | 'not_found' | 'skipped' | 'failed'

/** What a provider's `erase` returns for each identifier it was given. */
/** One identifier's result: `failed` carries its error. */
export type ProviderResult = ProviderResultFields & ({ status: 'deleted' | 'accepted' | 'not_found'; error?: undefined } | { status: 'failed'; error: ErasureError })

interface ProviderResultFields {
  /** The provider's token or request id, kept for support and audit. */
  requestId?: string | undefined
  httpStatus?: number | undefined
  /** Set when the provider confirmed the deletion with a follow-up read. */
  verified?: boolean | undefined
  /** Attempts for this identifier, when the provider sent several requests per batch (default: all of the batch's). */
  attempts?: number | undefined
}

export interface OutcomeError {
  code: ErrorCode
  message: string
  /**
   * Sending it again later may succeed, nothing needs fixing first: a rate limit, an outage, a
   * timeout, a network error, an abort. False for what a rerun cannot mend (a refused credential,
   * an invalid subject) and for an answer that must not be sent again (a Batch GDPR request filed).
   */
  retryable: boolean
  providerCode?: string
  /** The vendor's Retry-After on the last attempt, ms: when a later run may try again. */
  retryAfterMs?: number
}

/** One per subject × provider target. Holds no raw identifier and no secret. A `failed` one always has its `error`. */
export type Outcome = OutcomeFields & OutcomeState

/** A status, and the error when it is `failed`. */
export type OutcomeState = { status: 'failed'; error: OutcomeError } | { status: Exclude<Status, 'failed'>; error?: undefined }

export interface OutcomeFields {
  provider: string
  target?: string | undefined
  subjectRef: string
  /**
   * The identifier's kind and salted hash. Absent when there was none to hash: `skipped` with
   * `no_identifier`, and `invalid_subject` where the subject itself (or the provider's `match`) was refused.
   */
  identifier?: { kind: string; hash: string }
  /** Why a `skipped` outcome sent nothing. */
  reason?: 'no_identifier' | 'dry_run' | 'journaled'
  requestId?: string
  httpStatus?: number
  verified?: boolean
  attempts: number
  durationMs: number
  /** ISO 8601 time the outcome was settled. */
  at: string
}

/** A request as a dry run shows it: secrets as `***`, identifiers as `[id:<hash prefix>]`. */
export interface PlannedRequest {
  provider: string
  target?: string | undefined
  method: string
  url: string
  headers: Record<string, string>
  body?: unknown
}

export interface Report {
  subjectRef: string
  ok: boolean
  outcomes: Outcome[]
  /** From the subject being read to its report: in eraseMany, time waiting in the window and for batches too (each outcome's durationMs is its own requests'). */
  durationMs: number
  dryRun?: true
  requests?: PlannedRequest[]
}

export interface RateLimit {
  requests: number
  perMs: number
}

export interface Limits {
  /** Identifiers per request; the core never hands `erase` more. Default 1. */
  batchSize?: number | undefined
  /** Requests in flight per target. Default 8. */
  concurrency?: number | undefined
  /** Optional limit per target: no window of `perMs` holds more than `requests` attempts (retries included), counted when they go. */
  rate?: RateLimit | undefined
  /** Longer identifiers fail with `invalid_subject` before any request. */
  maxIdentifierLength?: number | undefined
}

export interface RetryOptions {
  /** Retries after the first attempt. Default 4. */
  limit?: number | undefined
  /** HTTP statuses that are retried. Default 408, 425, 429, 500, 502, 503, 504. */
  statusCodes?: number[] | undefined
  /** Base of the exponential backoff, ms. Default 300. */
  delayMs?: number | undefined
  /** Upper bound of one computed backoff, ms. Default 30 000. */
  maxDelayMs?: number | undefined
  /** Upper bound for a server's Retry-After, ms. Default 60 000. */
  maxRetryAfterMs?: number | undefined
}

export type FetchFunction = (input: Request | string | URL, init?: RequestInit) => Promise<Response>

/** Options every provider factory accepts, validated by `defineProvider`. */
export interface CommonProviderOptions {
  baseURL?: string | undefined
  fetch?: FetchFunction | undefined
  retry?: RetryOptions | undefined
  /** Per attempt, ms. */
  timeout?: number | undefined
  /** Overrides the provider's declared limits (within what the vendor allows). */
  limits?: Limits | undefined
}

/** What a provider asks the core to send. `url` is relative to the provider's baseURL (or absolute, same origin). */
export interface RequestSpec {
  method: string
  url: string
  headers?: Record<string, string> | undefined
  query?: Record<string, string | number | undefined> | undefined
  /** Objects and arrays are sent as JSON. */
  body?: unknown | undefined
  /** `false`: never retried, for an operation that is not idempotent (deletions are, so they are retried). */
  retry?: false | undefined
  /**
   * `true`: a 2xx answer is final, for a request that files something (a GDPR request): never sent
   * again, and a 2xx whose body is cut off, stalls until the timeout or is aborted by the caller is
   * mapped with `data: undefined`. Unanswered attempts, 429 and 5xx are still retried.
   */
  final2xx?: boolean | undefined
}

/** A received response; `data` is parsed JSON, text, or undefined for an empty body. */
export interface ProviderResponse {
  status: number
  headers: Headers
  data: unknown
}

export type ResponseMapper<T> = (response: ProviderResponse) => T | Promise<T>

/** What a provider's `erase` receives. */
export interface EraseContext {
  provider: string
  target?: string | undefined
  signal: AbortSignal
  /** Attempts sent so far through this context, across its requests: the difference around a request is that request's. */
  readonly attempts: number
  /**
   * Sends through the core pipeline: hooks, per-attempt timeout, retry, redaction.
   * `map` sees every response (any status) inside the retry loop: return a value, or
   * throw an ErasureError (retryable ones are retried). Without `map`, 2xx resolve to the
   * response and anything else throws `ctx.responseError(response)`.
   */
  request<T = ProviderResponse>(spec: RequestSpec, map?: ResponseMapper<T>): Promise<T>
  /**
   * The default error for a response: code from the status, retryable per the retry policy (a 2xx
   * the provider cannot read too, unless `retryable: false`: an answer that must not be sent again), Retry-After read.
   */
  responseError(response: ProviderResponse, detail?: { providerCode?: string | number | undefined; message?: string | undefined; retryAfterMs?: number | undefined; retryable?: false | undefined }): ErasureError
}

/** The mutable context hooks receive for one attempt. `toJSON()` gives a redacted copy for logs. */
export interface RequestContext {
  provider: string
  target?: string | undefined
  /** 1 for the first attempt. */
  attempt: number
  request: { method: string; url: string; headers: Headers; body?: unknown }
  response?: ProviderResponse
  error?: ErasureError
  /** onError / retry hooks: set to false to stop retrying (setting it true cannot retry what the policy does not). */
  retry: boolean
  /** retry hook: the wait before the next attempt, ms; may be changed. */
  delayMs: number
  signal: AbortSignal
  toJSON(): RequestSnapshot
}

/** The redacted copy of a RequestContext that `toJSON()` returns: safe to log. */
export interface RequestSnapshot {
  provider: string
  target?: string | undefined
  attempt: number
  request: PlannedRequest
  response?: { status: number; data: unknown }
  error?: ErasureErrorJSON
  retry: boolean
  delayMs: number
}

export interface Progress {
  /** Subjects read from the input so far. */
  read: number
  /** Reports delivered so far. */
  reported: number
  /** Per provider (and `provider/target`), counts per status. */
  providers: Record<string, Record<Status, number>>
  /** Per provider (and `provider/target`), how many of its `skipped` were already confirmed in the journal (the rest had no identifier it can use, or were a dry run). */
  journaled: Record<string, number>
  elapsedMs: number
  /** Reports per second since the start. */
  perSecond: number
  done: boolean
}

/** A hook's return value is ignored, a returned promise awaited: `(outcome) => rows.push(outcome)` is a hook. */
export interface EraserHooks {
  beforeRequest: (ctx: RequestContext) => unknown
  afterResponse: (ctx: RequestContext) => unknown
  onError: (ctx: RequestContext) => unknown
  retry: (ctx: RequestContext) => unknown
  outcome: (outcome: Outcome) => unknown
  report: (report: Report) => unknown
  progress: (progress: Progress) => unknown
}

/** The hooks as hookable runs them (its callbacks return `void | Promise<void>`). */
export type HookRunner = HookableCore<{ [K in keyof EraserHooks]: (arg: Parameters<EraserHooks[K]>[0]) => void | Promise<void> }>

/** Records settled outcomes so an interrupted run can resume without redoing confirmed deletions. */
export interface Journal {
  /**
   * Every outcome of a report, once the loop has taken the report and asked for the next (what the
   * loop did with it comes first). Its return value is ignored, a returned promise awaited.
   */
  record(outcome: Outcome): unknown
  /**
   * True when this subject was already confirmed (deleted, accepted or not_found) for this provider
   * target. A run passes `identifierHash`, the receipt hash of the identifier it would send
   * (`outcome.identifier.hash` of the recorded outcome): a journal keyed by it too does not skip a
   * second person under a reused ref, nor a subject whose identifier changed.
   */
  has(subjectRef: string, provider: string, target?: string, identifierHash?: string): boolean | Promise<boolean>
}
