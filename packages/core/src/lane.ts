import { isoNow, monotonic, msSince } from './clock'
import { aborted, asErasureError, ErasureError } from './errors'
import type { Provider } from './provider'
import type { Pace } from './rate-limit'
import { createRedactor, entriesOf, phoneDigits, REDACTED, type Redactor } from './redact'
import { createPipeline, isDryRunStop } from './request'
import { afterAbort, LATE_MS, type RetryPolicy, untilAborted, within } from './retry'
import { identifierProblem } from './security'
import type { Slots } from './slots'
import type { FetchFunction, HookRunner, Identifier, Outcome, OutcomeFields, OutcomeState, PlannedRequest, ProviderResult, Report, Subject } from './types'

/** A provider (and target) as an eraser runs it. */
export interface LaneConfig {
  provider: Provider
  target?: string | undefined
  fetch: FetchFunction
  retry: RetryPolicy
  timeout: number
  /** The provider's rate limit, per request sent, shared by every erase() and eraseMany() of every eraser built on the provider object. */
  pace?: Pace
  /** Its concurrency limit, shared the same way. */
  slots: Slots
}

/** What every batch of one erase or eraseMany run shares. */
export interface BatchRun {
  hooks: HookRunner
  /** The eraser's secrets, compiled once; each batch adds its identifiers. */
  redactSecrets: Redactor
  /** Those of its secrets that could be part of a vendor's UUID, if any (EngineContext.uuidSecrets). */
  uuidSecrets?: Redactor | undefined
  signal: AbortSignal
  dryRun?: boolean
}

export interface BatchItem {
  ref: string
  identifier: Identifier
  hash: string
  /** Every identifier value of the subject (a vendor may echo any): redacted as `[id]`, this one as `[id:hash]`. */
  values: string[]
}

/** Every identifier value of a subject. */
export const subjectValues = ({ userId, email, phone, ids }: Subject): string[] =>
  // A phone stored as bare digits (E.164 without its +) is redacted as a phone too: with the + its
  // digits match the vendor's format of it (+7 (900) 123-45-67); bare digits alone are taken for an id.
  // Copied to its length: filter's array reserves room for 17, and a window holds thousands.
  [userId, email, phone, phone && /^\d+$/.test(phone) ? `+${phone}` : undefined, ...Object.values(ids ?? {})].filter((value): value is string => !!value).slice()

/**
 * Whether a ref holds one of the subject's identifiers: it is written as it is in every receipt,
 * the journal and progress. The whole ref, letter case aside; the phone number however spaced, and
 * its last 9 digits inside a longer ref; inside a longer ref, an email, a value of 8 characters or more, or
 * one of 5 to 7 that is not all hex digits. Shorter or hex-only values inside a ref (`dsr-42` for
 * user 42, the hash `erasekit run` appends to refs) are taken for a coincidence. Values of any type
 * are read as text: a subject refused for a numeric id still reports its ref.
 */
export function refHoldsIdentifier(ref: string, subject: Subject): boolean {
  const lower = ref.toLowerCase()
  const phone = String(subject.phone ?? '').replace(/\D/g, '')
  const bare = lower.replace(/[\s().+-]/g, '')
  // Inside a longer ref, its last 9 digits (the national number, whatever trunk prefix): 8 900 123 45 67 for +79001234567.
  if (phone && (bare === phone || (phone.length > 7 && bare.includes(phone.slice(-9))))) return true
  return subjectValues(subject).some(
    (value) => (value = String(value).toLowerCase()) === lower || ((value.includes('@') || value.length > 7 || (value.length > 4 && /[^\da-f]/.test(value))) && lower.includes(value)),
  )
}

/** What a batch redacts (the values `keep` accepts), read only if something needs redacting. The lane's own identifier comes last: its `[id:hash]` wins over `[id]`. */
function* batchEntries(items: BatchItem[], keep = (_value: string) => true): Generator<readonly [string, string]> {
  for (const item of items) {
    for (const value of item.values) if (keep(value)) yield [value, '[id]']
    if (keep(item.identifier.value)) yield [item.identifier.value, `[id:${item.hash.slice(0, 8)}]`]
  }
}

/** Outcome fields for a lane that sends no request for this subject. */
export type LocalOutcome = OutcomeState & Partial<OutcomeFields>

/**
 * The identifier a parsed subject gives this lane, or, when it sends nothing, the outcome:
 * skipped without an identifier, failed when the identifier breaks the vendor's rules.
 */
export function matchSubject(
  { provider }: LaneConfig,
  subject: Subject,
  hashOf: (value: string) => string,
  redact: Redactor,
): Identifier | LocalOutcome {
  let identifier: ReturnType<Provider['match']>
  try {
    identifier = provider.match(subject)
    const problem = identifier && (identifierProblem(identifier.value, provider.limits.maxIdentifierLength) ?? provider.check?.(identifier))
    if (problem) throw new ErasureError('invalid_subject', `${fieldOf(subject, (identifier as Identifier).value)}${problem}`, { provider: provider.name })
  } catch (error) {
    const hashed = identifier && typeof identifier.value === 'string' && { identifier: { kind: identifier.kind, hash: hashOf(identifier.value) } }
    const values = createRedactor(entriesOf(subjectValues(subject), '[id]'), redact)
    return { ...hashed, status: 'failed', error: outcomeError(asErasureError(error, provider.name, undefined, values)) }
  }
  return identifier || { status: 'skipped', reason: 'no_identifier' }
}

/** Which subject field gave the value (`subject.email: `), so a refusal says what to fix without quoting it; '' for a derived value. */
function fieldOf({ ids = {}, ...subject }: Subject, value: string): string {
  const key = (['userId', 'email', 'phone'] as const).find((name) => subject[name] === value)
  const id = key ? undefined : Object.keys(ids).find((name) => ids[name] === value && /^[\w-]{1,40}$/.test(name))
  return key ? `subject.${key}: ` : id ? `subject.ids.${id}: ` : ''
}

export const localOutcome = ({ provider, target }: LaneConfig, subjectRef: string, fields: LocalOutcome): Outcome => ({
  provider: provider.name,
  target,
  subjectRef,
  attempts: 0,
  durationMs: 0,
  at: isoNow(),
  ...fields,
})

/**
 * Sends one batch through the provider (pipeline: hooks, retry, timeout, redaction) and turns its
 * answer into one outcome per item. It waits for one of the lane's slots, unless the caller took one
 * and passes `answered` to free it: that runs as soon as the vendor has answered, before the
 * outcomes are built, so a lane can send its next batch meanwhile.
 */
export async function eraseBatch(
  lane: LaneConfig,
  items: BatchItem[],
  run: BatchRun & { answered?: () => void },
): Promise<{ outcomes: Outcome[]; planned?: PlannedRequest[] }> {
  const { provider, target } = lane
  const { signal, dryRun } = run
  const started = monotonic()
  const planned: PlannedRequest[] | undefined = dryRun ? [] : undefined
  const redact = createRedactor(batchEntries(items), run.redactSecrets)
  // Field by field, not a spread of the lane: one shape for every pipeline keeps its hot reads
  // monomorphic (the spread cost erase() 20 µs of CPU, +70%).
  const { fetch, retry, timeout, pace } = lane
  const pipeline = createPipeline({ provider: provider.name, target, baseURL: provider.baseURL, fetch, retry, timeout, pace, hooks: run.hooks, redact, signal, planned })
  // An identifier listed twice (a duplicate line of the input) goes to the vendor once (each copy
  // would take a place in its batch); each copy gets its result.
  const sent: Identifier[] = []
  const seen = new Map<string, number>()
  const position = items.map(({ identifier }) => {
    const key = `${identifier.kind}\0${identifier.value}`
    return seen.get(key) ?? (seen.set(key, sent.length), sent.push(identifier) - 1)
  })
  let results: ProviderResult[] | undefined
  let failure: ErasureError | undefined
  let free = run.answered
  try {
    if (signal.aborted) throw aborted(provider.name)
    if (!free) await lane.slots.take(signal), (free = lane.slots.release)
    const erasing = provider.erase(sent, pipeline)
    // A provider that ignores ctx.signal cannot hold an aborted run.
    results = await untilAborted(erasing, signal)
    // Aborted after a request went out: its answer may be in hand (an afterResponse hook running).
    // The vendor acted on it (a GDPR request filed), so it is kept, waited for up to LATE_MS:
    // reported aborted, a resumed run would send it again.
    if (results === undefined && signal.aborted && pipeline.attempts) results = await afterAbort(signal).late(erasing)
    if (results === undefined && signal.aborted) throw aborted(provider.name)
    if (results?.length !== sent.length) {
      throw new ErasureError('provider_error', `erase returned ${results?.length ?? 'no'} results for ${sent.length} identifiers`, { provider: provider.name })
    }
  } catch (error) {
    // A stop kept from a dry run and thrown in a real one is an error like any other.
    if (!(dryRun && isDryRunStop(error))) failure = asErasureError(error, provider.name, signal, redact)
  } finally {
    free?.()
  }
  // A provider sending in parallel (Promise.all) stops at its first plan: the others still plan
  // theirs, given up to LATE_MS (a hook may hold one until another's response, which never comes).
  if (dryRun) await within(Promise.all(pipeline.planning), LATE_MS, signal)
  const { attempts } = pipeline
  const durationMs = msSince(started)
  const at = isoNow()
  const { uuidSecrets } = run
  // Nothing that could be in a UUID (the usual case: ids that are neither hex nor phones, no such secret): a token is kept as it is.
  let judged: boolean | undefined
  const uuidFree = () => (judged ??= !uuidSecrets && !items.some((item) => mayFillUUIDSlice(item.identifier.value) || item.values.some(mayFillUUIDSlice)))
  const mapping: ResultMapping = { provider: provider.name, redact, redactUUID: createRedactor(batchEntries(items, mayFillUUIDSlice), uuidSecrets), shortest: uuidSecrets ? 1 : 8, uuidFree, errors: new Map() }
  const outcomes = items.map((item, i): Outcome => {
    const outcome: Outcome = { provider: provider.name, target, subjectRef: item.ref, identifier: { kind: item.identifier.kind, hash: item.hash }, status: 'skipped', attempts, durationMs, at }
    if (!failure && dryRun) {
      outcome.reason = 'dry_run'
      outcome.attempts = 0
      return outcome
    }
    try {
      setResult(outcome, failure ? { status: 'failed', error: failure } : results![position[i]!], mapping)
    } catch (error) {
      // A result whose fields throw when read: a provider bug, failed for this identifier, redacted.
      setResult(outcome, { status: 'failed', error: asErasureError(error, provider.name, undefined, redact) }, mapping)
    }
    return outcome
  })
  return { outcomes, planned }
}

/** A subject's report from its outcomes (in lane order). */
export function reportOf(subjectRef: string, started: number, outcomes: Outcome[], requests?: PlannedRequest[]): Report {
  const report: Report = { subjectRef, ok: outcomes.every((item) => item.status !== 'failed'), outcomes, durationMs: msSince(started) }
  if (requests) Object.assign(report, { dryRun: true, requests })
  return report
}

export const outcomeError = ({ code, message, retryable, providerCode, retryAfterMs }: ErasureError): NonNullable<Outcome['error']> => {
  const error: NonNullable<Outcome['error']> = { code, message: cut(message), retryable }
  if (providerCode !== undefined) error.providerCode = cut(providerCode)
  if (retryAfterMs !== undefined) error.retryAfterMs = retryAfterMs
  return error
}

/** Receipts keep 2 000 characters of an error's redacted text (a batch's error is copied into each of its outcomes), never half a surrogate pair. */
const cut = (text: string) => (text.length > 2000 ? `${text.slice(0, /[\uD800-\uDBFF]/.test(text[1999]!) ? 1999 : 2000)}…` : text)

const RESULT_STATUSES = ['deleted', 'accepted', 'not_found', 'failed']

/** How a batch's provider results become outcome fields. */
interface ResultMapping {
  provider: string
  redact: Redactor
  /** The batch's redactor for a vendor UUID: the secrets and the identifiers that could be part of one. */
  redactUUID: Redactor
  /** The shortest slice of a UUID worth judging: 1 with secrets that could be in one (any of it redacted counts), else 8. */
  shortest: number
  /** Nothing in the batch or the secrets could be part of a UUID (judged once, when a UUID comes). */
  uuidFree: () => boolean
  /**
   * One error shared by many outcomes (the batch's failure, or one a provider gave each result) is
   * redacted once: its text may be long, and a batch holds up to 10 000 identifiers.
   */
  errors: Map<unknown, Outcome['error']>
}

/**
 * Could a form of the value be 8 or more characters of a UUID? Only a value of hex digits and
 * dashes once upper-cased (its encoded forms all hold %, \ or +; of all code points only ﬀ
 * case-maps or normalises to hex, as FF), or a phone number (its digits, however spaced). Judging
 * a token against these alone spares compiling the batch's redactor: 35-570 ms for 10 000 ids,
 * during which no lane sends or reads anything.
 */
const mayFillUUIDSlice = (value: string) => /^[\dA-F-]{8,}$/.test(value.toUpperCase()) || !!phoneDigits(value)

/**
 * The eraser's secrets that could be part of a vendor's UUID, as a redactor (undefined if none):
 * hex and dashes of 36 characters at most, or phone-like (found by their digits, whatever
 * separates them). Any of one in a UUID counts, however short.
 */
export function uuidSecretsOf(secrets: (string | undefined)[]): Redactor | undefined {
  const found = secrets.filter((secret): secret is string => !!secret && ((secret.length <= 36 && /^[\dA-F-]+$/.test(secret.toUpperCase())) || !!phoneDigits(secret)))
  return found.length ? createRedactor(entriesOf(found)) : undefined
}

/**
 * A vendor's UUID (Batch's token, Adapty's Request-Id) stays as sent unless a secret is found in
 * it, or an identifier that covers 8 or more of its characters. A shorter one in a random UUID is
 * chance, and common in bulk (among 10 000 numeric ids, `4844` and `91` both occur in most
 * tokens): cutting it would spoil the support handle Batch asks to keep, and tell nothing.
 */
function requestIdOf(raw: string, { redact, redactUUID, shortest, uuidFree }: ResultMapping): string {
  if (!/^[\da-f]{8}(-?[\da-f]{4}){3}-?[\da-f]{12}$/i.test(raw)) return redact(raw)
  if (uuidFree()) return raw
  // A batch's outcomes share one token: judged once.
  const judged = keptWhole.get(redactUUID) ?? keptWhole.set(redactUUID, new Map()).get(redactUUID)!
  let kept = judged.get(raw)
  if (kept === undefined) {
    // Every slice on its own: a match that a longer or earlier one hides is still found.
    kept = true
    for (let at = 0; kept && at < raw.length; at++) {
      for (let end = at + shortest; kept && end <= raw.length; end++) {
        const slice = redactUUID(raw.slice(at, end))
        kept = slice !== REDACTED && !(end - at >= 8 && /^\[id(:[\da-f]{8})?\]$/.test(slice))
      }
    }
    judged.set(raw, kept)
  }
  return kept ? raw : redact(raw)
}
const keptWhole = new WeakMap<Redactor, Map<string, boolean>>()

/** Sets the outcome fields a provider result gives; requestId and errors pass the batch redactor. */
function setResult(out: Outcome, given: ProviderResult | undefined, mapping: ResultMapping): void {
  const { provider, redact, errors } = mapping
  // A missing or unknown status must never read as success (report.ok counts only 'failed').
  const result: ProviderResult = RESULT_STATUSES.includes(given?.status as string)
    ? given!
    : { status: 'failed', error: new ErasureError('provider_error', 'erase returned no valid result for this identifier (deleted, accepted, not_found or failed)', { provider }) }
  const { status, requestId, verified, error, attempts } = result
  out.status = status
  if (attempts !== undefined) out.attempts = attempts
  const httpStatus = result.httpStatus ?? error?.status
  if (requestId !== undefined) out.requestId = requestIdOf(String(requestId), mapping)
  if (httpStatus !== undefined) out.httpStatus = httpStatus
  if (verified !== undefined) out.verified = verified
  if (status === 'failed') {
    let shared = errors.get(error)
    if (!shared) errors.set(error, (shared = outcomeError(asErasureError(error ?? new ErasureError('provider_error', 'failed without an error', { provider }), provider, undefined, redact))))
    out.error = { ...shared }
  }
}
