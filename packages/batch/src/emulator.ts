/**
 * An offline Batch (batch.com) MEP API: Custom Data delete (single and bulk) and the GDPR
 * request API, per app key. Web APIs only, so it runs in Workers too.
 *
 * Documented: routes, X-Authorization, the 10 000-id bulk limit, 200 `{token}`, the error
 * names and statuses. Inferred (Batch does not publish them): the error body shape
 * `{error_code, error_message}`, which 400 code each bad body gets, the GDPR create
 * response `200 {request_id}`, and the order of checks (auth, then route, then body).
 */
import { createEmulatorKit, json, type EmulatorHandle, type EmulatorRequest, type EmulatorLimits } from '@erasekit/core/testing'

export interface BatchEmulatorOptions {
  /** The company REST API key expected in `X-Authorization`. Default `BATCH_REST_API_KEY`. */
  restKey?: string | undefined
  /** App keys that exist; any other key in a path is a 404 ROUTE_NOT_FOUND. Default `['BATCH_API_KEY']`. */
  appKeys?: string[] | undefined
  /** Added to every response, ms. */
  latencyMs?: number | undefined
  /** Concurrency / rate limits. Off by default: Batch publishes none for these APIs. */
  limits?: EmulatorLimits | undefined
  /** Seeded randomness for `rate` faults. */
  random?: () => number
  /** Apply deletions and GDPR requests when received, instead of on `store.process()`. Default false. */
  processImmediately?: boolean | undefined
}

/** A Custom Data delete call, as Batch queues it. */
export interface CustomDataDeletion {
  token: string
  appKey: string
  ids: string[]
  status: 'queued' | 'done'
}

/** A GDPR request, in the shape of Batch's status lookup (plus the app key it was sent to). */
export interface GdprRequest {
  request_id: string
  request_date: string
  status: 'pending' | 'done'
  error?: string
  request_type: 'remove' | 'review'
  trigger_type: 'api'
  id: { type: string; value: string }
  callback_url?: string
  appKey: string
}

export interface BatchStore {
  /** Seeds custom data for a custom user id of an app. */
  add(appKey: string, customId: string, data?: Record<string, unknown>): void
  /** True while the custom id still has custom data in that app. */
  has(appKey: string, customId: string): boolean
  get(appKey: string, customId: string): Record<string, unknown> | undefined
  /** Every accepted Custom Data delete call, in order. */
  readonly deletions: CustomDataDeletion[]
  /** Every accepted GDPR request, in order. */
  readonly gdprRequests: GdprRequest[]
  /** Runs Batch's asynchronous processing: queued deletions and pending GDPR requests complete. */
  process(): void
  clear(): void
}

export type BatchEmulator = EmulatorHandle & { store: BatchStore; restKey: string; appKeys: string[] }

/** Batch's documented error names and statuses (numeric codes 10, 12, 20, 30, 31, 32, 1, 2). */
const ERRORS = {
  AUTHENTICATION_INVALID: 401,
  API_MISUSE: 403,
  ROUTE_NOT_FOUND: 404,
  MISSING_PARAMETER: 400,
  MALFORMED_PARAMETER: 400,
  MALFORMED_JSON_BODY: 400,
  SERVER_ERROR: 500,
  MAINTENANCE_ERROR: 503,
} as const

export const MAX_BULK_IDS = 10_000
export const MAX_CUSTOM_ID_LENGTH = 1024
const GDPR_ID_TYPES = ['custom_id', 'advertising_id', 'installation_id']

/** Messages for injected errors (Batch's own wording is not published). */
const MESSAGES: Record<keyof typeof ERRORS, string> = {
  AUTHENTICATION_INVALID: 'Invalid or missing X-Authorization header',
  API_MISUSE: 'This API key cannot use this API',
  ROUTE_NOT_FOUND: 'Route not found',
  MISSING_PARAMETER: 'Missing parameter',
  MALFORMED_PARAMETER: 'Malformed parameter',
  MALFORMED_JSON_BODY: 'Malformed JSON body',
  SERVER_ERROR: 'Internal server error',
  MAINTENANCE_ERROR: 'Service under maintenance',
}

const error = (name: keyof typeof ERRORS, message: string, headers?: HeadersInit) =>
  json(ERRORS[name], { error_code: name, error_message: message }, headers)

export function createBatchEmulator(options: BatchEmulatorOptions = {}): BatchEmulator {
  const restKey = options.restKey ?? 'BATCH_REST_API_KEY'
  const appKeys = options.appKeys ?? ['BATCH_API_KEY']
  const data = new Map<string, Map<string, Record<string, unknown>>>(appKeys.map((key) => [key, new Map()]))
  const deletions: CustomDataDeletion[] = []
  const gdprRequests: GdprRequest[] = []

  const users = (appKey: string) => {
    let map = data.get(appKey)
    if (!map) data.set(appKey, (map = new Map()))
    return map
  }
  const applyDeletion = (deletion: CustomDataDeletion) => {
    for (const id of deletion.ids) users(deletion.appKey).delete(id)
    deletion.status = 'done'
  }
  const applyGdpr = (request: GdprRequest) => {
    const map = users(request.appKey)
    const known = request.id.type === 'custom_id' && map.has(request.id.value)
    if (!known) request.error = 'user not found'
    else if (request.request_type === 'remove') map.delete(request.id.value)
    request.status = 'done'
  }

  const store: BatchStore = {
    add: (appKey, customId, value = {}) => void users(appKey).set(customId, value),
    has: (appKey, customId) => users(appKey).has(customId),
    get: (appKey, customId) => users(appKey).get(customId),
    deletions,
    gdprRequests,
    process() {
      for (const deletion of deletions) if (deletion.status === 'queued') applyDeletion(deletion)
      for (const request of gdprRequests) if (request.status === 'pending') applyGdpr(request)
    },
    clear() {
      data.clear()
      deletions.length = 0
      gdprRequests.length = 0
    },
  }

  const deleteCustomData = (appKey: string, ids: string[]) => {
    const deletion: CustomDataDeletion = { token: crypto.randomUUID(), appKey, ids, status: 'queued' }
    deletions.push(deletion)
    if (options.processImmediately) applyDeletion(deletion)
    return json(200, { token: deletion.token })
  }

  /** The body of a JSON request, or an error response. */
  const readJson = async (request: EmulatorRequest): Promise<{ value: unknown } | Response> => {
    if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json')) {
      return error('MALFORMED_JSON_BODY', 'Content-Type must be application/json')
    }
    const text = await request.text()
    if (!text) return error('MISSING_PARAMETER', 'Missing request body')
    try {
      return { value: JSON.parse(text) }
    } catch {
      return error('MALFORMED_JSON_BODY', 'Malformed JSON body')
    }
  }

  async function handle(request: EmulatorRequest): Promise<Response> {
    if (request.headers.get('x-authorization') !== restKey) {
      return error('AUTHENTICATION_INVALID', 'Invalid or missing X-Authorization header')
    }
    // Raw (still percent-encoded) segments: an encoded "/" inside an id stays inside it.
    const segments = new URL(request.url).pathname.split('/').slice(1)
    let parts: string[]
    try {
      parts = segments.map(decodeURIComponent)
    } catch {
      return error('ROUTE_NOT_FOUND', 'Route not found')
    }
    const [version, appKey, area, resource, id, extra] = parts
    if (version !== '1.0' || !appKey || !appKeys.includes(appKey) || extra !== undefined) {
      return error('ROUTE_NOT_FOUND', 'Route not found')
    }
    const route = `${request.method} ${area}/${resource}${id === undefined ? '' : '/:id'}`

    if (route === 'DELETE data/users/:id') {
      if (!id) return error('ROUTE_NOT_FOUND', 'Route not found')
      if (id.length > MAX_CUSTOM_ID_LENGTH) return error('MALFORMED_PARAMETER', 'Custom user id is too long')
      // A single delete has no payload [doc]; a stray body is ignored.
      return deleteCustomData(appKey, [id])
    }

    if (route === 'DELETE data/users') {
      const body = await readJson(request)
      if (body instanceof Response) return body
      const ids = body.value
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((item) => typeof item === 'string' && item !== '')) {
        return error('MALFORMED_PARAMETER', 'Expected a non-empty array of custom user ids')
      }
      if (ids.length > MAX_BULK_IDS) return error('MALFORMED_PARAMETER', `At most ${MAX_BULK_IDS} custom user ids per call`)
      if (ids.some((item: string) => item.length > MAX_CUSTOM_ID_LENGTH)) return error('MALFORMED_PARAMETER', 'Custom user id is too long')
      return deleteCustomData(appKey, ids as string[])
    }

    if (route === 'POST gdpr/request') {
      const body = await readJson(request)
      if (body instanceof Response) return body
      const value = body.value as Record<string, unknown> | null
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return error('MALFORMED_PARAMETER', 'Expected a JSON object')
      const { request_type: type, id: subject, callback_url: callback } = value as {
        request_type?: unknown
        id?: { type?: unknown; value?: unknown }
        callback_url?: unknown
      }
      if (type === undefined || subject === undefined) return error('MISSING_PARAMETER', 'request_type and id are required')
      if (type !== 'remove' && type !== 'review') return error('MALFORMED_PARAMETER', 'request_type must be remove or review')
      if (
        typeof subject !== 'object' || subject === null ||
        !GDPR_ID_TYPES.includes(subject.type as string) ||
        typeof subject.value !== 'string' || subject.value === '' || subject.value.length > MAX_CUSTOM_ID_LENGTH
      ) {
        return error('MALFORMED_PARAMETER', 'id must be {type, value}')
      }
      if (callback !== undefined && (typeof callback !== 'string' || !/^https?:\/\//.test(callback))) {
        return error('MALFORMED_PARAMETER', 'callback_url must be a URL')
      }
      const entry: GdprRequest = {
        request_id: crypto.randomUUID(),
        request_date: new Date().toISOString().slice(0, 23),
        status: 'pending',
        request_type: type,
        trigger_type: 'api',
        id: { type: subject.type as string, value: subject.value },
        appKey,
        ...(callback === undefined ? {} : { callback_url: callback as string }),
      }
      gdprRequests.push(entry)
      if (options.processImmediately) applyGdpr(entry)
      return json(200, { request_id: entry.request_id })
    }

    if (route === 'GET gdpr/requests') {
      // Listed fields [doc]; the list is answered as a bare array [inferred: its envelope is unpublished].
      return json(200, gdprRequests.filter((item) => item.appKey === appKey).map(({ appKey: _appKey, callback_url: _callback, ...item }) => item))
    }

    if (route === 'GET gdpr/request/:id') {
      const found = gdprRequests.find((item) => item.appKey === appKey && item.request_id === id)
      if (!found) return error('ROUTE_NOT_FOUND', 'Request not found')
      const { appKey: _appKey, callback_url: _callback, ...item } = found
      return json(200, item)
    }

    return error('ROUTE_NOT_FOUND', 'Route not found')
  }

  const kit = createEmulatorKit({
    handle,
    errorResponse(status, headers) {
      // Batch documents no 429 error name; TOO_MANY_REQUESTS is this emulator's label.
      if (status === 429) return json(429, { error_code: 'TOO_MANY_REQUESTS', error_message: 'Too many requests' }, headers)
      // A documented status gets its documented name (403: API_MISUSE, a key without the rights or plan).
      const name = (Object.keys(ERRORS) as (keyof typeof ERRORS)[]).find((key) => ERRORS[key] === status)
      return name ? error(name, MESSAGES[name], headers) : json(status, { error_code: 'SERVER_ERROR', error_message: MESSAGES.SERVER_ERROR }, headers)
    },
    limits: options.limits,
    latencyMs: options.latencyMs,
    random: options.random,
  })
  return Object.assign(kit, { store, restKey, appKeys: [...appKeys] })
}
