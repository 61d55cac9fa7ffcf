/**
 * Contract tests: the exact HTTP requests against a plain loopback server, for the test
 * vectors B1–B4 of reference/providers.md §6.4.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createEraser, type Report } from '@erasekit/core'
import { serve, type Served } from '@erasekit/core/testing/node'
import { batch, type BatchOptions } from '@erasekit/batch'

interface Captured {
  method: string
  path: string
  search: string
  headers: Record<string, string>
  text: string
  body: unknown
}

const TOKEN = 'fd576e9f-8b07-4844-91f9-ecfc2137c6f8'
const fast = { retry: { delayMs: 1, maxRetryAfterMs: 5 } }
let server: Served | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

/** A loopback vendor that records every request and answers with `respond`. */
async function mock(respond: (call: Captured) => Response = () => Response.json({ token: TOKEN })) {
  const calls: Captured[] = []
  server = await serve(async (request) => {
    const url = new URL(request.url)
    const text = await request.text()
    let body: unknown
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      body = text
    }
    const call = { method: request.method, path: url.pathname, search: url.search, headers: Object.fromEntries(request.headers), text, body }
    calls.push(call)
    return respond(call)
  })
  return calls
}

function eraserFor(options: Partial<BatchOptions> = {}) {
  return createEraser({
    providers: [batch({ restKey: 'BATCH_REST_API_KEY', appKeys: { ios: 'BATCH_API_KEY' }, baseURL: server!.url, ...fast, ...options })],
  })
}

async function collect(iterable: AsyncIterable<Report>) {
  const reports: Report[] = []
  for await (const report of iterable) reports.push(report)
  return reports.sort((a, b) => a.subjectRef.localeCompare(b.subjectRef))
}

describe('B1: single delete', () => {
  it('sends DELETE /1.0/{appKey}/data/users/{id} with the two documented headers and no body', async () => {
    const calls = await mock()
    const report = await eraserFor().erase({ ref: 'r1', userId: 'YOUR_USER_ID' })

    expect(calls).toHaveLength(1)
    const [call] = calls
    expect(call!.method).toBe('DELETE')
    expect(call!.path).toBe('/1.0/BATCH_API_KEY/data/users/YOUR_USER_ID')
    expect(call!.search).toBe('')
    expect(call!.headers['content-type']).toBe('application/json')
    expect(call!.headers['x-authorization']).toBe('BATCH_REST_API_KEY')
    expect(call!.headers.authorization).toBeUndefined()
    expect(call!.text).toBe('')

    expect(report.ok).toBe(true)
    expect(report.outcomes).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({
      provider: 'batch',
      target: 'ios',
      subjectRef: 'r1',
      identifier: { kind: 'custom_id' },
      status: 'accepted',
      requestId: TOKEN,
      httpStatus: 200,
      attempts: 1,
    })
  })

  it('percent-encodes the custom id as one path segment', async () => {
    const calls = await mock()
    const report = await eraserFor().erase({ userId: 'a/b?c#d' })
    expect(calls[0]!.path).toBe('/1.0/BATCH_API_KEY/data/users/a%2Fb%3Fc%23d')
    expect(calls[0]!.search).toBe('')
    expect(report.outcomes[0]!.status).toBe('accepted')
  })

  it('encodes spaces, percent signs and non-ASCII ids', async () => {
    const calls = await mock()
    await eraserFor().erase({ userId: 'jöhn 100%' })
    expect(calls[0]!.path).toBe('/1.0/BATCH_API_KEY/data/users/j%C3%B6hn%20100%25')
  })

  it('percent-encodes the app key too', async () => {
    const calls = await mock()
    await eraserFor({ appKeys: { web: 'key/with?odd#chars' } }).erase({ userId: 'u1' })
    expect(calls[0]!.path).toBe('/1.0/key%2Fwith%3Fodd%23chars/data/users/u1')
  })

  it.each(['..', '.'])('sends the dot segment %j through the bulk route: URL parsers would collapse it in a path', async (id) => {
    const calls = await mock()
    const report = await eraserFor().erase({ userId: id })
    expect(calls).toHaveLength(1)
    expect(calls[0]!.method).toBe('DELETE')
    expect(calls[0]!.path).toBe('/1.0/BATCH_API_KEY/data/users')
    expect(calls[0]!.body).toEqual([id])
    expect(report.outcomes[0]!.status).toBe('accepted')
  })

  it('accepts a 200 token that also says code SUCCESS (Batch\'s word for success), sent once', async () => {
    const calls = await mock(() => Response.json({ token: TOKEN, code: 'SUCCESS' }))
    const report = await eraserFor().erase({ userId: 'u1' })
    expect(calls).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', requestId: TOKEN })
  })

  it('treats a 200 without a token as invalid_response', async () => {
    await mock(() => Response.json({ ok: true }))
    const report = await eraserFor({ retry: { limit: 0 } }).erase({ userId: 'u1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: 200, error: { code: 'invalid_response' } })
  })
})

describe('B2: bulk delete', () => {
  it('sends up to 10 000 ids in one DELETE /1.0/{appKey}/data/users with a JSON array body', async () => {
    const calls = await mock()
    const reports = await collect(eraserFor().eraseMany(['user1', 'user2', 'user3'].map((userId, i) => ({ ref: `r${i + 1}`, userId }))))

    expect(calls).toHaveLength(1)
    const [call] = calls
    expect(call!.method).toBe('DELETE')
    expect(call!.path).toBe('/1.0/BATCH_API_KEY/data/users')
    expect(call!.headers['content-type']).toBe('application/json')
    expect(call!.headers['x-authorization']).toBe('BATCH_REST_API_KEY')
    expect(JSON.parse(call!.text)).toEqual(['user1', 'user2', 'user3'])

    expect(reports).toHaveLength(3)
    for (const report of reports) {
      expect(report.outcomes[0]).toMatchObject({ target: 'ios', status: 'accepted', requestId: TOKEN, httpStatus: 200 })
    }
  })

  it('keeps Batch\'s token whole in a bulk call of short numeric ids, many of which occur in it by chance', async () => {
    await mock()
    const reports = await collect(eraserFor().eraseMany(Array.from({ length: 5000 }, (_, i) => ({ userId: String(i + 1) }))))
    expect(reports).toHaveLength(5000)
    // 4844, 8, 9, 91, 2137… are all ids of this batch: the support handle stays as Batch issued it.
    expect(new Set(reports.map((report) => report.outcomes[0]!.requestId))).toEqual(new Set([TOKEN]))
  })

  it('declares 10 000 ids per call and splits larger runs', async () => {
    expect(batch({ restKey: 'k', appKeys: { ios: 'a' } }).limits).toMatchObject({ batchSize: 10_000, maxIdentifierLength: 1024 })
    const calls = await mock()
    // A smaller batch size stands in for 10 000 (a 10 001-subject run is too slow for a unit test).
    const reports = await collect(eraserFor({ limits: { batchSize: 2 } }).eraseMany(['u1', 'u2', 'u3', 'u4', 'u5'].map((userId) => ({ userId }))))
    expect(reports).toHaveLength(5)
    expect(calls.map((call) => call.body ?? call.path.split('/').pop()).flat().sort()).toEqual(['u1', 'u2', 'u3', 'u4', 'u5'])
    expect(calls.map((call) => (Array.isArray(call.body) ? call.body.length : 1)).sort()).toEqual([1, 2, 2])
    expect(reports.every((report) => report.outcomes[0]!.status === 'accepted')).toBe(true)
  })
})

describe('several app keys', () => {
  it('makes one call per app key, each key only in its own URL, outcomes labelled by target', async () => {
    const calls = await mock()
    const report = await eraserFor({ appKeys: { ios: 'IOS_APP_KEY_1', android: 'ANDROID_APP_KEY_2' } }).erase({ userId: 'u1' })

    expect(calls.map((call) => call.path).sort()).toEqual(['/1.0/ANDROID_APP_KEY_2/data/users/u1', '/1.0/IOS_APP_KEY_1/data/users/u1'])
    for (const call of calls) {
      const other = call.path.includes('IOS') ? 'ANDROID_APP_KEY_2' : 'IOS_APP_KEY_1'
      expect(JSON.stringify(call)).not.toContain(other)
    }
    expect(report.outcomes.map((outcome) => outcome.target).sort()).toEqual(['android', 'ios'])
    expect(report.outcomes.every((outcome) => outcome.status === 'accepted')).toBe(true)
    const text = JSON.stringify(report)
    expect(text).not.toContain('IOS_APP_KEY_1')
    expect(text).not.toContain('ANDROID_APP_KEY_2')
  })
})

describe('B3: error statuses', () => {
  const cases = [
    { status: 401, name: 'AUTHENTICATION_INVALID', code: 'unauthorized', retried: false },
    { status: 403, name: 'API_MISUSE', code: 'forbidden', retried: false },
    { status: 404, name: 'ROUTE_NOT_FOUND', code: 'invalid_config', retried: false },
    { status: 400, name: 'MISSING_PARAMETER', code: 'invalid_request', retried: false },
    { status: 400, name: 'MALFORMED_PARAMETER', code: 'invalid_request', retried: false },
    { status: 400, name: 'MALFORMED_JSON_BODY', code: 'invalid_request', retried: false },
    { status: 500, name: 'SERVER_ERROR', code: 'provider_error', retried: true },
    { status: 503, name: 'MAINTENANCE_ERROR', code: 'provider_unavailable', retried: true },
  ] as const

  it.each(cases)('$status $name → $code', async ({ status, name, code, retried }) => {
    const calls = await mock(() => Response.json({ error_code: name, error_message: 'Something went wrong' }, { status }))
    const report = await eraserFor({ retry: { limit: 2, delayMs: 1 } }).erase({ userId: 'u1' })
    const outcome = report.outcomes[0]!
    expect(report.ok).toBe(false)
    expect(outcome).toMatchObject({ status: 'failed', httpStatus: status, error: { code, providerCode: name, retryable: retried } })
    expect(outcome.attempts).toBe(retried ? 3 : 1)
    expect(calls).toHaveLength(retried ? 3 : 1)
  })

  it('never reports a 404 as not_found', async () => {
    await mock(() => new Response('Not Found', { status: 404 }))
    const report = await eraserFor().erase({ userId: 'u1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_config' } })
    expect(report.outcomes[0]!.error!.message).toMatch(/app key/)
  })

  it('reads numeric codes and `code`/`message` keys as well', async () => {
    await mock(() => Response.json({ code: 31, message: 'bad id' }, { status: 400 }))
    const report = await eraserFor().erase({ userId: 'u1' })
    expect(report.outcomes[0]!.error).toMatchObject({ code: 'invalid_request', providerCode: '31' })
    expect(report.outcomes[0]!.error!.message).toContain('bad id')
  })

  it('keeps going with a body that is not JSON', async () => {
    await mock(() => new Response('<html>oops</html>', { status: 403 }))
    const report = await eraserFor().erase({ userId: 'u1' })
    expect(report.outcomes[0]!.error).toMatchObject({ code: 'forbidden' })
    expect(report.outcomes[0]!.error!.providerCode).toBeUndefined()
  })

  it('fails every id of a bulk call together', async () => {
    await mock(() => Response.json({ error_code: 'MALFORMED_PARAMETER', error_message: 'bad' }, { status: 400 }))
    const reports = await collect(eraserFor().eraseMany([{ userId: 'a1' }, { userId: 'a2' }]))
    expect(reports.map((report) => report.outcomes[0]!.error?.code)).toEqual(['invalid_request', 'invalid_request'])
  })
})

describe('B4: GDPR remove', () => {
  const gdpr = { mode: 'gdpr' as const }

  it('sends POST /1.0/{appKey}/gdpr/request with the documented body', async () => {
    const calls = await mock(() => Response.json({ request_id: '7e2142f1-b0a3-4ed0-aef3-67d3f41270b6' }))
    const report = await eraserFor({ ...gdpr, callbackUrl: 'https://callback.site' }).erase({ userId: 'john.doe' })

    expect(calls).toHaveLength(1)
    const [call] = calls
    expect(call!.method).toBe('POST')
    expect(call!.path).toBe('/1.0/BATCH_API_KEY/gdpr/request')
    expect(call!.headers['content-type']).toBe('application/json')
    expect(call!.headers['x-authorization']).toBe('BATCH_REST_API_KEY')
    // Byte for byte the documented example, key order included.
    expect(call!.text).toBe('{"request_type":"remove","callback_url":"https://callback.site","id":{"type":"custom_id","value":"john.doe"}}')
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', requestId: '7e2142f1-b0a3-4ed0-aef3-67d3f41270b6', httpStatus: 200 })
  })

  it('omits callback_url when none is configured and sends one request per id', async () => {
    const calls = await mock(() => Response.json({ request_id: 'x-1' }))
    const reports = await collect(eraserFor(gdpr).eraseMany([{ userId: 'a/1' }, { userId: 'b/2' }, { userId: 'c/3' }]))
    expect(calls).toHaveLength(3)
    expect(calls.map((call) => call.body).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      ['a/1', 'b/2', 'c/3'].map((value) => ({ request_type: 'remove', id: { type: 'custom_id', value } })),
    )
    expect(reports.every((report) => report.outcomes[0]!.status === 'accepted')).toBe(true)
  })

  it.each([
    [200, { request_id: 'rid' }, 'rid'],
    [201, { token: 'tok' }, 'tok'],
    [202, { id: 42 }, '42'],
    [202, {}, undefined],
    [200, { code: 'SUCCESS', request_id: 'r1' }, 'r1'],
  ])('accepts %i %j (the create response is undocumented)', async (status, body, requestId) => {
    await mock(() => Response.json(body, { status }))
    const report = await eraserFor(gdpr).erase({ userId: 'u1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', httpStatus: status })
    expect(report.outcomes[0]!.requestId).toBe(requestId)
  })

  it('accepts a 2xx with an empty body: the request was filed, and one POST is all it takes', async () => {
    const calls = await mock(() => new Response(null, { status: 202 }))
    const report = await eraserFor(gdpr).erase({ userId: 'u1' })
    expect(calls).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', attempts: 1 })
  })

  it.each([
    ['text', () => new Response('OK', { status: 201 })],
    ['an array', () => Response.json(['x'])],
  ])('never claims an erasure on a 2xx with %s (not what a JSON API answers), and never sends it again', async (_, respond) => {
    const calls = await mock(respond)
    const report = await eraserFor(gdpr).erase({ userId: 'u1' })
    expect(calls).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'invalid_response', retryable: false } })
  })

  it('a 2xx with an error code is invalid_response, never retried (a retry would file another request)', async () => {
    const calls = await mock(() => Response.json({ error_code: 'SERVER_ERROR', error_message: 'odd' }))
    const report = await eraserFor(gdpr).erase({ userId: 'u1' })
    expect(calls).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: 200, error: { code: 'invalid_response', providerCode: 'SERVER_ERROR', retryable: false } })
  })

  it('maps 404 ROUTE_NOT_FOUND to invalid_config here too', async () => {
    const calls = await mock(() => Response.json({ error_code: 'ROUTE_NOT_FOUND', error_message: 'Route not found' }, { status: 404 }))
    const report = await eraserFor(gdpr).erase({ userId: 'u1' })
    expect(report.outcomes[0]!.error).toMatchObject({ code: 'invalid_config', providerCode: 'ROUTE_NOT_FOUND', retryable: false })
    expect(calls).toHaveLength(1)
  })
})
