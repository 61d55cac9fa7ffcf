import { configError, ErasureError } from './errors'
import { UNSAFE, wellFormed } from './redact'

// As the URL parser writes them: `localhost.` (the fully qualified form) and an IPv4-mapped
// 127.x.y.z (`[::ffff:127.0.0.1]` becomes `[::ffff:7f00:1]`) are loopback too.
const LOOPBACK = /^(localhost\.?|127(?:\.\d{1,3}){3}|\[::1\]|\[::ffff:7f[\da-f]{2}:[\da-f]{1,4}\])$/i

/** `https:` anywhere, `http:` only for loopback hosts (emulators, local proxies). */
export function checkBaseURL(given: string | undefined, provider: string, field = 'baseURL'): string {
  const value = given ?? ''
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw configError(`${field}: expected an absolute URL`, provider)
  }
  // Anything there would travel with every request and show in plans and errors unredacted.
  if (url.username || url.password || /[?#]/.test(value)) {
    throw configError(`${field}: must not hold credentials, a query or a fragment (pass secrets as provider options)`, provider)
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    return value.replace(/\/+$/, '')
  }
  throw configError(`${field}: must use https (http is allowed for loopback hosts only)`, provider)
}


/** Why an identifier value cannot be sent, or undefined when it can. Never quotes the value. */
export function identifierProblem(value: unknown, maxLength?: number): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'identifier must be a non-empty string'
  if (UNSAFE.test(value)) return 'identifier contains control characters'
  // " cust-6" from a CSV with spaces after commas is another id to the vendor: a CleverTap or Batch
  // delete would be accepted and erase nobody.
  if (value.trim() !== value) return 'identifier starts or ends with whitespace'
  // Half of a surrogate pair (a string cut mid-emoji) is no text: it would reach the vendor as U+FFFD or an escape, another id.
  if (!wellFormed(value)) return 'identifier is not valid Unicode (half of a surrogate pair)'
  if (maxLength !== undefined && value.length > maxLength) return `identifier is longer than ${maxLength} characters`
  // A missing value converted to text upstream: the vendor may hold one profile under it for many
  // people (every login that hit the bug), which a delete would erase as if it were this person's.
  if (/^(null|none|undefined|nan|\[object object])$/i.test(value)) return 'identifier is a missing value written as text (a bug upstream)'
  return undefined
}

/**
 * One URL path segment, percent-encoded so `/`, `?` and `#` cannot change the route. `.` and
 * `..` cannot be sent at all (URL parsers resolve them, even as %2E%2E): `invalid_subject`.
 */
export function pathSegment(value: string, provider?: string): string {
  if (value === '.' || value === '..') throw new ErasureError('invalid_subject', 'identifier cannot be a path segment', { provider })
  return encodeURIComponent(value)
}

/**
 * Why a value cannot travel as a header value: it could split or inject headers, fetch would
 * silently change it (it trims surrounding whitespace, so " 42" would address "42"), or runtimes
 * send it as different bytes (non-ASCII: Latin-1 in Node, Deno, Bun and browsers, UTF-8 in workerd).
 */
export const headerProblem = (value: string): string | undefined =>
  UNSAFE.test(value) || value.trim() !== value
    ? 'identifier is not a valid HTTP header value'
    : /[^\x20-\x7e]/.test(value)
      ? 'identifier has non-ASCII characters, which runtimes send as different bytes in a header'
      : undefined

/** The value, when it can travel as a header value (see headerProblem); throws `invalid_subject` otherwise. */
export function headerValue(value: string, provider?: string): string {
  const problem = headerProblem(value)
  if (problem) throw new ErasureError('invalid_subject', problem, { provider })
  return value
}
