import {
  defineProvider,
  ErasureError,
  parseProviderOptions,
  type CommonProviderOptions,
  type EraseContext,
  type Provider,
  type ProviderResponse,
  type ProviderResult,
} from '@erasekit/core'
import * as v from '@erasekit/core/schema'

export type CleverTapRegion = 'eu1' | 'in1' | 'sg1' | 'us1' | 'aps3' | 'mec1'

export interface CleverTapOptions extends CommonProviderOptions {
  /** Project settings → Account ID (sent as X-CleverTap-Account-Id). */
  accountId: string
  /** Account or user passcode (sent as X-CleverTap-Passcode). */
  passcode: string
  /** The account's data region. Default 'eu1' (api.clevertap.com). `baseURL` overrides it. */
  region?: CleverTapRegion | undefined
  /** The subject field sent as `identity` when the subject has no `ids.clevertap` guid. Default 'userId'. */
  identityFrom?: 'userId' | 'email' | 'phone' | undefined
}

const schema = v.object({
  // Both travel in headers.
  accountId: v.credential(),
  passcode: v.credential(),
  region: v.optional(v.oneOf(['eu1', 'in1', 'sg1', 'us1', 'aps3', 'mec1'], 'expected eu1, in1, sg1, us1, aps3 or mec1')),
  identityFrom: v.optional(v.oneOf(['userId', 'email', 'phone'], 'expected userId, email or phone')),
})

/** The two body keys, one per request: CleverTap answers 400 when both are present. */
const KINDS = ['guid', 'identity'] as const

export function clevertap(options: CleverTapOptions): Provider {
  const { accountId, passcode, region = 'eu1', identityFrom = 'userId' } = parseProviderOptions('clevertap', schema, options)
  const headers = {
    'x-clevertap-account-id': accountId,
    'x-clevertap-passcode': passcode,
    'content-type': 'application/json; charset=utf-8',
  }

  return defineProvider({
    name: 'clevertap',
    specificationVersion: 1,
    options,
    // The account id names the customer's account: redacted like the passcode.
    secrets: [accountId, passcode],
    // Europe is the bare host (eu1 is its dashboard name); every other region is a subdomain.
    baseURL: region === 'eu1' ? 'https://api.clevertap.com' : `https://${region}.api.clevertap.com`,
    // The documented limit is on concurrency (3 in flight per account), not on a time window.
    // CleverTap takes at most 100 values per array, so 100 is also the cap (a bigger batch earns 400s).
    limits: { batchSize: 100, concurrency: 3 },
    match(subject) {
      const guid = subject.ids?.clevertap
      if (guid) return { kind: 'guid', value: guid }
      const identity = subject[identityFrom]
      return identity ? { kind: 'identity', value: identity } : undefined
    },
    async erase(identifiers, ctx) {
      const byKind: Partial<Record<string, ProviderResult>> = {}
      let unexpected: unknown
      // One request per kind, sequential, so a mixed batch never exceeds the concurrency budget.
      for (const kind of KINDS) {
        const values = identifiers.filter((id) => id.kind === kind).map((id) => id.value)
        if (!values.length) continue
        const sent = ctx.attempts
        try {
          byKind[kind] = await ctx.request(
            { method: 'POST', url: '/1/delete/profiles.json', headers, body: { [kind]: values } },
            (response) => toResult(response, ctx),
          )
        } catch (error) {
          // A failed kind fails only its own identifiers; anything else (a dry-run stop) is rethrown
          // after the other kind had its turn, so a dry run lists both requests.
          if (ErasureError.isInstance(error)) byKind[kind] = { status: 'failed', error }
          else unexpected ??= error
        }
        // Each kind's outcomes count its own request's attempts, not the other kind's.
        if (byKind[kind]) byKind[kind].attempts = ctx.attempts - sent
      }
      if (unexpected !== undefined) throw unexpected
      return identifiers.map((id) => byKind[id.kind]!)
    },
  })
}

/**
 * Success is a 2xx whose body says `status: "success"`: the profiles are marked for deletion
 * and removed within 48 h, hence `accepted`. CleverTap batch endpoints also answer 200 with
 * `partial`/`fail`; that is a failure of the whole request (no per-id detail is documented).
 * A 404 has no documented meaning here, so it is an error, never `not_found`.
 */
function toResult(response: ProviderResponse, ctx: EraseContext): ProviderResult {
  const { status, error, code } = (response.data ?? {}) as { status?: unknown; error?: unknown; code?: unknown }
  const httpStatus = response.status
  const message = typeof error === 'string' ? error : undefined
  if (httpStatus > 299 || typeof status !== 'string') {
    // Failure bodies are { status: "fail", error, code }; `code` mostly repeats the HTTP status.
    // A 2xx without a status is unreadable: the core's invalid_response, retried. A 204 too: it is
    // in CleverTap's generic status table, never in the delete page's, and a proxy's or a WAF's
    // 204 must not report 100 subjects accepted.
    throw ctx.responseError(response, { providerCode: code as number | undefined, message })
  }
  if (status === 'success') return { status: 'accepted', httpStatus }
  throw new ErasureError('provider_error', `HTTP ${httpStatus} ${status}${message ? `: ${message}` : ''}`, { provider: ctx.provider, status: httpStatus, providerCode: status })
}
