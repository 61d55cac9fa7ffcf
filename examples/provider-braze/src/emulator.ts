/**
 * An offline Braze REST API for `POST /users/delete`, built on the emulator kit of
 * `@erasekit/core/testing` (request log, fault injection, latency). Web APIs only, so it runs
 * in Workers too; `serve()` from `@erasekit/core/testing/node` puts it behind a loopback server.
 *
 * Documented [doc]: the route, Bearer auth, one identifier type per request, 50 per request,
 * the `{ deleted }` answer (ids queued for deletion), 401 for an unknown or missing key, 404 for
 * an unknown key, 429 over the rate limit, X-RateLimit-* headers, 20 000 requests per minute.
 * Inferred [inferred]: the 201 status of a success and its `message: "success"`, that `deleted`
 * counts the profiles found, the wording of error messages, the order of checks.
 */
import { createEmulatorKit, json, type EmulatorHandle, type EmulatorRequest, type EmulatorLimits, type HeaderInit } from '@erasekit/core/testing'

export interface BrazeAlias {
  alias_name: string
  alias_label: string
}

export interface BrazeUserSeed {
  externalId?: string
  brazeId?: string
  aliases?: BrazeAlias[]
  email?: string
  phone?: string
  /** For `most_recently_updated` prioritization. Default: now. */
  updatedAt?: number
}

export interface BrazeUser {
  brazeId: string
  externalId?: string
  aliases: BrazeAlias[]
  email?: string
  phone?: string
  updatedAt: number
}

export type BrazeLookup = { externalId: string } | { brazeId: string } | { alias: BrazeAlias }

/** One accepted `/users/delete` call. */
export interface BrazeDeletion {
  key: (typeof KEYS)[number]
  /** How many identifiers the request carried. */
  requested: number
  /** The profiles found (braze ids), deleted on `process()` unless processed immediately. */
  matched: string[]
  status: 'queued' | 'done'
}

export interface BrazeStore {
  add(seed?: BrazeUserSeed): BrazeUser
  has(lookup: BrazeLookup): boolean
  get(lookup: BrazeLookup): BrazeUser | undefined
  readonly size: number
  /** Every accepted delete call, in order. */
  readonly deletions: BrazeDeletion[]
  /** Completes queued deletions (when `processImmediately` is false). */
  process(): void
  clear(): void
}

export interface BrazeEmulatorOptions {
  /** The REST API key accepted as `Authorization: Bearer <key>`. Default `braze-emulator-rest-key`. */
  apiKey?: string
  /** Status for a well-formed but unknown key: Braze documents both 401 and 404. Default 401. */
  unknownKeyStatus?: 401 | 404
  /** Fixed-window rate limit with X-RateLimit-* headers. Default 20 000 per 60 000 ms; `false` turns it off. */
  rateLimit?: { requests: number; perMs: number } | false
  /** Deletions complete when received (Braze: "usually in under a second"). Default true; false queues them until `store.process()`. */
  processImmediately?: boolean
  /** Added to every response, ms. */
  latencyMs?: number
  /** The kit's concurrency / token-bucket limits, on top of the fixed window. */
  limits?: EmulatorLimits
  /** Seeded randomness for `rate` faults. */
  random?: () => number
}

export type BrazeEmulator = EmulatorHandle & { readonly apiKey: string; readonly store: BrazeStore }

const KEYS = ['external_ids', 'user_aliases', 'braze_ids', 'email_addresses', 'phone_numbers'] as const
export const MAX_IDS_PER_REQUEST = 50
const PRIORITIES = ['identified', 'unidentified', 'most_recently_updated']

const error = (status: number, message: string, headers?: HeaderInit) => json(status, { message }, headers)
const isString = (value: unknown): value is string => typeof value === 'string' && value !== ''
const hex = () => crypto.randomUUID().replaceAll('-', '').slice(0, 24)

export function createBrazeEmulator(options: BrazeEmulatorOptions = {}): BrazeEmulator {
  const apiKey = options.apiKey ?? 'braze-emulator-rest-key'
  const window = options.rateLimit === false ? undefined : (options.rateLimit ?? { requests: 20_000, perMs: 60_000 })
  const users = new Map<string, BrazeUser>()
  const deletions: BrazeDeletion[] = []
  let windowStart = 0
  let used = 0

  const find = (lookup: BrazeLookup): BrazeUser | undefined => {
    if ('brazeId' in lookup) return users.get(lookup.brazeId)
    for (const user of users.values()) {
      if ('externalId' in lookup ? user.externalId === lookup.externalId : user.aliases.some((a) => a.alias_name === lookup.alias.alias_name && a.alias_label === lookup.alias.alias_label)) return user
    }
    return undefined
  }

  const apply = (deletion: BrazeDeletion) => {
    for (const id of deletion.matched) users.delete(id)
    deletion.status = 'done'
  }

  const store: BrazeStore = {
    add(seed = {}) {
      const user: BrazeUser = { brazeId: seed.brazeId ?? hex(), aliases: [...(seed.aliases ?? [])], updatedAt: seed.updatedAt ?? Date.now() }
      if (users.has(user.brazeId) || (seed.externalId !== undefined && find({ externalId: seed.externalId }))) throw new Error('user already in the store')
      for (const key of ['externalId', 'email', 'phone'] as const) if (seed[key] !== undefined) user[key] = seed[key]
      users.set(user.brazeId, user)
      return user
    },
    has: (lookup) => find(lookup) !== undefined,
    get: (lookup) => find(lookup),
    get size() {
      return users.size
    },
    deletions,
    process() {
      for (const deletion of deletions) if (deletion.status === 'queued') apply(deletion)
    },
    clear() {
      users.clear()
      deletions.length = 0
    },
  }

  /** Fixed window: X-RateLimit-* on every answer, 429 once the window is spent [doc]. */
  const rateHeaders = (): { headers: Record<string, string>; over: boolean } => {
    if (!window) return { headers: {}, over: false }
    const now = Date.now()
    if (now - windowStart >= window.perMs) {
      windowStart = now
      used = 0
    }
    const over = used >= window.requests
    if (!over) used++
    const headers = {
      'x-ratelimit-limit': String(window.requests),
      'x-ratelimit-remaining': String(window.requests - used),
      'x-ratelimit-reset': String(Math.ceil((windowStart + window.perMs) / 1000)),
    }
    return { headers, over }
  }

  /** Profiles an email / phone entry names, narrowed by its prioritization; more than one left: none. */
  const byContact = (field: 'email' | 'phone', value: string, prioritization: string[]): BrazeUser[] => {
    let found = [...users.values()].filter((user) => user[field] === value)
    for (const rule of prioritization) {
      if (found.length <= 1) break
      if (rule === 'identified') found = found.filter((user) => user.externalId !== undefined)
      else if (rule === 'unidentified') found = found.filter((user) => user.externalId === undefined)
      else found = [found.reduce((a, b) => (b.updatedAt > a.updatedAt ? b : a))]
    }
    return found.length === 1 ? found : []
  }

  /** The profiles one entry of the request names, or an error message for a malformed entry. */
  const match = (key: BrazeDeletion['key'], entry: unknown): BrazeUser[] | string => {
    if (key === 'external_ids' || key === 'braze_ids') {
      if (!isString(entry)) return `${key} must be an array of strings`
      const user = find(key === 'external_ids' ? { externalId: entry } : { brazeId: entry })
      return user ? [user] : []
    }
    const item = (entry ?? {}) as Record<string, unknown>
    if (key === 'user_aliases') {
      if (!isString(item.alias_name) || !isString(item.alias_label)) return 'user_aliases must be user alias objects'
      const user = find({ alias: { alias_name: item.alias_name, alias_label: item.alias_label } })
      return user ? [user] : []
    }
    const field = key === 'email_addresses' ? 'email' : 'phone'
    const { prioritization } = item
    if (!isString(item[field]) || !Array.isArray(prioritization) || prioritization.length === 0 || !prioritization.every((rule) => PRIORITIES.includes(rule as string))) {
      return `${key} entries need ${field} and a prioritization`
    }
    return byContact(field, item[field] as string, prioritization as string[])
  }

  // #region emulator-handle
  async function handle(request: EmulatorRequest, body: unknown): Promise<Response> {
    const auth = request.headers.get('authorization') ?? ''
    if (!auth.startsWith('Bearer ') || auth.length === 'Bearer '.length) return error(401, 'Invalid API key')
    if (auth.slice('Bearer '.length) !== apiKey) return error(options.unknownKeyStatus ?? 401, 'Invalid API key')
    const { headers, over } = rateHeaders()
    if (over) return error(429, 'Rate limit exceeded', headers)
    if (request.method !== 'POST' || new URL(request.url).pathname !== '/users/delete') return error(404, 'Not Found', headers)
    if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json')) return error(400, 'Bad Request', headers)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return error(400, 'Bad Request', headers)
    const present = KEYS.filter((key) => (body as Record<string, unknown>)[key] !== undefined)
    if (present.length !== 1) return error(400, `Exactly one of ${KEYS.join(', ')} is required`, headers)
    const key = present[0]!
    const entries = (body as Record<string, unknown>)[key]
    if (!Array.isArray(entries) || entries.length === 0) return error(400, `${key} must be a non-empty array`, headers)
    if (entries.length > MAX_IDS_PER_REQUEST) return error(400, 'The max number of ids per request was exceeded', headers)
    const matched = new Set<string>()
    for (const entry of entries) {
      const found = match(key, entry)
      if (typeof found === 'string') return error(400, found, headers)
      for (const user of found) matched.add(user.brazeId)
    }
    const deletion: BrazeDeletion = { key, requested: entries.length, matched: [...matched], status: 'queued' }
    deletions.push(deletion)
    if (options.processImmediately ?? true) apply(deletion)
    return json(201, { deleted: deletion.matched.length, message: 'success' }, headers)
  }
  // #endregion emulator-handle

  // #region emulator-kit
  const kit = createEmulatorKit({
    handle,
    errorResponse(status, headers) {
      if (status !== 429) return error(status, status === 503 ? 'Service Unavailable' : 'Internal Server Error', headers)
      // Braze signals the wait with X-RateLimit-Reset (epoch seconds), not Retry-After [doc].
      const out = new Headers(headers)
      const wait = Number(out.get('retry-after') ?? 1)
      out.delete('retry-after')
      out.set('x-ratelimit-remaining', '0')
      out.set('x-ratelimit-reset', String(Math.floor(Date.now() / 1000) + wait))
      return error(429, 'Rate limit exceeded', out)
    },
    limits: options.limits,
    latencyMs: options.latencyMs,
    random: options.random,
  })
  return Object.assign(kit, { apiKey, store })
  // #endregion emulator-kit
}
