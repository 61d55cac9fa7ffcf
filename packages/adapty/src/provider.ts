import {
  defineProvider,
  ErasureError,
  headerProblem,
  identifierProblem,
  parseProviderOptions,
  type CommonProviderOptions,
  type EraseContext,
  type Identifier,
  type Provider,
  type ProviderResponse,
  type ProviderResult,
  type ResponseMapper,
} from '@erasekit/core'
import * as v from '@erasekit/core/schema'

export interface AdaptyOptions extends CommonProviderOptions {
  /** Secret API key (App Settings → General → API keys), sent as `Authorization: Api-Key <apiKey>`. */
  apiKey: string
  /** Server-side API version. Default `'v2'`. */
  apiVersion?: 'v2' | 'v1' | undefined
  /** Subject field sent as `adapty-customer-user-id` when `ids.adapty` is absent. Default `'userId'`. */
  customerUserIdFrom?: 'userId' | 'email' | 'phone' | undefined
  /** After a 204, read the profile back: only a 404 `profile_does_not_exist` confirms the deletion. */
  verify?: boolean | undefined
}

const NAME = 'adapty'

// #region schema
const schema = v.object({
  // It travels in a header: a byte fetch rejects would surface as an error about the key.
  apiKey: v.credential(),
  apiVersion: v.optional(v.oneOf(['v2', 'v1'], 'expected "v2" or "v1"')),
  customerUserIdFrom: v.optional(v.oneOf(['userId', 'email', 'phone'], 'expected "userId", "email" or "phone"')),
  verify: v.optional(v.is<boolean>((value) => typeof value === 'boolean', 'expected a boolean')),
})
// #endregion schema

/** What every Adapty request needs besides the identity. */
export interface AdaptyApi {
  apiKey: string
  path: string
}

/** The profile resource; the trailing slash is part of the route (without it: a bare 404). */
export const adaptyApi = (options: AdaptyOptions): AdaptyApi => ({
  apiKey: options.apiKey,
  path: options.apiVersion === 'v1' ? '/api/v1/server-side-api/profiles/' : '/api/v2/server-side-api/profile/',
})

const UUID = /^[\da-f]{8}-(?:[\da-f]{4}-){3}[\da-f]{12}$/i

/** Why Adapty cannot take this identity (never quoting it), or nothing. */
const identityProblem = ({ kind, value }: Identifier): string | undefined =>
  // Profile ids are UUIDs (ASCII, nothing to trim); anything else can only 404, which would read as "nothing to delete".
  kind === 'profile_id'
    ? UUID.test(value) ? undefined : 'profile id must be a UUID'
    : // fetch sends "josé" as Latin-1 bytes (UTF-8 in workerd); read the other way it is another id,
      // whose 404 would read as "nothing to delete" while the profile stays (Adapty documents no
      // header encoding). Said before the generic check, with the way out.
      (/[^\x00-\x7f]/.test(value) ? 'non-ASCII characters cannot be sent reliably in a header; erase by ids.adapty (the profile id)' : undefined) ??
      // Also refuses surrounding spaces: fetch trims header values, so " 42" would address customer "42".
      headerProblem(value)

/** Throws `invalid_subject` (never quoting the value, naming its field) for an identity that cannot be sent as its header. */
export function checkIdentifier(identifier: Identifier): Identifier {
  const problem = identifierProblem(identifier.value) ?? identityProblem(identifier)
  const field = identifier.kind === 'profile_id' ? 'profileId' : 'customerUserId'
  if (problem) throw new ErasureError('invalid_subject', `identity.${field}: ${problem}`, { provider: NAME })
  return identifier
}

/** One request to the profile resource; identity travels in `adapty-profile-id` / `adapty-customer-user-id`. */
export function adaptyRequest<T>(ctx: EraseContext, api: AdaptyApi, method: string, identifiers: Identifier[], map: ResponseMapper<T>, body?: unknown): Promise<T> {
  // Creating a profile is not idempotent: never sent twice.
  const retry = method === 'POST' ? false : undefined
  // The docs send Content-Type: application/json on every call, DELETE included.
  const headers: Record<string, string> = { authorization: `Api-Key ${api.apiKey}`, 'content-type': 'application/json' }
  for (const { kind, value } of identifiers) headers[kind === 'profile_id' ? 'adapty-profile-id' : 'adapty-customer-user-id'] = value
  return ctx.request({ method, url: api.path, headers, body, retry }, map)
}

interface AdaptyErrorBody {
  errors?: { source?: unknown; errors?: unknown[] }[]
  error_code?: unknown
}

const errorCode = (response: ProviderResponse) => {
  const code = (response.data as AdaptyErrorBody | null | undefined)?.error_code
  return typeof code === 'string' ? code : undefined
}

/** The profile is gone. A 404 without this code (wrong path, missing slash) is a plain failure. */
const isGone = (response: ProviderResponse) => response.status === 404 && errorCode(response) === 'profile_does_not_exist'

/** The error for a response: code from the status, `error_code` as providerCode, the vendor's text as detail. */
export function adaptyError(ctx: EraseContext, response: ProviderResponse): ErasureError {
  const errors = (response.data as AdaptyErrorBody | null | undefined)?.errors
  // `source` names the field a 400 refused; null or non_field_errors name none.
  const message = Array.isArray(errors)
    ? errors
        .flatMap((item) => {
          const field = typeof item?.source === 'string' && item.source !== 'non_field_errors' ? `${item.source}: ` : ''
          return (Array.isArray(item?.errors) ? item.errors : []).map((text) => field + String(text))
        })
        .join('; ')
    : ''
  return ctx.responseError(response, { providerCode: errorCode(response), message: message || undefined })
}

/** DELETE one profile (and read it back when `verify`): the one path the provider and the client share. */
export async function deleteOne(ctx: EraseContext, api: AdaptyApi, identifier: Identifier, verify?: boolean): Promise<ProviderResult> {
  const result = await adaptyRequest(ctx, api, 'DELETE', [identifier], (response): ProviderResult => {
    // v1 documents a Request-Id header; v2 does not, but it is kept when present.
    const requestId = response.headers.get('request-id') ?? undefined
    if (response.status === 204) return { status: 'deleted', httpStatus: 204, requestId }
    if (isGone(response)) return { status: 'not_found', httpStatus: 404, requestId }
    throw adaptyError(ctx, response)
  })
  if (!verify || result.status !== 'deleted') return result
  const { requestId } = result
  try {
    const readable = await adaptyRequest(ctx, api, 'GET', [identifier], (response) => {
      if (isGone(response)) return false
      if (response.status >= 200 && response.status < 300) return true
      throw adaptyError(ctx, response)
    })
    if (!readable) return { ...result, verified: true }
    const error = new ErasureError('provider_error', 'profile still readable after delete', { provider: NAME, status: 200 })
    return { status: 'failed', requestId, verified: false, error }
  } catch (error) {
    if (!ErasureError.isInstance(error)) throw error
    return { status: 'failed', requestId, verified: false, error }
  }
}

/** Adapty server-side API: `DELETE /api/v2/server-side-api/profile/`, one profile per call, 204 when done. */
export function adapty(options: AdaptyOptions): Provider {
  const parsed = parseProviderOptions(NAME, schema, options)
  const api = adaptyApi(parsed)
  const field = parsed.customerUserIdFrom ?? 'userId'
  return defineProvider({
    name: NAME,
    specificationVersion: 1,
    options,
    secrets: [parsed.apiKey],
    baseURL: 'https://api.adapty.io',
    // No bulk endpoint. The rate limit is per key and unpublished, so only concurrency is capped.
    limits: { batchSize: 1, concurrency: 8 },
    match(subject) {
      const profileId = subject.ids?.[NAME]
      const customerUserId = subject[field]
      if (profileId) return { kind: 'profile_id', value: profileId }
      return customerUserId ? { kind: 'customer_user_id', value: customerUserId } : undefined
    },
    check: identityProblem,
    erase: async ([identifier], ctx) => [await deleteOne(ctx, api, identifier!, parsed.verify)],
  })
}
