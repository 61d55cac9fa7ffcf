import {
  codeForStatus,
  type CommonProviderOptions,
  defineProvider,
  ErasureError,
  type ErrorCode,
  type EraseContext,
  type Identifier,
  parseProviderOptions,
  positiveInt,
  type Provider,
  type ProviderResult,
  text,
} from '@erasekit/core'
import * as v from '@erasekit/core/schema'

export type AltcraftMatching = 'profile_id' | 'email' | 'phone' | 'custom'

export interface AltcraftOptions extends CommonProviderOptions {
  /** Required: Altcraft Cloud `https://ru.altkraft.com`, or your self-hosted origin. */
  baseURL: string
  /** API token; its role needs the "delete profiles" permission. */
  token: string
  /** Where the token travels: the JSON body (default, every API version) or `Authorization: Bearer`. */
  tokenIn?: 'body' | 'header' | undefined
  /** Profile database id (`db_id`). */
  dbId: number
  /** Matching modes to try, in order. Default `['profile_id', 'email', 'phone', 'custom']`. */
  matching?: AltcraftMatching[] | undefined
  /** For `matching: 'custom'`: the database field, and the subject field that fills it (`ids.crm` for `subject.ids.crm`). */
  custom?: { field: string; from: 'userId' | 'email' | 'phone' | `ids.${string}` } | undefined
  /** `resource_id`: narrows email/phone matching to one resource's subscriptions. */
  resourceId?: number | undefined
}

const modes = ['profile_id', 'email', 'phone', 'custom'] as const
const name = 'altcraft'

// Messages list the allowed values only, never the received value.
const oneOf = <const T extends readonly string[]>(values: T) => v.oneOf(values, `expected ${values.join(' | ')}`)
const urlHint = 'required: https://ru.altkraft.com or your own Altcraft URL'

const schema = v.object(
  {
    baseURL: text(urlHint),
    // In the body or the Authorization header: printable ASCII either way.
    token: v.credential(),
    tokenIn: v.optional(oneOf(['body', 'header'])),
    dbId: positiveInt(),
    matching: v.optional(v.pipe(v.array(oneOf(modes), 'expected an array'), v.is((value) => (value as unknown[]).length > 0, 'expected at least one mode'))),
    custom: v.optional(v.object({ field: text(), from: v.is<string>((from) => ['userId', 'email', 'phone'].includes(from as string) || !!altcraftIdKey(from), 'expected userId | email | phone | ids.<key>') }, 'expected { field, from }')),
    resourceId: v.optional(positiveInt()),
  },
  // A missing key.
  (key) => (key === 'baseURL' ? urlHint : 'required'),
)

/**
 * The `subject.ids` key a `custom.from` of `ids.<key>` reads (word characters and dashes, up to 40;
 * not `__proto__`), or undefined: what a CSV reader (erasekit run) accepts as an `ids.<key>` column.
 */
export const altcraftIdKey = (from: unknown): string | undefined => (typeof from === 'string' && /^ids\.(?!__proto__$)[\w-]{1,40}$/.test(from) ? from.slice(4) : undefined)

// Altcraft's documented `error` codes; any other non-zero code is a generic provider_error.
const codes: Record<number, ErrorCode> = { 400: 'invalid_request', 401: 'unauthorized', 403: 'forbidden' }

interface Envelope {
  error?: unknown
  error_text?: unknown
}

export function altcraft(options: AltcraftOptions): Provider {
  const o = parseProviderOptions(name, schema, options)
  const { token, custom } = o
  const idKey = altcraftIdKey(custom?.from)
  if (o.matching?.includes('custom') && !custom) {
    throw new ErasureError('invalid_config', 'options.custom: required when matching includes "custom"', { provider: name })
  }
  const header = o.tokenIn === 'header'
  return defineProvider({
    name,
    specificationVersion: 1,
    options,
    secrets: [token],
    baseURL: o.baseURL,
    // One profile per call (no bulk delete); Altcraft publishes no rate limit, so stay modest.
    limits: { batchSize: 1, concurrency: 4 },
    match(subject) {
      for (const kind of o.matching ?? modes) {
        const value = kind === 'profile_id' ? subject.ids?.altcraft : kind === 'custom' ? custom && (idKey ? subject.ids?.[idKey] : subject[custom.from as 'userId']) : subject[kind]
        if (value) return { kind, value }
      }
      return undefined
    },
    // Another form of the number (+7 900 555-44-33, 89005554433, 9005554433) may not match the stored
    // one [doc example: +79000000000], and a miss answers "not found", which counts as success: only
    // E.164 is sent, + and country code included.
    check: ({ kind, value }) => (kind === 'phone' && !/^\+[1-9]\d{6,14}$/.test(value) ? 'phone is not in E.164 form (a + and 7 to 15 digits)' : undefined),
    erase: async ([id], ctx) => {
      const { kind, value } = id as Identifier
      const result = await remove(kind, value, ctx)
      // Whether Altcraft matches emails regardless of case is not documented; under exact matching
      // a mixed-case email stored lower-cased answers "not found", which counts as success. So a
      // miss is asked again in lower case before it is believed.
      return [kind === 'email' && result.status === 'not_found' && value !== value.toLowerCase() ? await remove(kind, value.toLowerCase(), ctx) : result]
    },
  })

  function remove(kind: string, value: string, ctx: EraseContext): Promise<ProviderResult> {
    const body: Record<string, unknown> = header ? { db_id: o.dbId, matching: kind } : { token, db_id: o.dbId, matching: kind }
    if (kind === 'custom') {
      body.field_name = custom!.field
      body.field_value = value
    } else body[kind] = value
    // Documented for email and phone matching only.
    if (o.resourceId && (kind === 'email' || kind === 'phone')) body.resource_id = o.resourceId
    return ctx.request<ProviderResult>(
      {
        method: 'POST',
        url: '/api/v1.1/profiles/delete',
        headers: header ? { authorization: `Bearer ${token}` } : undefined,
        body,
      },
      (response) => {
        // Altcraft reports errors in the body (`error` != 0), possibly with HTTP 200: read it on every
        // status. Success needs both a 2xx and `error: 0` [doc].
        const data = (response.data ?? {}) as Envelope
        // Documented as an int; a numeric string is read the same (never as success: 0 needs the number).
        const code = typeof data.error === 'string' && /^[1-9]\d{0,3}$/.test(data.error) ? Number(data.error) : data.error
        // The answer's profile_id is the person's id at Altcraft (personal data, and no request
        // id): the receipt does not keep it.
        if (code === 0 && response.status < 300) return { status: 'deleted', httpStatus: response.status }
        // No error code (no envelope, or `error: 0` on a non-2xx): judge by the HTTP status
        // (2xx → invalid_response, 429/5xx retried, other 4xx by their status).
        if (typeof code !== 'number' || code === 0) throw ctx.responseError(response)
        const detail = typeof data.error_text === 'string' ? data.error_text : undefined
        const transient = ctx.responseError(response, { providerCode: code, message: detail })
        // A 429/5xx transport status stays retryable whatever the body says.
        if (response.status >= 400 && transient.retryable) throw transient
        // A body code the retry policy retries as an HTTP status (429, 5xx; undocumented, safe
        // reading) is retried the same way, and named like it (a delete is idempotent).
        const asStatus = code >= 400 ? ctx.responseError({ ...response, status: code }) : undefined
        const busy = asStatus?.retryable === true
        // "Profile not found" has no documented code: the whole text, with code 400 or 404 (as an
        // HTTP status too, or a 200), is the vendor saying there is nothing to delete, as a repeated
        // or resumed deletion, or a retry after a lost answer, gets. Any other text ("Profile field
        // … not found", "Profile database not found") is a failure: success is never guessed.
        if ([400, 404].includes(code) && [200, 400, 404].includes(response.status) && /^\s*profile (is )?not found\.?\s*$/i.test(detail ?? '')) {
          return { status: 'not_found', httpStatus: response.status }
        }
        // 402 (tariff limit) and unknown codes: provider_error, not retried.
        const errorCode = busy ? codeForStatus(code) : (codes[code] ?? 'provider_error')
        // The wait asked next to a body 429 is read as with an HTTP 429 (Retry-After, a rate-limit reset).
        const retryAfterMs = busy ? asStatus?.retryAfterMs : undefined
        throw new ErasureError(errorCode, `error ${code}${detail ? `: ${detail}` : ''}`, { provider: name, status: response.status, providerCode: code, retryable: busy, retryAfterMs })
      },
    )
  }
}
