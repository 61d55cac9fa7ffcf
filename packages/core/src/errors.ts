import { type Redactor, UNSAFE } from './redact'

/** The closed set of error codes. Outcomes, errors and receipts only ever carry these. */
export type ErrorCode =
  | 'invalid_config'
  | 'invalid_subject'
  | 'unauthorized'
  | 'forbidden'
  | 'invalid_request'
  | 'rate_limited'
  | 'provider_unavailable'
  | 'provider_error'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'invalid_response'

const CODES = 'invalid_config invalid_subject unauthorized forbidden invalid_request rate_limited provider_unavailable provider_error network timeout aborted invalid_response'.split(' ')

export interface ErasureErrorOptions {
  provider?: string | undefined
  status?: number | undefined
  providerCode?: string | number | undefined
  retryable?: boolean | undefined
  retryAfterMs?: number | undefined
  cause?: unknown | undefined
}

/** What `ErasureError#toJSON()` gives: the error's fields, safe to log (the message is already redacted). */
export interface ErasureErrorJSON {
  name: string
  code: ErrorCode
  message: string
  provider?: string | undefined
  status?: number | undefined
  providerCode?: string | undefined
  retryable: boolean
  retryAfterMs?: number | undefined
}

const marker = Symbol.for('erasekit.error')
// Called as WeakSet.prototype's own: an `add` or `has` planted on the shared set is never run.
const { add, has } = WeakSet.prototype
/**
 * The errors the class built, in any copy of the package (the ESM and CJS builds share it):
 * asErasureError scrubs only those in place. A Proxy of one is never in it. A global that cannot
 * take it (hardened) or holds something else leaves each copy its own.
 */
const built: WeakSet<object> = (() => {
  const key = Symbol.for('erasekit.built')
  const own = new WeakSet<object>()
  try {
    const shared = (globalThis as Record<symbol, WeakSet<object>>)[key]
    if (shared === undefined) Object.defineProperty(globalThis, key, { value: own })
    // A real WeakSet only: a look-alike would throw on each use.
    else if (has.call(shared, own) === false) return shared
  } catch {}
  return own
})()
/** A number the fields can hold: a vendor's text passed as `status` would bypass redaction. */
const finite = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)

/**
 * `[erasekit] [provider] message`, once: a message already in this style (DESIGN.md writes them so)
 * keeps its prefix. Text is only ever added, never cut, so an identifier in it stays whole for redaction.
 */
function prefixed(message: string, provider: string | undefined): string {
  const tag = provider ? `[${provider}] ` : ''
  return message.startsWith(`[erasekit] ${tag}`) ? message : `[erasekit] ${message.startsWith(tag) ? '' : tag}${message}`
}

/**
 * The one error type erasekit throws and reports. Messages start with
 * `[erasekit] [provider]`; the core redacts secrets and identifiers from them
 * before they leave the pipeline.
 */
export class ErasureError extends Error {
  // Declared only: the constructor sets each one, in this order (undefined included), as an own property.
  declare readonly code: ErrorCode
  declare readonly provider?: string
  declare readonly status?: number
  declare providerCode?: string
  declare readonly retryable: boolean
  declare readonly retryAfterMs?: number

  constructor(code: ErrorCode, message: string, options: ErasureErrorOptions = {}) {
    super(prefixed(message, options.provider), options.cause === undefined ? undefined : { cause: options.cause })
    // Closed at runtime too (a JavaScript provider, a cast): anything else is a provider_error.
    this.code = CODES.includes(code) ? code : 'provider_error'
    this.provider = options.provider || undefined
    this.status = finite(options.status)
    this.providerCode = options.providerCode === undefined ? undefined : String(options.providerCode)
    this.retryable = options.retryable === true
    this.retryAfterMs = finite(options.retryAfterMs)
    this.name = 'ErasureError'
    add.call(built, this)
  }

  /** Works across duplicated copies of the package (Symbol.for marker). */
  static isInstance(value: unknown): value is ErasureError {
    try {
      return typeof value === 'object' && value !== null && marker in value
    } catch {
      // A Proxy whose `has` trap throws is no ErasureError.
      return false
    }
  }

  /**
   * `instanceof` too, so the ESM and CJS builds (or two installed copies) recognise each other's
   * errors. A subclass keeps the usual check: not every ErasureError is a `MyError`.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === ErasureError ? ErasureError.isInstance(value) : super[Symbol.hasInstance](value)
  }

  toJSON(): ErasureErrorJSON {
    const { code, provider, status, providerCode, retryable, retryAfterMs, message } = this
    return { name: this.name, code, message, provider, status, providerCode, retryable, retryAfterMs }
  }
}
// On the prototype, not a declared field: a `unique symbol` in the declarations would make the ESM
// and CJS typings two incompatible classes (a CJS plugin's Provider refused by an ESM eraser).
Object.defineProperty(ErasureError.prototype, marker, { value: true })

/** Code for an HTTP error status; `provider_error` when the status says nothing more precise. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  if (status === 408) return 'timeout'
  if (status === 429) return 'rate_limited'
  if (status === 502 || status === 503 || status === 504) return 'provider_unavailable'
  if (status >= 400 && status < 500) return 'invalid_request'
  return 'provider_error'
}

/**
 * Redacted, and cut at 4 000 characters (a vendor's megabyte-long error text would otherwise cost
 * seconds of redaction per attempt, with a whole batch's ids to look for); control characters
 * become spaces (a CR/LF or a terminal escape in a vendor's text could forge log lines).
 */
const clean = (text: string, redact: Redactor) => redact(text, 4e3).replace(new RegExp(UNSAFE, 'g'), ' ')

/**
 * Redacted, its `[erasekit] [provider] ` prefix kept when a value matched inside it alone (a user
 * id `erasekit` or `adapty`); a value that runs on from it into the text is redacted, prefix and all.
 */
function cleanMessage(message: string, redact: Redactor, provider?: string): string {
  const whole = clean(message, redact)
  const prefix = `[erasekit] ${provider ? `[${provider}] ` : ''}`
  if (whole.startsWith(prefix) || !message.startsWith(prefix) || UNSAFE.test(prefix)) return whole
  const rest = clean(message.slice(prefix.length), redact)
  return whole === clean(prefix, redact) + rest ? prefix + rest : whole
}

/**
 * Redacts an error's message, vendor code and cause in place (any may echo what was sent, a
 * provider's cause may be a whole response).
 */
export function scrubError<E extends ErasureError>(error: E, redact: Redactor): E {
  error.message = cleanMessage(error.message, redact, error.provider)
  if (error.providerCode !== undefined) error.providerCode = clean(error.providerCode, redact)
  if (error.cause !== undefined) error.cause = safeCause(error.cause, redact)
  return error
}

/** The error for a bad option, definition or call (never quoting a value). */
export const configError = (message: string, provider?: string) => new ErasureError('invalid_config', message, { provider })

// Retryable: nothing is wrong with the subject or the request, the run was stopped (a resumed run sends it again).
export const aborted = (provider?: string) => new ErasureError('aborted', 'aborted by the caller', { provider, retryable: true })

/**
 * What may be kept of a foreign error as `cause`: its name, its redacted message and, when it
 * has one, its error code (`ECONNREFUSED`); never the error itself, which may quote a secret.
 */
export function safeCause(error: unknown, redact: Redactor): Error {
  const copy = new Error('unreadable error')
  // Reading a foreign value may throw (Object.create(null) has no toString, a getter may throw):
  // what was read by then is kept, and the batch's subjects are still reported.
  try {
    copy.message = clean(error instanceof Error ? error.message : String(error), redact)
    // The name too: a runtime's or a hook's error may carry anything there (and stack repeats it).
    if (error instanceof Error) copy.name = clean(String(error.name), redact)
    const code = (error as { code?: unknown } | null)?.code ?? ((error as { cause?: { code?: unknown } } | null)?.cause?.code)
    if (typeof code === 'string') Object.assign(copy, { code: clean(code, redact) })
  } catch {}
  return copy
}

/**
 * Built by the class (a Proxy of one never is), every field still a writable value of the type the
 * constructor gives it: a code of the closed set, numbers as numbers.
 */
function isPlain(error: ErasureError): boolean {
  if (!has.call(built, error)) return false
  const value: Record<string, unknown> = {}
  for (const key of FIELDS) {
    const field = Object.getOwnPropertyDescriptor(error, key)
    if (field ? !('value' in field && field.writable) : key !== 'cause') return false
    value[key] = field?.value
  }
  const { code, status, providerCode, retryable, retryAfterMs } = value
  return CODES.includes(code as string) && status === finite(status) && retryAfterMs === finite(retryAfterMs) && typeof retryable === 'boolean' && (providerCode === undefined || typeof providerCode === 'string')
}
const FIELDS = ['message', 'code', 'provider', 'status', 'providerCode', 'retryable', 'retryAfterMs', 'cause']

/** Any error a provider or fetch threw as an ErasureError, redacted: `aborted` once the signal has fired, else `provider_error`. */
export function asErasureError(error: unknown, provider: string, signal: AbortSignal | undefined, redact: Redactor): ErasureError {
  try {
    if (ErasureError.isInstance(error)) {
      // Each field read once (a getter could give another value each time), own or inherited.
      const { message, cause, code, provider: name, status, providerCode, retryable, retryAfterMs } = error
      // Its own provider name is kept (a plugin may name the vendor it wraps) unless it is no
      // name or redaction finds a value in it: then it is this provider's.
      const named = typeof name === 'string' ? name : undefined
      const owner = named === provider || (named && redact(named) === named) ? named : undefined
      if (owner && isPlain(error)) return scrubError(error, redact)
      // Anything else is scrubbed on a copy: one made without a provider (in a hook, a provider's
      // result) still says whose it is; a frozen one may be shared by every provider; one whose
      // fields are getters or read-only, or a Proxy, must not be read again. Its prefix is cut
      // after redaction: cut before, an identifier starting with it would no longer be found whole.
      const text = cleanMessage(message, redact, owner)
      return scrubError(new ErasureError(code, owner ? text : text.replace(/^\[erasekit\] /, ''), { provider: owner || provider, status, providerCode, retryable, retryAfterMs, cause }), redact)
    }
    if (signal?.aborted) return aborted(provider)
    const cause = safeCause(error, redact)
    return new ErasureError('provider_error', `unexpected error: ${cause.message}`, { provider, cause })
  } catch {
    // A look-alike whose fields throw when read (a Proxy, a getter): nothing of it is kept.
    return new ErasureError('provider_error', 'unexpected error: unreadable error', { provider })
  }
}
