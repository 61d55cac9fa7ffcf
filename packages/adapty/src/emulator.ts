/**
 * An offline Adapty server-side API (v2 and v1 profile endpoints) for tests. Web APIs only.
 * Documented behaviour is followed strictly; undocumented corners are marked [inferred].
 */
import { createEmulatorKit, json, type EmulatorHandle, type EmulatorRequest, type EmulatorLimits } from '@erasekit/core/testing'
import type { AdaptyIdentity, CustomAttribute, Profile, ProfileRequest } from './client'

export interface AdaptyEmulatorOptions {
  /** The secret key accepted in `Authorization: Api-Key <key>`. Default `secret_live_emulator.key`. */
  apiKey?: string | undefined
  /** `app_id` of created profiles. */
  appId?: string | undefined
  /** Added to every response, ms. */
  latencyMs?: number | undefined
  /** Adapty's per-key rate is unpublished, so none is on by default. */
  limits?: EmulatorLimits | undefined
  /** Seeded randomness for `rate` faults. */
  random?: () => number
}

/** Profile fields as in the API (snake_case), plus the identity to seed with. */
export type AdaptyProfileSeed = Partial<Omit<Profile, 'profile_id' | 'customer_user_id'>> & {
  profileId?: string
  customerUserId?: string | null
  /** Create/update fields that are not part of the profile object (first_name, email, installation_meta, ...). */
  fields?: Omit<ProfileRequest, 'custom_attributes'>
}

/** A stored profile: the API object plus the non-returned create/update fields. */
export type AdaptyStoredProfile = Profile & { fields: Omit<ProfileRequest, 'custom_attributes'> }

export interface AdaptyProfileStore {
  /** Seeds a profile; throws when its profile id or customer user id is taken. */
  add(seed?: AdaptyProfileSeed): AdaptyStoredProfile
  get(identity: AdaptyIdentity): AdaptyStoredProfile | undefined
  has(identity: AdaptyIdentity): boolean
  list(): AdaptyStoredProfile[]
  readonly size: number
  /** Profile ids deleted through the API, in order. */
  readonly deleted: readonly string[]
  clear(): void
}

export interface AdaptyEmulator extends EmulatorHandle {
  readonly apiKey: string
  readonly store: AdaptyProfileStore
}

const PATHS: Record<string, 'v1' | 'v2'> = {
  '/api/v2/server-side-api/profile/': 'v2',
  '/api/v1/server-side-api/profiles/': 'v1',
}

const UUID = /^[\da-f]{8}-(?:[\da-f]{4}-){3}[\da-f]{12}$/i
const hex = () => crypto.randomUUID().replaceAll('-', '')

/** Adapty's error envelope (providers.md §1.4). */
const envelope = (status: number, errorCode: string, source: string | null, message: string) => ({
  errors: [{ source, errors: [message] }],
  error_code: errorCode,
  status_code: status,
})

const UNAUTHORIZED = envelope(401, 'not_authenticated', 'non_field_errors', 'Authentication credentials were not provided.')
const NOT_FOUND = envelope(404, 'profile_does_not_exist', null, 'Profile not found')

export function createAdaptyEmulator(options: AdaptyEmulatorOptions = {}): AdaptyEmulator {
  const apiKey = options.apiKey ?? 'secret_live_emulator.key'
  // Drawn on first use: a Worker may not generate random values at global scope, where an emulator is often created.
  let appId = options.appId
  const profiles = new Map<string, AdaptyStoredProfile>()
  const byCustomer = new Map<string, string>()
  const deleted: string[] = []

  const find = (identity: { profileId?: string | null; customerUserId?: string | null }) => {
    const id = identity.profileId?.toLowerCase() ?? (identity.customerUserId == null ? undefined : byCustomer.get(identity.customerUserId))
    return id === undefined ? undefined : profiles.get(id)
  }

  const store: AdaptyProfileStore = {
    add(seed = {}) {
      const { profileId: given, customerUserId = null, fields = {}, ...rest } = seed
      const profileId = given?.toLowerCase() ?? crypto.randomUUID()
      if (profiles.has(profileId)) throw new Error('profile id already in the store')
      if (customerUserId !== null && byCustomer.has(customerUserId)) throw new Error('customer user id already in the store')
      const profile: AdaptyStoredProfile = {
        app_id: (appId ??= crypto.randomUUID()),
        profile_id: profileId,
        customer_user_id: customerUserId,
        total_revenue_usd: 0,
        segment_hash: hex().slice(0, 16),
        timestamp: Date.now(),
        custom_attributes: [],
        access_levels: [],
        subscriptions: [],
        non_subscriptions: [],
        ...rest,
        fields: { ...fields },
      }
      profiles.set(profileId, profile)
      if (customerUserId !== null) byCustomer.set(customerUserId, profileId)
      return profile
    },
    get: (identity) => find(identity),
    has: (identity) => find(identity) !== undefined,
    list: () => [...profiles.values()],
    get size() {
      return profiles.size
    },
    deleted,
    clear() {
      profiles.clear()
      byCustomer.clear()
      deleted.length = 0
    },
  }

  function remove(profile: AdaptyStoredProfile) {
    profiles.delete(profile.profile_id)
    if (profile.customer_user_id !== null) byCustomer.delete(profile.customer_user_id)
    deleted.push(profile.profile_id)
  }

  /** Attributes a profile would hold after `body`: at most 30 per profile [doc], not only per request. */
  function attributeCount(profile: AdaptyStoredProfile, body: ProfileRequest): number {
    const keys = new Set(profile.custom_attributes.map((item) => item.key))
    for (const { key, value } of body.custom_attributes ?? []) value === null || value === '' ? keys.delete(key) : keys.add(key)
    return keys.size
  }
  const TOO_MANY_ATTRIBUTES = ['custom_attributes', 'A profile holds at most 30 custom attributes.'] as const

  function apply(profile: AdaptyStoredProfile, body: ProfileRequest) {
    const { custom_attributes: attributes, ...fields } = body
    Object.assign(profile.fields, fields)
    for (const { key, value } of attributes ?? []) {
      // Prose: an empty or null value removes the attribute.
      profile.custom_attributes = profile.custom_attributes.filter((item) => item.key !== key)
      if (value !== null && value !== '') profile.custom_attributes.push({ key, value } as CustomAttribute)
    }
    profile.timestamp = Date.now()
  }

  async function handle(request: EmulatorRequest, body: unknown): Promise<Response> {
    const { pathname } = new URL(request.url)
    const version = PATHS[pathname]
    // Only the exact slash-terminated routes exist; anything else (a missing trailing slash too)
    // gets the framework's bare 404 without an error_code [inferred].
    if (!version) return new Response('<h1>Not Found</h1><p>The requested resource was not found on this server.</p>', { status: 404, headers: { 'content-type': 'text/html' } })
    // v1 documents a Request-Id on its responses; v2 documents none.
    const extra: HeadersInit = version === 'v1' ? { 'request-id': hex() } : {}
    const reply = (status: number, payload?: unknown) => (payload === undefined ? new Response(null, { status, headers: extra }) : json(status, payload, extra))
    const fail = (status: number, code: string, source: string | null, message: string) => reply(status, envelope(status, code, source, message))

    const { method, headers } = request
    if (!['GET', 'POST', 'PATCH', 'DELETE'].includes(method)) return fail(405, 'method_not_allowed', null, `Method "${method}" not allowed.`) // [inferred]
    if (headers.get('authorization') !== `Api-Key ${apiKey}`) return reply(401, UNAUTHORIZED)

    // Profile ids are UUIDs, which compare without case: kept in lower case.
    const profileId = headers.get('adapty-profile-id')?.toLowerCase() ?? null
    const customerUserId = headers.get('adapty-customer-user-id')
    // "Either adapty-profile-id or adapty-customer-user-id is required"; only create documents both [inferred: 400].
    if (method === 'POST' ? customerUserId === null : (profileId === null) === (customerUserId === null)) {
      const expected = method === 'POST' ? 'adapty-customer-user-id is required' : 'send one of adapty-profile-id, adapty-customer-user-id'
      return fail(400, 'bad_request', 'non_field_errors', expected)
    }
    // [inferred] A 400, not profile_does_not_exist: a client sending a malformed id must not read "already gone".
    if (profileId !== null && !UUID.test(profileId)) return fail(400, 'bad_request', 'adapty-profile-id', 'Must be a valid UUID.')

    let request_: ProfileRequest = {}
    if (method === 'POST' || method === 'PATCH') {
      if (!/^application\/json\b/i.test(headers.get('content-type') ?? '')) {
        return fail(415, 'unsupported_media_type', null, 'Unsupported media type.') // [inferred] "expects application/json"
      }
      if (typeof body === 'string') return fail(400, 'parse_error', null, 'JSON parse error.') // [inferred]
      const problem = validate(body ?? {})
      if (problem) return fail(400, 'validation_error', problem[0], problem[1]) // shape [doc], code [inferred]
      request_ = (body ?? {}) as ProfileRequest
    }

    if (method === 'POST') {
      if (profileId === null) {
        // Only a customer user id: a new profile with a random profile_id [doc]. Taken id: [inferred] 400.
        if (byCustomer.has(customerUserId!)) return fail(400, 'profile_already_exists', 'customer_user_id', 'Profile already exists.')
        const created = store.add({ customerUserId })
        apply(created, request_)
        return reply(200, { data: view(created, version) })
      }
      // Both headers: attach the customer user id to the existing profile [doc].
      const target = profiles.get(profileId)
      if (!target) return reply(404, NOT_FOUND)
      const owner = byCustomer.get(customerUserId!)
      if (owner !== undefined && owner !== profileId) {
        return fail(400, 'customer_user_id_already_used', 'customer_user_id', 'Customer user id belongs to another profile.') // [inferred]
      }
      if (attributeCount(target, request_) > 30) return fail(400, 'validation_error', ...TOO_MANY_ATTRIBUTES) // [inferred]
      if (target.customer_user_id !== null) byCustomer.delete(target.customer_user_id)
      target.customer_user_id = customerUserId
      byCustomer.set(customerUserId!, profileId)
      apply(target, request_)
      return reply(200, { data: view(target, version) })
    }

    const profile = find({ profileId, customerUserId })
    if (!profile) return reply(404, NOT_FOUND)
    if (method === 'DELETE') {
      remove(profile)
      return reply(204)
    }
    if (method === 'PATCH') {
      if (attributeCount(profile, request_) > 30) return fail(400, 'validation_error', ...TOO_MANY_ATTRIBUTES) // [inferred]
      apply(profile, request_)
    }
    return reply(200, { data: view(profile, version) })
  }

  const kit = createEmulatorKit({
    handle,
    errorResponse(status, headers) {
      // 429: documented status, body [inferred] from the envelope. 500: no body schema; the framework's HTML page.
      if (status === 429) return json(429, envelope(429, 'rate_limited', null, 'Request was throttled.'), headers)
      const out = new Headers(headers)
      out.set('content-type', 'text/html')
      return new Response(status === 500 ? '<h1>Server Error (500)</h1>' : `<h1>${status}</h1>`, { status, headers: out })
    },
    limits: options.limits,
    latencyMs: options.latencyMs,
    random: options.random,
  })
  return Object.assign(kit, { apiKey, store })
}

/** The profile as the API returns it; v1 spells offer keys `offer_category`/`offer_type`/`offer_id`. */
function view(profile: AdaptyStoredProfile, version: 'v1' | 'v2'): Profile {
  const { fields: _fields, ...data } = profile
  const copy = structuredClone(data)
  if (version === 'v2') return copy
  for (const item of [...copy.access_levels, ...copy.subscriptions] as { offer: unknown }[]) {
    const offer = item.offer as { category: string; type: string; id: string | null } | null
    if (offer) item.offer = { offer_category: offer.category, offer_type: offer.type, offer_id: offer.id }
  }
  return copy
}

const GENDERS = ['f', 'm', 'o']
// The prose's three; the spec adds adapty and paddle (the stricter reading, like the attribute value limit).
const STORES = ['app_store', 'play_store', 'stripe']
const PLATFORMS = ['iOS', 'macOS', 'iPadOS', 'visionOS', 'Android', 'web']
const STRINGS = ['first_name', 'last_name', 'email', 'phone_number', 'ip_v4_address', 'store_country', 'store_account_token']

/**
 * The ProfileRequest checks, leniently: every field optional (prose), unknown fields ignored,
 * the spec's enums and formats enforced when a field is present. Returns [source, message].
 */
function validate(body: unknown): [string, string] | undefined {
  if (!isObject(body)) return ['non_field_errors', 'Expected a JSON object.']
  const is = (value: unknown, allowed: string[]) => value === undefined || allowed.includes(value as string)
  for (const key of STRINGS) if (body[key] != null && typeof body[key] !== 'string') return [key, 'Not a valid string.']
  if (!is(body.gender, GENDERS)) return ['gender', 'Not a valid choice.']
  if (!is(body.store, STORES)) return ['store', 'Not a valid choice.']
  if (body.birthday !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(body.birthday))) return ['birthday', 'Date has wrong format. Use YYYY-MM-DD.']
  if (body.ip_country !== undefined && !/^[A-Z]{2}$/i.test(String(body.ip_country))) return ['ip_country', 'Expected an ISO 3166 alpha-2 code.']
  if (body.att_status !== undefined && ![0, 1, 2, 3].includes(body.att_status as number)) return ['att_status', 'Not a valid choice.']
  if (body.analytics_disabled !== undefined && typeof body.analytics_disabled !== 'boolean') return ['analytics_disabled', 'Must be a valid boolean.']
  const attributes = body.custom_attributes
  if (attributes !== undefined) {
    if (!Array.isArray(attributes) || attributes.length > 30) return ['custom_attributes', 'Expected a list of at most 30 attributes.']
    for (const item of attributes) {
      // Value limit: 50 (spec) vs 30 (prose); the stricter, so a test never passes on what one reading refuses.
      const value = isObject(item) ? item.value : undefined
      const valueOk = value === null || typeof value === 'number' || (typeof value === 'string' && value.length <= 30)
      if (!isObject(item) || typeof item.key !== 'string' || !/^[\w.-]{1,30}$/.test(item.key) || !valueOk) {
        return ['custom_attributes', 'Invalid attribute: key ≤ 30 chars [A-Za-z0-9._-], value a string ≤ 30 chars, a number or null.']
      }
    }
  }
  const meta = body.installation_meta
  if (meta !== undefined) {
    if (!isObject(meta) || typeof meta.device_id !== 'string' || !UUID.test(meta.device_id)) return ['installation_meta', 'device_id (UUID) is required.']
    if (!is(meta.platform, PLATFORMS)) return ['installation_meta', 'platform: not a valid choice.']
  }
  return undefined
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
