/**
 * erasekit provider for Braze: `POST {rest endpoint}/users/delete`.
 *
 * A third-party package: it uses only the public API of `@erasekit/core`, exactly as anyone
 * outside the erasekit repository could, and validates its options with valibot (any Standard
 * Schema would do). The facts it relies on, with sources and confidence, are in this package's README.
 */
// #region imports
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
import * as v from 'valibot'
// #endregion imports

const NAME = 'braze'

/** REST endpoint per Braze instance (dashboard name → REST origin) [doc]. `baseURL` covers any other. */
export const BRAZE_INSTANCES = {
  'US-01': 'https://rest.iad-01.braze.com',
  'US-02': 'https://rest.iad-02.braze.com',
  'US-03': 'https://rest.iad-03.braze.com',
  'US-04': 'https://rest.iad-04.braze.com',
  'US-05': 'https://rest.iad-05.braze.com',
  'US-06': 'https://rest.iad-06.braze.com',
  'US-07': 'https://rest.iad-07.braze.com',
  'US-08': 'https://rest.iad-08.braze.com',
  'US-10': 'https://rest.us-10.braze.com',
  'EU-01': 'https://rest.fra-01.braze.eu',
  'EU-02': 'https://rest.fra-02.braze.eu',
  'AU-01': 'https://rest.au-01.braze.com',
  'ID-01': 'https://rest.id-01.braze.com',
  'JP-01': 'https://rest.jp-01.braze.com',
  'KR-01': 'https://rest.kr-01.braze.com',
} as const

export type BrazeInstance = keyof typeof BRAZE_INSTANCES
type SubjectField = 'userId' | 'email' | 'phone'

// #region options
export interface BrazeOptions extends CommonProviderOptions {
  /** REST API key with the `users.delete` permission, sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string
  /** The workspace's instance (`US-01`, `EU-01`, ...): picks the REST endpoint. Required unless `baseURL` is given. */
  instance?: BrazeInstance | undefined
  /** The subject field sent as `external_ids` when the subject has no `ids.braze`. Default `userId`. */
  externalIdFrom?: SubjectField | undefined
  /** Also erase by user alias: `{ alias_name: subject[from], alias_label: label }`, when nothing else matches. */
  alias?: { label: string; from: SubjectField } | undefined
}

const fields = ['userId', 'email', 'phone'] as const
const instances = Object.keys(BRAZE_INSTANCES) as [BrazeInstance, ...BrazeInstance[]]

// Messages describe the expectation and never quote the input (valibot's defaults do): it may be a secret.
const text = () => v.pipe(v.string('expected a non-empty string'), v.nonEmpty('expected a non-empty string'))

// Strict, so that a misspelt option (`instanse`) is refused instead of falling back to its default
// (valibot's `v.object` drops unknown keys). It lists the common options, which the core checks.
const anything = v.optional(v.unknown())
const common = { baseURL: anything, fetch: anything, retry: anything, timeout: anything, limits: anything }

const schema = v.strictObject({
  // It travels in a header: a byte fetch would reject must fail here, naming the field.
  apiKey: v.pipe(text(), v.regex(/^[\x21-\x7e]+$/, 'expected printable ASCII without spaces')),
  instance: v.optional(v.picklist(instances, 'expected a Braze instance such as US-01 or EU-01')),
  externalIdFrom: v.optional(v.picklist(fields, 'expected userId, email or phone')),
  alias: v.optional(v.strictObject({ label: text(), from: v.picklist(fields, 'expected userId, email or phone') }, 'expected { label, from }')),
  ...common,
})
// #endregion options

/** Identifier kind → the body key Braze expects. Only one key may be sent per request [doc]. */
const BODY_KEYS = { braze_id: 'braze_ids', external_id: 'external_ids', user_alias: 'user_aliases' } as const
type Kind = keyof typeof BODY_KEYS

// #region factory
// #region define
export function braze(options: BrazeOptions): Provider {
  const o = parseProviderOptions(NAME, schema, options)
  if (!o.instance && !options.baseURL) {
    throw new ErasureError('invalid_config', 'options.instance: required (or options.baseURL)', { provider: NAME })
  }
  const externalIdFrom = o.externalIdFrom ?? 'userId'
  const headers = { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' }

  return defineProvider({
    name: NAME,
    specificationVersion: 1,
    options,
    secrets: [o.apiKey],
    baseURL: BRAZE_INSTANCES[o.instance ?? 'US-01'],
    // #endregion define
    // #region limits
    // 50 identifiers per request; 20 000 requests per minute per workspace, shared with
    // /users/alias/new, /users/identify, /users/merge and /users/alias/update [doc].
    limits: { batchSize: 50, rate: { requests: 20_000, perMs: 60_000 } },
    // #endregion limits
    // #region match
    match(subject) {
      const brazeId = subject.ids?.braze
      if (brazeId) return { kind: 'braze_id', value: brazeId }
      const externalId = subject[externalIdFrom]
      if (externalId) return { kind: 'external_id', value: externalId }
      const alias = o.alias && subject[o.alias.from]
      return alias ? { kind: 'user_alias', value: alias } : undefined
    },
    // #endregion match
    // #region erase
    async erase(identifiers, ctx) {
      const settled = new Map<Kind, ProviderResult>()
      let rethrow: unknown
      // One request per identifier kind, one after the other (a mixed batch is rare).
      for (const kind of Object.keys(BODY_KEYS) as Kind[]) {
        const values = identifiers.filter((id) => id.kind === kind).map((id) => id.value)
        if (values.length === 0) continue
        const ids = kind === 'user_alias' ? values.map((name) => ({ alias_name: name, alias_label: o.alias!.label })) : values
        const sent = ctx.attempts
        try {
          const result = await ctx.request(
            { method: 'POST', url: '/users/delete', headers, body: { [BODY_KEYS[kind]]: ids } },
            (response) => toResult(response, ctx),
          )
          settled.set(kind, result)
        } catch (error) {
          // A failed request fails only its own kind. Anything that is not an ErasureError
          // (the core's dry-run stop) is rethrown once every kind had its turn.
          if (ErasureError.isInstance(error)) settled.set(kind, { status: 'failed', error })
          else rethrow ??= error
        }
        // This request's attempts, not the whole batch's.
        const result = settled.get(kind)
        if (result) result.attempts = ctx.attempts - sent
      }
      if (rethrow !== undefined) throw rethrow
      return identifiers.map((id) => settled.get(id.kind as Kind)!)
    },
    // #endregion erase
  })
}
// #endregion factory

// #region map
/**
 * Braze answers a delete with `{ deleted: n }` ("number of user IDs queued for deletion") [doc]:
 * the deletion is queued, so success is `accepted`, never `deleted`. `n` does not say which ids
 * were known, so no identifier is ever reported `not_found`. During maintenance Braze may answer
 * 202 `{ message: "queued" }` [doc]: accepted as well.
 */
function toResult(response: ProviderResponse, ctx: EraseContext): ProviderResult {
  const { status } = response
  const body = (typeof response.data === 'object' && response.data !== null ? response.data : {}) as { deleted?: unknown; message?: unknown }
  const message = typeof body.message === 'string' ? body.message : undefined
  if (status >= 200 && status < 300) {
    if (typeof body.deleted === 'number' || message === 'success' || message === 'queued') return { status: 'accepted', httpStatus: status }
    // A 2xx without what Braze promises: the core's invalid_response (retryable).
    throw ctx.responseError(response, { message })
  }
  // 404 means "Unknown REST API Key" on Braze [doc]: a credential problem, never "user not found".
  if (status === 404) throw new ErasureError('unauthorized', 'HTTP 404: unknown REST API key', { provider: NAME, status })
  throw ctx.responseError(response, { message })
}
// #endregion map

