/**
 * An offline CleverTap Delete User Profile API (`POST /1/delete/profiles.json`), as documented
 * (providers.md §2). Answers any host, so every region's URL works. Web APIs only.
 */
import { createEmulatorKit, json, type EmulatorHandle, type EmulatorLimits } from '@erasekit/core/testing'

export interface CleverTapEmulatorOptions {
  /** Accepted X-CleverTap-Account-Id. Default 'EMU-ACCOUNT-ID'. */
  accountId?: string | undefined
  /** Accepted X-CleverTap-Passcode. Default 'EMU-PASSCODE'. */
  passcode?: string | undefined
  /** Added to every response, ms. */
  latencyMs?: number | undefined
  /** Over the default `{ maxConcurrent: 3 }` (CleverTap's limit for this API); `{ maxConcurrent: undefined }` turns the cap off. */
  limits?: EmulatorLimits | undefined
  /** Seeded randomness for `rate` faults. */
  random?: () => number
}

export interface CleverTapProfile {
  /** CleverTap's own id (`objectId` elsewhere in its APIs). */
  guid: string
  /** The customer's identity, when one was set. */
  identity?: string
  /** When a delete call marked it (ms since epoch); removal follows within 48 h, see `purge()`. */
  markedAt?: number
}

export interface CleverTapStore {
  /** Seeds a profile; a guid is generated when none is given. */
  add(profile: { identity?: string; guid?: string }): CleverTapProfile
  /** The profile with this guid, else with this identity (marked ones included, purged ones not). */
  get(identityOrGuid: string): CleverTapProfile | undefined
  has(identityOrGuid: string): boolean
  /** True once a delete call marked the profile for deletion. */
  isMarked(identityOrGuid: string): boolean
  /** Profiles marked for deletion and not yet purged. */
  readonly marked: CleverTapProfile[]
  readonly size: number
  /** Simulates CleverTap's deferred removal (≤ 48 h): drops every marked profile; returns how many. */
  purge(): number
  clear(): void
}

export type CleverTapEmulator = EmulatorHandle & {
  readonly store: CleverTapStore
  readonly accountId: string
  readonly passcode: string
}

const PATH = '/1/delete/profiles.json'
/** Documented per-array cap. */
const MAX_VALUES = 100

// Failure bodies follow the one real recording ({status:"fail", error, code} on 401, upload API);
// the texts other than "Account ID is not valid" and "Too many concurrent requests" are inferred.
const fail = (status: number, error: string, headers?: HeadersInit) => json(status, { status: 'fail', error, code: status }, headers)

export function createCleverTapEmulator(options: CleverTapEmulatorOptions = {}): CleverTapEmulator {
  const { accountId = 'EMU-ACCOUNT-ID', passcode = 'EMU-PASSCODE' } = options
  const store = createStore()

  const kit = createEmulatorKit({
    latencyMs: options.latencyMs,
    random: options.random,
    // A `rate` added to the limits keeps the documented cap; only `maxConcurrent: undefined` lifts it.
    limits: { maxConcurrent: 3, ...options.limits },
    errorResponse: (status, headers) =>
      fail(status, status === 429 ? 'Too many concurrent requests' : status === 503 ? 'Service Unavailable' : 'Internal Server Error', headers),
    handle(request, body) {
      // Exact path: no trailing slash, no other version.
      if (new URL(request.url).pathname !== PATH) return fail(404, 'Not Found')
      if (request.method !== 'POST') return fail(405, 'Method Not Allowed')
      if (request.headers.get('x-clevertap-account-id') !== accountId) return fail(401, 'Account ID is not valid')
      if (request.headers.get('x-clevertap-passcode') !== passcode) return fail(401, 'Invalid Credentials')
      if (!/^application\/json\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) return fail(400, 'Content-Type must be application/json')
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(400, 'Invalid JSON payload')
      const payload = body as Record<string, unknown>
      // A null key counts as absent (undocumented; the lenient reading).
      const keys = (['identity', 'guid'] as const).filter((key) => payload[key] != null)
      if (keys.length === 2) return fail(400, 'Pass either identity or guid, not both')
      const key = keys[0]
      if (!key) return fail(400, 'identity or guid is required')
      const raw = payload[key]
      const values = typeof raw === 'string' ? [raw] : raw
      if (!Array.isArray(values) || values.length === 0 || values.some((value) => typeof value !== 'string' || value === '')) {
        return fail(400, `${key} must be a string or an array of strings`)
      }
      if (values.length > MAX_VALUES) return fail(400, `At most ${MAX_VALUES} ${key} values per request`)
      // Unknown ids succeed too: the call only marks profiles (undocumented; low-confidence inference).
      const now = Date.now()
      for (const value of values as string[]) {
        const profile = key === 'guid' ? store.byGuid.get(value) : store.byIdentity.get(value)
        if (profile) profile.markedAt ??= now
      }
      return json(200, { status: 'success' })
    },
  })

  return Object.assign(kit, { store: store.api, accountId, passcode })
}

/** The same function under the name the design's `create<Provider>Emulator` spells from the provider's name, `clevertap`. */
export const createClevertapEmulator = createCleverTapEmulator

function createStore() {
  const byGuid = new Map<string, CleverTapProfile>()
  const byIdentity = new Map<string, CleverTapProfile>()
  // A guid is exact; an identity that happens to equal another profile's guid must not shadow it.
  const find = (id: string) => byGuid.get(id) ?? byIdentity.get(id)
  const remove = (profile: CleverTapProfile) => {
    byGuid.delete(profile.guid)
    if (profile.identity !== undefined) byIdentity.delete(profile.identity)
  }
  const api: CleverTapStore = {
    add({ identity, guid = crypto.randomUUID().replace(/-/g, '') }) {
      const profile: CleverTapProfile = identity === undefined ? { guid } : { guid, identity }
      // Replaces the profile with this guid and the one with this identity (two profiles when re-seeded crosswise).
      for (const previous of [byGuid.get(guid), identity === undefined ? undefined : byIdentity.get(identity)]) if (previous) remove(previous)
      byGuid.set(guid, profile)
      if (identity !== undefined) byIdentity.set(identity, profile)
      return profile
    },
    get: find,
    has: (id) => find(id) !== undefined,
    isMarked: (id) => find(id)?.markedAt !== undefined,
    get marked() {
      return [...byGuid.values()].filter((profile) => profile.markedAt !== undefined)
    },
    get size() {
      return byGuid.size
    },
    purge() {
      const marked = api.marked
      marked.forEach(remove)
      return marked.length
    },
    clear() {
      byGuid.clear()
      byIdentity.clear()
    },
  }
  return { api, byGuid, byIdentity }
}
