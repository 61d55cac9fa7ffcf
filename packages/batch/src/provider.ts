import {
  createRedactor,
  defineProvider,
  ErasureError,
  parseProviderOptions,
  pathSegment,
  type CommonProviderOptions,
  type EraseContext,
  type Provider,
  type ProviderResponse,
  type ProviderResult,
} from '@erasekit/core'
import * as v from '@erasekit/core/schema'

export interface BatchOptions extends CommonProviderOptions {
  /** Company REST API key, sent as `X-Authorization`. */
  restKey: string
  /** One app key per platform, by label (`{ ios, android, web }`). Each label is an outcome `target`. */
  appKeys: Record<string, string>
  /** `custom_data` (default): Custom Data API delete. `gdpr`: GDPR API remove request (full erasure). */
  mode?: 'custom_data' | 'gdpr' | undefined
  /** The subject field used as the Batch custom user id. Default `userId`. */
  customIdFrom?: 'userId' | 'email' | 'phone' | undefined
  /** GDPR mode only: https URL Batch calls when the request is done. */
  callbackUrl?: string | undefined
}

const URL_MESSAGE = 'expected an https URL'

const schema = v.object({
  // The REST key travels in a header, app keys in the URL path ("." and ".." cannot: URL parsers resolve them).
  restKey: v.credential(),
  appKeys: v.pipe(
    v.record(v.pipe(v.credential(), v.is((key) => key !== '.' && key !== '..', 'expected an app key, not "." or ".."')), 'expected { label: appKey }'),
    v.is((keys) => {
      const labels = Object.keys(keys as object)
      return labels.length > 0 && labels.every((label) => /^[\w-]+$/.test(label))
    }, 'expected app keys by label ([A-Za-z0-9_-])'),
  ),
  mode: v.optional(v.oneOf(['custom_data', 'gdpr'], 'expected custom_data or gdpr')),
  customIdFrom: v.optional(v.oneOf(['userId', 'email', 'phone'], 'expected userId, email or phone')),
  callbackUrl: v.optional(v.is<string>((url) => typeof url === 'string' && isHttpsUrl(url), URL_MESSAGE)),
})

// Values the Batch SDK refuses as custom ids (plugin conversion accidents): no profile carries them.
const BLOCKED = /^(undefined|null|nil|\(null\)|\[object object]|true|false|nan|-?infinity)$/i

/**
 * The options parsed, checked and turned into what every Batch call needs: the REST key header,
 * each app key's path, the secrets. Shared by the provider and `createBatchClient`.
 */
export function batchApi(options: BatchOptions) {
  const o = parseProviderOptions('batch', schema, options)
  // A callback URL suggests the caller expects GDPR erasure: never let it silently do less.
  if (o.callbackUrl && o.mode !== 'gdpr') throw new ErasureError('invalid_config', 'options.callbackUrl: needs mode gdpr', { provider: 'batch' })
  // A label is an outcome target, in every receipt: one that holds a key (as redaction finds it) would publish it.
  const keys = [o.restKey, ...Object.values(o.appKeys)]
  const redact = createRedactor(keys.map((key) => [key, '*']))
  for (const label in o.appKeys) {
    if (redact(label) !== label) throw new ErasureError('invalid_config', 'options.appKeys: a label holds a key', { provider: 'batch' })
  }
  return {
    o,
    headers: { 'Content-Type': 'application/json', 'X-Authorization': o.restKey },
    // App keys travel in the URL path; a callback URL may carry the caller's own token.
    secrets: [...keys, o.callbackUrl],
    appPath: (target: string) => `/1.0/${pathSegment(o.appKeys[target]!)}`,
  }
}

/** Batch (batch.com) MEP APIs: one deletion per app key, custom user id in the path or body. */
export function batch(options: BatchOptions): Provider {
  const { o, headers, secrets, appPath } = batchApi(options)
  const gdpr = o.mode === 'gdpr'
  const from = o.customIdFrom ?? 'userId'

  return defineProvider({
    name: 'batch',
    specificationVersion: 1,
    options,
    secrets,
    baseURL: 'https://api.batch.com',
    // A GDPR request names one user [doc]; a bulk delete takes at most 10 000 ids [doc]. Both are also the cap.
    limits: { batchSize: gdpr ? 1 : 1e4, maxIdentifierLength: 1024 },
    targets: Object.keys(o.appKeys),
    match(subject) {
      const value = subject[from]
      return value ? { kind: 'custom_id', value } : undefined
    },
    // The core has refused surrounding whitespace already.
    check: ({ value }) => (BLOCKED.test(value) ? `${from} is blocklisted by Batch` : undefined),
    async erase(identifiers, ctx) {
      const ids = identifiers.map((identifier) => identifier.value)
      const [id] = ids as [string]
      const send = (method: string, path: string, body?: unknown) =>
        // A GDPR remove answered 2xx filed a request: final, even when its body is lost (no request id then).
        ctx.request({ method, url: `${appPath(ctx.target!)}${path}`, headers, body, final2xx: gdpr }, (response) => settle(response, ctx, gdpr))
      if (gdpr) return [await send('POST', '/gdpr/request', { request_type: 'remove', callback_url: o.callbackUrl, id: { type: 'custom_id', value: id } })]
      // "." and ".." cannot travel as a path segment (URL parsers collapse them, even percent-encoded),
      // and 1 024 characters percent-encoded can pass the 8 KB URL many servers take: bulk route.
      const segment = ids.length > 1 || /^\.\.?$/.test(id) ? '' : pathSegment(id)
      const result = await (segment && segment.length <= 2000 ? send('DELETE', `/data/users/${segment}`) : send('DELETE', '/data/users', ids))
      return ids.map(() => result)
    },
  })
}

export function pick(data: Record<string, unknown> | null | undefined, key: string): string | undefined {
  const value = data?.[key]
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
}

/** An absolute https URL as written: parseable, a host, no whitespace or control characters (it travels in every GDPR request). */
function isHttpsUrl(text: string): boolean {
  if (/[\s\u0000-\u001f\u007f]/.test(text)) return false
  try {
    const url = new URL(text)
    return url.protocol === 'https:' && url.hostname !== ''
  } catch {
    return false
  }
}

/**
 * Custom data: 2xx with `token` → accepted. GDPR: the create response is undocumented, so a 2xx
 * with an empty body or a JSON object that does not say error → accepted, id from `request_id`,
 * `token` or `id`; a page (a proxy's) or an object with an error code, `error`, `errors` or an
 * error status is never claimed as an erasure. Errors per Batch's table.
 */
function settle(response: ProviderResponse, ctx: EraseContext, gdpr: boolean): ProviderResult {
  const { status, data } = response
  const { body, providerCode, message } = readAnswer(data)
  const requestId = gdpr ? (pick(body, 'request_id') ?? pick(body, 'token') ?? pick(body, 'id')) : pick(body, 'token')
  // An error code, an error field or a body that is not a JSON object contradicts the 2xx: never claim an erasure on it.
  // `error: ""`, `error: false` or `errors: []` say no error. No body (empty, or lost on the way) from an HTML page is a proxy's.
  const saysError = body ? !!body.error || !!(body.errors as unknown[] | undefined)?.length || /^(error|fail)/i.test(pick(body, 'status') ?? '') : data !== undefined || /html/i.test(response.headers.get('content-type') ?? '')
  if (status < 300 && providerCode === undefined && !saysError && (requestId || gdpr)) return { status: 'accepted', requestId, httpStatus: status }
  // ROUTE_NOT_FOUND: wrong app key or route. A configuration failure, never "user not found".
  if (status === 404) throw new ErasureError('invalid_config', 'HTTP 404: unknown app key or route', { provider: 'batch', status, providerCode })
  // A 2xx without what Batch promises ends here too, as invalid_response (a GDPR POST's is final: final2xx).
  throw ctx.responseError(response, { providerCode, message })
}

/**
 * A Batch answer read: the body when it is a JSON object, its error code and message. The error
 * body shape is not published: `error_code`/`code`, `error_message`/`message`/`error`.
 */
export function readAnswer(data: unknown) {
  const body = (typeof data === 'object' && !Array.isArray(data) ? data : undefined) as Record<string, unknown> | null | undefined
  const code = pick(body, 'error_code') ?? pick(body, 'code')
  return {
    body,
    // Batch's word for success (its CEP answers `{"code":"SUCCESS"}`) is no error code.
    providerCode: code === 'SUCCESS' ? undefined : code,
    message: [body?.error_message, body?.message, body?.error].find((item) => typeof item === 'string') as string | undefined,
  }
}
