/** The emulator on its own: strictness, vendor bodies, faults, store, and over real HTTP. */
import { afterEach, describe, expect, it } from 'vitest'
import { createEraser } from '@erasekit/core'
import { serve, type Served } from '@erasekit/core/testing/node'
import { batch } from '@erasekit/batch'
import { createBatchEmulator, MAX_BULK_IDS } from '@erasekit/batch/emulator'

const REST = 'BATCH_REST_API_KEY'
const KEY = 'BATCH_API_KEY'
const HOST = 'https://api.batch.com'
const headers = { 'content-type': 'application/json', 'x-authorization': REST }

async function call(emulator: ReturnType<typeof createBatchEmulator>, method: string, path: string, body?: unknown, extra: Record<string, string | undefined> = {}) {
  const merged = Object.fromEntries(Object.entries({ ...headers, ...extra }).filter(([, value]) => value !== undefined)) as Record<string, string>
  const response = await emulator.fetch(`${HOST}${path}`, {
    method,
    headers: merged,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined }
}

describe('defaults and success bodies', () => {
  it('answers a single delete with 200 {token} and queues it', async () => {
    const emulator = createBatchEmulator()
    emulator.store.add(KEY, 'a/b?c#d', { x: 1 })
    const response = await call(emulator, 'DELETE', `/1.0/${KEY}/data/users/${encodeURIComponent('a/b?c#d')}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(Object.keys(response.body!)).toEqual(['token'])
    expect(response.body!.token).toMatch(/^[0-9a-f-]{36}$/)
    expect(emulator.store.deletions).toEqual([{ token: response.body!.token, appKey: KEY, ids: ['a/b?c#d'], status: 'queued' }])
    expect(emulator.store.has(KEY, 'a/b?c#d')).toBe(true)
    emulator.store.process()
    expect(emulator.store.deletions[0]!.status).toBe('done')
    expect(emulator.store.has(KEY, 'a/b?c#d')).toBe(false)
  })

  it('accepts a bulk delete of exactly 10 000 ids', async () => {
    const emulator = createBatchEmulator()
    const ids = Array.from({ length: MAX_BULK_IDS }, (_, i) => `u${i}`)
    const response = await call(emulator, 'DELETE', `/1.0/${KEY}/data/users`, ids)
    expect(response.status).toBe(200)
    expect(emulator.store.deletions[0]!.ids).toHaveLength(10_000)
  })

  it('ignores a stray body on a single delete', async () => {
    const emulator = createBatchEmulator()
    expect((await call(emulator, 'DELETE', `/1.0/${KEY}/data/users/u1`, ['other'])).status).toBe(200)
    expect(emulator.store.deletions[0]!.ids).toEqual(['u1'])
  })

  it('applies work at once with processImmediately', async () => {
    const emulator = createBatchEmulator({ processImmediately: true })
    emulator.store.add(KEY, 'u1')
    emulator.store.add(KEY, 'u2')
    await call(emulator, 'DELETE', `/1.0/${KEY}/data/users/u1`)
    await call(emulator, 'POST', `/1.0/${KEY}/gdpr/request`, { request_type: 'remove', id: { type: 'custom_id', value: 'u2' } })
    expect(emulator.store.has(KEY, 'u1')).toBe(false)
    expect(emulator.store.has(KEY, 'u2')).toBe(false)
    expect(emulator.store.gdprRequests[0]!.status).toBe('done')
  })
})

describe('strictness', () => {
  const emulator = createBatchEmulator({ restKey: REST, appKeys: [KEY, 'OTHER_KEY'] })

  it.each([
    ['missing X-Authorization', { 'x-authorization': undefined }],
    ['wrong X-Authorization', { 'x-authorization': 'nope' }],
    ['Authorization: Bearer instead', { 'x-authorization': undefined, authorization: `Bearer ${REST}` }],
  ])('%s → 401 AUTHENTICATION_INVALID', async (_, extra) => {
    const response = await call(emulator, 'DELETE', `/1.0/${KEY}/data/users/u1`, undefined, extra)
    expect(response.status).toBe(401)
    expect(response.body).toEqual({ error_code: 'AUTHENTICATION_INVALID', error_message: expect.any(String) })
  })

  it.each([
    ['unknown app key', 'DELETE', '/1.0/UNKNOWN/data/users/u1'],
    ['other version', 'DELETE', `/2.0/${KEY}/data/users/u1`],
    ['wrong method', 'POST', `/1.0/${KEY}/data/users/u1`],
    ['GET on users', 'GET', `/1.0/${KEY}/data/users`],
    ['trailing slash', 'DELETE', `/1.0/${KEY}/data/users/`],
    ['unencoded slash in the id', 'DELETE', `/1.0/${KEY}/data/users/a/b`],
    ['unknown resource', 'DELETE', `/1.0/${KEY}/data/people/u1`],
    ['gdpr with GET on create', 'GET', `/1.0/${KEY}/gdpr/request`],
    ['unknown gdpr request id', 'GET', `/1.0/${KEY}/gdpr/request/nope`],
    ['root', 'GET', '/'],
  ])('%s → 404 ROUTE_NOT_FOUND', async (_, method, path) => {
    const response = await call(emulator, method, path, method === 'POST' ? [] : undefined)
    expect(response.status).toBe(404)
    expect(response.body).toMatchObject({ error_code: 'ROUTE_NOT_FOUND' })
  })

  it.each([
    ['not JSON', '["a", ', undefined, 'MALFORMED_JSON_BODY'],
    ['no JSON content type', '["a"]', { 'content-type': 'text/plain' }, 'MALFORMED_JSON_BODY'],
    ['no body', undefined, undefined, 'MISSING_PARAMETER'],
    ['an object', { ids: ['a'] }, undefined, 'MALFORMED_PARAMETER'],
    ['an empty array', [], undefined, 'MALFORMED_PARAMETER'],
    ['numbers', [1, 2], undefined, 'MALFORMED_PARAMETER'],
    ['an empty id', ['a', ''], undefined, 'MALFORMED_PARAMETER'],
    ['10 001 ids', Array.from({ length: MAX_BULK_IDS + 1 }, (_, i) => `u${i}`), undefined, 'MALFORMED_PARAMETER'],
    ['an id over 1024 characters', ['x'.repeat(1025)], undefined, 'MALFORMED_PARAMETER'],
  ])('bulk body %s → 400 %s', async (_, body, extra, code) => {
    const response = await call(emulator, 'DELETE', `/1.0/${KEY}/data/users`, body, extra ?? {})
    expect(response.status).toBe(400)
    expect(response.body).toMatchObject({ error_code: code })
  })

  it('rejects a single id over 1024 characters', async () => {
    const response = await call(emulator, 'DELETE', `/1.0/${KEY}/data/users/${'x'.repeat(1025)}`)
    expect(response).toMatchObject({ status: 400, body: { error_code: 'MALFORMED_PARAMETER' } })
  })

  it.each([
    ['not JSON', '{', 'MALFORMED_JSON_BODY'],
    ['an array', [], 'MALFORMED_PARAMETER'],
    ['no request_type', { id: { type: 'custom_id', value: 'u' } }, 'MISSING_PARAMETER'],
    ['no id', { request_type: 'remove' }, 'MISSING_PARAMETER'],
    ['an unknown request_type', { request_type: 'delete', id: { type: 'custom_id', value: 'u' } }, 'MALFORMED_PARAMETER'],
    ['an unknown id type', { request_type: 'remove', id: { type: 'email', value: 'u' } }, 'MALFORMED_PARAMETER'],
    ['an empty id value', { request_type: 'remove', id: { type: 'custom_id', value: '' } }, 'MALFORMED_PARAMETER'],
    ['a bad callback_url', { request_type: 'remove', id: { type: 'custom_id', value: 'u' }, callback_url: 42 }, 'MALFORMED_PARAMETER'],
  ])('gdpr body %s → 400 %s', async (_, body, code) => {
    const response = await call(emulator, 'POST', `/1.0/${KEY}/gdpr/request`, body)
    expect(response).toMatchObject({ status: 400, body: { error_code: code } })
  })

  it('keeps each app key separate', async () => {
    const fresh = createBatchEmulator({ appKeys: [KEY, 'OTHER_KEY'] })
    fresh.store.add(KEY, 'u1')
    fresh.store.add('OTHER_KEY', 'u1')
    await call(fresh, 'DELETE', `/1.0/OTHER_KEY/data/users/u1`)
    fresh.store.process()
    expect(fresh.store.has(KEY, 'u1')).toBe(true)
    expect(fresh.store.has('OTHER_KEY', 'u1')).toBe(false)
  })
})

describe('GDPR requests', () => {
  it('records a request, reports its status, completes it on process()', async () => {
    const emulator = createBatchEmulator()
    emulator.store.add(KEY, 'john.doe', { a: 1 })
    const created = await call(emulator, 'POST', `/1.0/${KEY}/gdpr/request`, {
      request_type: 'remove',
      callback_url: 'https://callback.site',
      id: { type: 'custom_id', value: 'john.doe' },
    })
    expect(created.status).toBe(200)
    const id = created.body!.request_id as string
    expect(id).toMatch(/^[0-9a-f-]{36}$/)

    const pending = await call(emulator, 'GET', `/1.0/${KEY}/gdpr/request/${id}`)
    expect(pending.body).toEqual({
      request_id: id,
      request_date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/),
      status: 'pending',
      request_type: 'remove',
      trigger_type: 'api',
      id: { type: 'custom_id', value: 'john.doe' },
    })
    expect(emulator.store.has(KEY, 'john.doe')).toBe(true)

    emulator.store.process()
    expect(emulator.store.has(KEY, 'john.doe')).toBe(false)
    const done = await call(emulator, 'GET', `/1.0/${KEY}/gdpr/request/${id}`)
    expect(done.body).toMatchObject({ status: 'done' })
    expect(done.body!.error).toBeUndefined()
  })

  it('lists the app key\'s requests (GET gdpr/requests), as status items', async () => {
    const emulator = createBatchEmulator({ appKeys: [KEY, 'OTHER_KEY'] })
    await call(emulator, 'POST', `/1.0/${KEY}/gdpr/request`, { request_type: 'remove', id: { type: 'custom_id', value: 'a' }, callback_url: 'https://cb.example' })
    await call(emulator, 'POST', `/1.0/OTHER_KEY/gdpr/request`, { request_type: 'remove', id: { type: 'custom_id', value: 'b' } })
    const listed = await call(emulator, 'GET', `/1.0/${KEY}/gdpr/requests`)
    expect(listed.status).toBe(200)
    expect(listed.body).toEqual([expect.objectContaining({ status: 'pending', request_type: 'remove', id: { type: 'custom_id', value: 'a' } })])
    expect(Object.keys((listed.body as unknown as object[])[0]!).sort()).toEqual(['id', 'request_date', 'request_id', 'request_type', 'status', 'trigger_type'])
  })

  it('ends an unknown user with "user not found"; a review request keeps the data', async () => {
    const emulator = createBatchEmulator()
    emulator.store.add(KEY, 'kept')
    await call(emulator, 'POST', `/1.0/${KEY}/gdpr/request`, { request_type: 'remove', id: { type: 'custom_id', value: 'ghost' } })
    await call(emulator, 'POST', `/1.0/${KEY}/gdpr/request`, { request_type: 'review', id: { type: 'custom_id', value: 'kept' } })
    emulator.store.process()
    expect(emulator.store.gdprRequests.map((request) => [request.status, request.error])).toEqual([
      ['done', 'user not found'],
      ['done', undefined],
    ])
    expect(emulator.store.has(KEY, 'kept')).toBe(true)
  })
})

describe('faults', () => {
  it('429 carries Retry-After and a JSON error body', async () => {
    const emulator = createBatchEmulator()
    emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 7 })
    const response = await call(emulator, 'DELETE', `/1.0/${KEY}/data/users/u1`)
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('7')
    expect(response.body).toMatchObject({ error_code: expect.any(String), error_message: expect.any(String) })
    expect(emulator.store.deletions).toHaveLength(0)
  })

  it.each([
    [500, 'SERVER_ERROR'],
    [503, 'MAINTENANCE_ERROR'],
    [502, 'SERVER_ERROR'],
    [403, 'API_MISUSE'],
    [401, 'AUTHENTICATION_INVALID'],
  ])('%i answers with %s', async (status, code) => {
    const emulator = createBatchEmulator()
    emulator.inject({ kind: 'server_error', status })
    const response = await call(emulator, 'DELETE', `/1.0/${KEY}/data/users/u1`)
    expect(response).toMatchObject({ status, body: { error_code: code } })
  })

  it('drops and malformed bodies, then recovers; the log records each fault', async () => {
    const emulator = createBatchEmulator()
    emulator.inject({ kind: 'drop' })
    await expect(call(emulator, 'DELETE', `/1.0/${KEY}/data/users/u1`)).rejects.toThrow(/connection lost/i)
    emulator.inject({ kind: 'malformed' })
    const malformed = await emulator.fetch(`${HOST}/1.0/${KEY}/data/users/u1`, { method: 'DELETE', headers })
    expect(malformed.status).toBe(200)
    await expect(malformed.json()).rejects.toThrow()
    expect((await call(emulator, 'DELETE', `/1.0/${KEY}/data/users/u1`)).status).toBe(200)
    expect(emulator.requests.map((request) => request.fault)).toEqual(['drop', 'malformed', undefined])
    expect(emulator.store.deletions).toHaveLength(1)
  })

  it('enforces optional limits', async () => {
    const emulator = createBatchEmulator({ limits: { rate: { requests: 1, perMs: 60_000 } } })
    expect((await call(emulator, 'DELETE', `/1.0/${KEY}/data/users/u1`)).status).toBe(200)
    const limited = await call(emulator, 'DELETE', `/1.0/${KEY}/data/users/u2`)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
  })
})

describe('store', () => {
  it('adds, reads and clears', () => {
    const emulator = createBatchEmulator()
    emulator.store.add(KEY, 'u1', { tier: 'gold' })
    expect(emulator.store.get(KEY, 'u1')).toEqual({ tier: 'gold' })
    expect(emulator.store.has(KEY, 'u2')).toBe(false)
    emulator.store.clear()
    expect(emulator.store.has(KEY, 'u1')).toBe(false)
    expect(emulator.restKey).toBe(REST)
    expect(emulator.appKeys).toEqual([KEY])
  })
})

describe('over real HTTP', () => {
  let server: Served | undefined
  afterEach(async () => {
    await server?.close()
  })

  it('serves the provider end to end', async () => {
    const emulator = createBatchEmulator({ restKey: 'rk', appKeys: ['ios-key', 'android-key'] })
    emulator.store.add('ios-key', 'a/b?c#d')
    server = await serve(emulator)
    const eraser = createEraser({ providers: [batch({ restKey: 'rk', appKeys: { ios: 'ios-key', android: 'android-key' }, baseURL: server.url })] })
    const report = await eraser.erase({ userId: 'a/b?c#d' })
    expect(report.outcomes.map((outcome) => [outcome.target, outcome.status])).toEqual([
      ['ios', 'accepted'],
      ['android', 'accepted'],
    ])
    emulator.store.process()
    expect(emulator.store.has('ios-key', 'a/b?c#d')).toBe(false)
  })
})
