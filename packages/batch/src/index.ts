import {
  defineProvider,
  ErasureError,
  parseProviderOptions,
  pathSegment,
  text,
  v,
  type CommonProviderOptions,
  type EraseContext,
  type Provider,
  type ProviderResponse,
  type ProviderResult,
} from '@erasekit/core'

export interface BatchOptions extends CommonProviderOptions {
  /** Company REST API key, sent as `X-Authorization`. */
  restKey: string
  /** One app key per platform, by label (`{ ios, android, web }`). Each label is an outcome `target`. */
  appKeys: Record<string, string>
  /** `custom_data` (default): Custom Data API delete. `gdpr`: GDPR API remove request (full erasure). */
  mode?: 'custom_data' | 'gdpr'
  /** The subject field used as the Batch custom user id. Default `userId`. */
  customIdFrom?: 'userId' | 'email' | 'phone'
  /** GDPR mode only: https URL Batch calls when the request is done. */
  callbackUrl?: string
}

const URL_MESSAGE = 'expected an https URL'

const schema = v.object({
  restKey: text(),
  appKeys: v.pipe(
    v.record(
      v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+$/, 'labels use letters, digits, "-" or "_"')),
      text(),
      'expected an object of app keys by label',
    ),
    v.check((keys) => Object.keys(keys).length > 0, 'expected at least one app key'),
  ),
  mode: v.optional(v.picklist(['custom_data', 'gdpr'], 'expected "custom_data" or "gdpr"')),
  customIdFrom: v.optional(v.picklist(['userId', 'email', 'phone'], 'expected "userId", "email" or "phone"')),
  callbackUrl: v.optional(v.pipe(v.string(URL_MESSAGE), v.url(URL_MESSAGE), v.startsWith('https://', URL_MESSAGE))),
})

// Values the Batch SDK refuses as custom ids (plugin conversion accidents); a profile cannot carry them.
const BLOCKED = 'undefined,null,nil,(null),[object object],true,false,nan,infinity,-infinity'.split(',')

/** Batch (batch.com) MEP APIs: one deletion per app key, custom user id in the path or body. */
export function batch(options: BatchOptions): Provider {
  const o = parseProviderOptions('batch', schema, options)
  const gdpr = o.mode === 'gdpr'
  const from = o.customIdFrom ?? 'userId'
  // Custom Data bulk delete takes up to 10 000 ids [doc]; a GDPR request names one user [doc].
  const maxBatch = gdpr ? 1 : 10_000
  const fail = (field: string, message: string) => new ErasureError('invalid_config', `options.${field}: ${message}`, { provider: 'batch' })
  if ((options.limits?.batchSize ?? 0) > maxBatch) throw fail('limits.batchSize', `at most ${maxBatch} in this mode`)
  if (o.callbackUrl && !gdpr) throw fail('callbackUrl', 'only used with mode "gdpr"')
  const headers = { 'Content-Type': 'application/json', 'X-Authorization': o.restKey }

  return defineProvider({
    name: 'batch',
    specificationVersion: 1,
    options,
    // App keys travel in the URL path; a callback URL may carry the caller's own token.
    secrets: [o.restKey, ...Object.values(o.appKeys), o.callbackUrl],
    baseURL: 'https://api.batch.com',
    limits: { batchSize: maxBatch, maxIdentifierLength: 1024 },
    targets: Object.keys(o.appKeys),
    match(subject) {
      const value = subject[from]
      if (!value) return undefined
      if (BLOCKED.includes(value.trim().toLowerCase())) {
        throw new ErasureError('invalid_subject', `${from} is a value Batch refuses as a custom id`, { provider: 'batch' })
      }
      return { kind: 'custom_id', value }
    },
    async erase(identifiers, ctx) {
      const base = `/1.0/${pathSegment(o.appKeys[ctx.target!]!)}`
      const ids = identifiers.map((identifier) => identifier.value)
      if (gdpr) {
        const body = { request_type: 'remove', id: { type: 'custom_id', value: ids[0] }, callback_url: o.callbackUrl }
        const result = await ctx.request({ method: 'POST', url: `${base}/gdpr/request`, headers, body }, (response) =>
          accepted(response, ctx, pickId(response.data, 'request_id') ?? pickId(response.data, 'token') ?? pickId(response.data, 'id'), true),
        )
        return [result]
      }
      // "." and ".." cannot travel as a path segment: URL parsers collapse them even percent-encoded.
      const single = ids.length === 1 && !/^\.\.?$/.test(ids[0]!)
      const result = await ctx.request(
        single
          ? { method: 'DELETE', url: `${base}/data/users/${pathSegment(ids[0]!)}`, headers }
          : { method: 'DELETE', url: `${base}/data/users`, headers, body: ids },
        (response) => accepted(response, ctx, pickId(response.data, 'token'), false),
      )
      return ids.map(() => result)
    },
  })
}

function pickId(data: unknown, key: string): string | undefined {
  const value = (data as Record<string, unknown> | undefined)?.[key]
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
}

/** 2xx with a token (custom data) or any JSON object (GDPR, shape undocumented) → accepted; errors per Batch's table. */
function accepted(response: ProviderResponse, ctx: EraseContext, requestId: string | undefined, anyObject: boolean): ProviderResult {
  const { status, data } = response
  const body = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>
  if (status < 300) {
    if (requestId || (anyObject && data === body && !Array.isArray(data))) return { status: 'accepted', requestId, httpStatus: status }
    throw ctx.responseError(response)
  }
  // The error body shape is not published: accept `error_code`/`code` and `error_message`/`message`.
  const providerCode = pickId(body, 'error_code') ?? pickId(body, 'code')
  const message = [body.error_message, body.message].find((item) => typeof item === 'string') as string | undefined
  if (status === 404) {
    // ROUTE_NOT_FOUND: wrong app key or route. A configuration failure, never "user not found".
    throw new ErasureError('invalid_config', `HTTP 404${providerCode ? ` ${providerCode}` : ''}: route not found, check the app key`, {
      provider: 'batch',
      status,
      providerCode,
    })
  }
  throw ctx.responseError(response, { providerCode, message })
}
