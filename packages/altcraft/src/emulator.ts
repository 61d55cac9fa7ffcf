/**
 * An offline Altcraft user API (`POST /api/v1.1/profiles/delete`), strict about what the
 * docs require. Web APIs only. Facts marked [inferred] are not documented by Altcraft:
 * error texts other than "API token required", the "profile not found" code, the body of
 * 429/5xx answers, and whether errors travel with HTTP 200 (see `errorTransport`).
 */
import { createEmulatorKit, type EmulatorHandle, type EmulatorRequest, type EmulatorLimits, json } from '@erasekit/core/testing'

export interface AltcraftEmulatorOptions {
  /** The valid API token (body `token` or `Authorization: Bearer`). Default `altcraft-emulator-token`. */
  token?: string | undefined
  /** A valid token whose role lacks the "delete profiles" permission: answered with error 403. */
  restrictedToken?: string | undefined
  /**
   * How errors travel [inferred: the doc sentence is cut off]: `http200` (default) = HTTP 200
   * with `{error, error_text}`; `status` = the HTTP status equals the error code.
   */
  errorTransport?: 'http200' | 'status' | undefined
  /**
   * How emails are compared: `insensitive` (default [inferred]) or `exact`, the other reading of
   * Altcraft's undocumented matching, under which a mixed-case email finds only its own form.
   */
  emailCase?: 'insensitive' | 'exact' | undefined
  /** Database ids that exist from the start. Default `[1]`; `store.add` creates more. */
  databases?: number[] | undefined
  /** Altcraft publishes no limits, so none apply unless given. */
  limits?: EmulatorLimits | undefined
  latencyMs?: number | undefined
  random?: () => number
}

export interface AltcraftProfileInput {
  email?: string | undefined
  phone?: string | undefined
  /** Custom database fields, e.g. `{ CRM_ID: '123420' }`. */
  fields?: Record<string, string | number> | undefined
  /** Resource ids the profile is subscribed to (for `resource_id` narrowing). */
  resources?: number[] | undefined
  /** A given id (24 hex characters, e.g. from providers.md T1); a generated one otherwise. */
  profile_id?: string | undefined
}

export interface AltcraftProfile extends AltcraftProfileInput {
  /** 24 hex characters, like Altcraft's ids. */
  profile_id: string
}

export interface AltcraftStore {
  /** Adds a profile (creating the database when needed) and returns its profile_id. */
  add(dbId: number, profile?: AltcraftProfileInput): string
  has(dbId: number, profileId: string): boolean
  get(dbId: number, profileId: string): AltcraftProfile | undefined
  /** Profiles in a database. */
  count(dbId: number): number
  /** Every deletion, in order. */
  readonly deleted: { dbId: number; profileId: string }[]
  clear(): void
}

export interface AltcraftEmulator extends EmulatorHandle {
  readonly store: AltcraftStore
  readonly token: string
  /** Answers the next `times` authenticated requests with this Altcraft error (e.g. 402 tariff limit). */
  failWith(error: number, errorText: string, plan?: { times?: number }): void
}

export const DELETE_PATH = '/api/v1.1/profiles/delete'
const XML = /^(application|text)\/xml\b/i
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" }
const ESCAPES = Object.fromEntries(Object.entries(ENTITIES).map(([entity, char]) => [char, entity]))

/** T2's request: one flat `<xml>` element of fields; db_id and resource_id are numbers. Undefined when it is not that. */
function fromXml(text: string): Record<string, unknown> | undefined {
  const inner = /^\s*<xml>([\s\S]*)<\/xml>\s*$/.exec(text)?.[1]
  if (inner === undefined) return undefined
  const fields: Record<string, unknown> = {}
  for (const [, key, raw] of inner.matchAll(/<(\w+)>([^<]*)<\/\1>/g)) {
    const value = raw!.replace(/&(amp|lt|gt|quot|apos);/g, (entity) => ENTITIES[entity]!)
    fields[key!] = key === 'db_id' || key === 'resource_id' ? Number(value) : value
  }
  return fields
}

/** T2's response layout: one element per line, `data` nested. */
function toXml(value: Record<string, unknown>): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char]!)
  const element = (key: string, item: unknown): string =>
    typeof item === 'object' && item !== null
      ? `<${key}>\n${Object.entries(item).map(([name, child]) => element(name, child)).join('')}</${key}>\n`
      : `<${key}>${escape(String(item))}</${key}>\n`
  return element('xml', value).trimEnd()
}
const MODES = ['email', 'phone', 'profile_id', 'custom']

export function createAltcraftEmulator(options: AltcraftEmulatorOptions = {}): AltcraftEmulator {
  const token = options.token ?? 'altcraft-emulator-token'
  const databases = new Map<number, Map<string, AltcraftProfile>>()
  const deleted: { dbId: number; profileId: string }[] = []
  const queued: { error: number; text: string; times: number }[] = []
  let sequence = 0
  const init = () => {
    databases.clear()
    for (const id of options.databases ?? [1]) databases.set(id, new Map())
  }
  init()

  const envelope = (status: number, error: number, text: string, headers?: HeadersInit) =>
    json(status, { error, error_text: text }, headers)
  // The documented envelope; the HTTP status is 200 unless errorTransport is 'status'.
  const fail = (error: number, text: string) => envelope(options.errorTransport === 'status' ? error : 200, error, text)

  /**
   * Profiles by database and email (lower-cased) or phone: a delete finds its profile without
   * scanning the store (50 000 profiles made each scan 9.5 ms). A profile leaves the index when it
   * is deleted or replaced, under the keys it was filed under. store.get() hands out a view that
   * refiles the profile when its email or phone is set. The first in store order wins, as a scan
   * would find it.
   */
  let index: Map<string, AltcraftProfile[]> | undefined
  const filedUnder = new WeakMap<AltcraftProfile, string[]>()
  /** Store order: a profile re-added under its id keeps its place, as a Map key does. */
  const rank = new WeakMap<AltcraftProfile, number>()
  let ranked = 0
  const foldEmail = (email: string) => (options.emailCase === 'exact' ? email : email.toLowerCase())
  const keyOf = (dbId: number, field: 'email' | 'phone', value: string) => `${dbId}\0${field}\0${field === 'email' ? foldEmail(value) : value}`
  const file = (dbId: number, profile: AltcraftProfile) => {
    if (!index) return
    const keys = (['email', 'phone'] as const).flatMap((field) => (typeof profile[field] === 'string' ? [keyOf(dbId, field, profile[field])] : []))
    for (const key of keys) index.get(key)?.push(profile) ?? index.set(key, [profile])
    filedUnder.set(profile, keys)
  }
  const unfile = (profile: AltcraftProfile) => {
    for (const key of filedUnder.get(profile) ?? []) {
      const rest = index?.get(key)?.filter((entry) => entry !== profile)
      if (rest?.length) index!.set(key, rest)
      else index?.delete(key)
    }
    filedUnder.delete(profile)
  }
  const indexed = () => {
    if (!index) {
      index = new Map()
      for (const [dbId, db] of databases) for (const profile of db.values()) file(dbId, profile)
    }
    return index
  }
  /** What store.get() hands out: the stored profile, refiled when its email or phone changes. */
  const views = new WeakMap<AltcraftProfile, AltcraftProfile>()
  const viewOf = (dbId: number, profile: AltcraftProfile) => {
    let view = views.get(profile)
    if (!view) {
      const refile = <T>(key: string | symbol, change: () => T): T => {
        if (key !== 'email' && key !== 'phone') return change()
        unfile(profile)
        const result = change()
        file(dbId, profile)
        return result
      }
      view = new Proxy(profile, {
        set: (target, key, value) => refile(key, () => Reflect.set(target, key, value)),
        deleteProperty: (target, key) => refile(key, () => Reflect.deleteProperty(target, key)),
      })
      views.set(profile, view)
    }
    return view
  }

  const store: AltcraftStore = {
    add(dbId, profile = {}) {
      const id = profile.profile_id ?? `a1c0f7ed${(++sequence).toString(16).padStart(16, '0')}`
      let db = databases.get(dbId)
      if (!db) databases.set(dbId, (db = new Map()))
      const stored = { ...profile, profile_id: id }
      const replaced = db.get(id)
      rank.set(stored, replaced ? rank.get(replaced)! : ++ranked)
      if (replaced) unfile(replaced)
      db.set(id, stored)
      file(dbId, stored)
      return id
    },
    has: (dbId, profileId) => databases.get(dbId)?.has(profileId) ?? false,
    get: (dbId, profileId) => {
      const profile = databases.get(dbId)?.get(profileId)
      return profile && viewOf(dbId, profile)
    },
    count: (dbId) => databases.get(dbId)?.size ?? 0,
    deleted,
    clear() {
      init()
      index = undefined
      deleted.length = 0
    },
  }

  async function handle(request: EmulatorRequest, body: unknown): Promise<Response> {
    // XML (T2) is answered in XML: the same logic, converted both ways.
    if (!XML.test(request.headers.get('content-type') ?? '')) return handleJson(request, body)
    const response = await handleJson(request, typeof body === 'string' ? fromXml(body) : undefined)
    const headers = new Headers(response.headers)
    headers.set('content-type', 'application/xml; charset=utf-8')
    return new Response(toXml(await response.json()), { status: response.status, headers })
  }

  function handleJson(request: EmulatorRequest, body: unknown): Response {
    const url = new URL(request.url)
    // Unknown routes and methods: a web-server answer, not an API envelope [inferred].
    if (url.pathname !== DELETE_PATH) return envelope(404, 404, 'Not found')
    if (request.method !== 'POST') return envelope(405, 405, 'Method not allowed')
    // The format must be declared: JSON, or XML (T2; its request Content-Type is undocumented, so either XML type).
    const type = request.headers.get('content-type') ?? ''
    if (!/^application\/json\b/i.test(type) && !XML.test(type)) return fail(400, 'Incorrect request: unsupported content type')
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(400, 'Incorrect request')
    const params = body as Record<string, unknown>

    const bearer = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1]
    const given = bearer ?? params.token
    if (given === undefined || given === '') return fail(401, 'API token required') // text from the docs' error table
    if (given === options.restrictedToken) return fail(403, 'Access denied') // [inferred] text
    if (given !== token) return fail(401, 'Invalid API token') // [inferred] text

    const injected = queued[0]
    if (injected) {
      if (--injected.times <= 0) queued.shift()
      return fail(injected.error, injected.text)
    }

    const dbId = params.db_id
    if (typeof dbId !== 'number' || !Number.isInteger(dbId) || dbId < 1) return fail(400, 'Incorrect request: db_id')
    const db = databases.get(dbId)
    if (!db) return fail(400, 'Database not found') // [inferred]
    const matching = params.matching ?? 'email' // documented default
    if (typeof matching !== 'string' || !MODES.includes(matching)) return fail(400, 'Incorrect request: matching')
    const resourceId = params.resource_id
    if (resourceId !== undefined && (typeof resourceId !== 'number' || !Number.isInteger(resourceId))) {
      return fail(400, 'Incorrect request: resource_id')
    }

    let found: (profile: AltcraftProfile) => boolean
    if (matching === 'custom') {
      const name = params.field_name
      const value = params.field_value
      if (typeof name !== 'string' || !name) return fail(400, 'Incorrect request: field_name')
      if ((typeof value !== 'string' || !value) && typeof value !== 'number') return fail(400, 'Incorrect request: field_value')
      found = (profile) => profile.fields?.[name] !== undefined && String(profile.fields[name]) === String(value)
    } else {
      const value = params[matching]
      if (typeof value !== 'string' || !value) return fail(400, `Incorrect request: ${matching}`)
      // Emails compare case-insensitively [inferred] unless emailCase is exact; resource_id narrows email/phone matching to subscribers.
      const inResource = (profile: AltcraftProfile) => resourceId === undefined || (profile.resources ?? []).includes(resourceId as number)
      found =
        matching === 'profile_id'
          ? (profile) => profile.profile_id === value
          : matching === 'email'
            ? (profile) => profile.email !== undefined && foldEmail(profile.email) === foldEmail(value) && inResource(profile)
            : (profile) => profile.phone === value && inResource(profile)
    }
    // By id or through the index; a custom field by a scan. A candidate counts only if still stored
    // and matching; the first in store order wins.
    let profile: AltcraftProfile | undefined
    const value = params[matching as 'email' | 'phone' | 'profile_id']
    const candidates =
      matching === 'custom'
        ? db.values()
        : matching === 'profile_id'
          ? [db.get(value as string)]
          : (indexed().get(keyOf(dbId, matching as 'email' | 'phone', value as string)) ?? [])
    for (const candidate of candidates) {
      if (candidate && db.get(candidate.profile_id) === candidate && found(candidate) && (!profile || rank.get(candidate)! < rank.get(profile)!)) profile = candidate
    }
    // The "not found" code is undocumented; 400 is the inferred choice.
    if (!profile) return fail(400, 'Profile not found')
    db.delete(profile.profile_id)
    unfile(profile)
    deleted.push({ dbId, profileId: profile.profile_id })
    return json(200, { data: { profile_id: profile.profile_id }, error: 0, error_text: 'Successful operation' })
  }

  const kit = createEmulatorKit({
    handle,
    // The body of Altcraft's 429/5xx answers is undocumented: the usual envelope [inferred].
    errorResponse: (status, headers) => envelope(status, status, status === 429 ? 'Too many requests' : 'Internal server error', headers),
    limits: options.limits,
    latencyMs: options.latencyMs,
    random: options.random,
  })

  const { clearFaults } = kit
  return Object.assign(kit, {
    store,
    token,
    failWith(error: number, errorText: string, plan: { times?: number } = {}) {
      const times = plan.times ?? 1
      if (times > 0) queued.push({ error, text: errorText, times })
    },
    /** Drops injected faults, failWith's Altcraft errors included. */
    clearFaults() {
      clearFaults()
      queued.length = 0
    },
  })
}
