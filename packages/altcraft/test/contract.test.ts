// Contract tests: the exact requests of providers.md §6.3 (T1, T3, T4, T5) against a plain
// loopback HTTP server. T2 is the XML form of T1: the provider sends JSON only.
import { createEraser, type Subject } from '@erasekit/core'
import { serve, type Served } from '@erasekit/core/testing/node'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { altcraft, type AltcraftOptions } from '../src/index'

interface Seen {
  method: string
  url: string
  headers: Headers
  body: string
}

const T1_RESPONSE = { data: { profile_id: '5f33d33ece94481aa9382110' }, error: 0, error_text: 'Successful operation' }
const T5_RESPONSE = { error: 401, error_text: 'API token required' }

let server: Served
let seen: Seen[] = []
let replies: Array<() => Response> = []

const reply = (status: number, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) => () =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers })

beforeAll(async () => {
  server = await serve(async (request) => {
    const url = new URL(request.url)
    seen.push({ method: request.method, url: url.pathname + url.search, headers: request.headers, body: await request.text() })
    return (replies.shift() ?? reply(200, T1_RESPONSE))()
  })
})
afterAll(() => server.close())
beforeEach(() => {
  seen = []
  replies = []
})

function run(options: Partial<AltcraftOptions>, subject: Subject) {
  const provider = altcraft({ baseURL: server.url, token: 'abcdefghijklmnqrstuvwxyz', dbId: 1, ...options } as AltcraftOptions)
  return createEraser({ providers: [provider], retry: { delayMs: 1, limit: 2 } }).erase(subject)
}

describe('altcraft contract (providers.md §6.3)', () => {
  it('T1: delete by email, token in the JSON body', async () => {
    const report = await run({}, { email: 'example@example.com' })
    expect(seen).toHaveLength(1)
    const [request] = seen
    expect(request!.method).toBe('POST')
    expect(request!.url).toBe('/api/v1.1/profiles/delete')
    expect(request!.headers.get('content-type')).toBe('application/json')
    expect(request!.headers.get('authorization')).toBeNull()
    expect(request!.body).toBe('{"token":"abcdefghijklmnqrstuvwxyz","db_id":1,"matching":"email","email":"example@example.com"}')
    expect(report.ok).toBe(true)
    expect(report.outcomes[0]).toMatchObject({
      provider: 'altcraft',
      status: 'deleted',
      httpStatus: 200,
      attempts: 1,
      identifier: { kind: 'email' },
    })
  })

  it('T3: phone matching with resource_id', async () => {
    await run({ resourceId: 24 }, { phone: '+79000000000' })
    expect(JSON.parse(seen[0]!.body)).toEqual({ token: 'abcdefghijklmnqrstuvwxyz', db_id: 1, matching: 'phone', phone: '+79000000000', resource_id: 24 })
  })

  it('T3: profile_id matching (from ids.altcraft), no resource_id', async () => {
    const report = await run({ resourceId: 24 }, { ids: { altcraft: '5f33d33ece94481aa9382110' }, email: 'example@example.com' })
    expect(JSON.parse(seen[0]!.body)).toEqual({ token: 'abcdefghijklmnqrstuvwxyz', db_id: 1, matching: 'profile_id', profile_id: '5f33d33ece94481aa9382110' })
    expect(report.outcomes[0]!.identifier!.kind).toBe('profile_id')
  })

  it('T3: custom matching (field_name + field_value), no resource_id', async () => {
    await run({ resourceId: 24, custom: { field: 'CRM_ID', from: 'userId' } }, { userId: '123420' })
    expect(JSON.parse(seen[0]!.body)).toEqual({ token: 'abcdefghijklmnqrstuvwxyz', db_id: 1, matching: 'custom', field_name: 'CRM_ID', field_value: '123420' })
  })

  it('T4: bearer-header auth, no token in the body', async () => {
    const report = await run({ token: 'bfc505684d774e52b188fa1f003cd5ed', tokenIn: 'header' }, { email: 'example@example.com' })
    const [request] = seen
    expect(request!.method).toBe('POST')
    expect(request!.url).toBe('/api/v1.1/profiles/delete')
    expect(request!.headers.get('authorization')).toBe('Bearer bfc505684d774e52b188fa1f003cd5ed')
    expect(request!.headers.get('content-type')).toBe('application/json')
    expect(request!.body).toBe('{"db_id":1,"matching":"email","email":"example@example.com"}')
    expect(report.outcomes[0]!.status).toBe('deleted')
  })

  it.each([200, 401])('T5: {"error":401} with HTTP %i is unauthorized, not retried', async (status) => {
    replies = [reply(status, T5_RESPONSE)]
    const report = await run({}, { email: 'example@example.com' })
    expect(seen).toHaveLength(1)
    expect(report.ok).toBe(false)
    expect(report.outcomes[0]).toMatchObject({
      status: 'failed',
      httpStatus: status,
      attempts: 1,
      error: { code: 'unauthorized', providerCode: '401', retryable: false },
    })
    expect(report.outcomes[0]!.error!.message).toContain('API token required')
  })
})

describe('altcraft response mapping on the wire', () => {
  it.each([
    [400, 'invalid_request'],
    [401, 'unauthorized'],
    [402, 'provider_error'],
    [403, 'forbidden'],
    [404, 'provider_error'],
    [1234, 'provider_error'],
  ] as const)('body error %i → %s, not retried (HTTP 200 and HTTP = code)', async (code, expected) => {
    for (const status of [200, code < 600 ? code : 400]) {
      seen = []
      replies = [reply(status, { error: code, error_text: 'text from altcraft' })]
      const report = await run({}, { email: 'example@example.com' })
      expect(seen).toHaveLength(1)
      expect(report.outcomes[0]).toMatchObject({
        status: 'failed',
        httpStatus: status,
        error: { code: expected, providerCode: String(code), retryable: false },
      })
      expect(report.outcomes[0]!.error!.message).toContain(`error ${code}: text from altcraft`)
    }
  })

  it('success needs a 2xx and error 0: any 2xx counts', async () => {
    replies = [reply(201, T1_RESPONSE)]
    const report = await run({}, { email: 'example@example.com' })
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', httpStatus: 201 })
    expect(report.outcomes[0]!.requestId).toBeUndefined()
  })

  it('error 0 on a non-2xx is no success: judged by the HTTP status (503 retried, 400 failed)', async () => {
    replies = [reply(503, T1_RESPONSE), reply(200, T1_RESPONSE)]
    const retried = await run({}, { email: 'example@example.com' })
    expect(seen).toHaveLength(2)
    expect(retried.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 2 })
    seen = []
    replies = [reply(400, T1_RESPONSE)]
    const failed = await run({}, { email: 'example@example.com' })
    expect(seen).toHaveLength(1)
    expect(failed.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: 400, error: { code: 'invalid_request', retryable: false } })
  })

  it('refuses limits.batchSize above 1: one profile per call', () => {
    expect(() => altcraft({ baseURL: server.url, token: 't', dbId: 1, limits: { batchSize: 2 } })).toThrow(/options\.limits\.batchSize: expected at most 1$/)
  })

  it('a 2xx without a readable error field is invalid_response and retried', async () => {
    replies = [reply(200, { data: {} }), reply(200, 'OK', { 'content-type': 'text/plain' }), reply(200, '')]
    const report = await run({}, { email: 'example@example.com' })
    expect(seen).toHaveLength(3)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'invalid_response', retryable: true } })
  })

  it('a string "0" error is not read as success', async () => {
    replies = [1, 2, 3].map(() => reply(200, { ...T1_RESPONSE, error: '0' }))
    const report = await run({}, { email: 'example@example.com' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'invalid_response' } })
  })

  it('an error code as a numeric string is read as the number', async () => {
    replies = [reply(200, { error: '401', error_text: 'API token required' })]
    const report = await run({}, { email: 'example@example.com' })
    expect(seen).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'unauthorized', providerCode: '401', retryable: false } })
  })

  it('a 429 or 5xx code in the body of an HTTP 200 is retried like that status', async () => {
    replies = [reply(200, { error: 429, error_text: 'Too many requests' }), reply(200, { error: 503, error_text: 'Busy' })]
    const recovered = await run({}, { email: 'example@example.com' })
    expect(seen).toHaveLength(3)
    expect(recovered.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 3 })
    seen = []
    replies = [1, 2, 3].map(() => reply(200, { error: 429, error_text: 'Too many requests' }))
    const exhausted = await run({}, { email: 'example@example.com' })
    expect(seen).toHaveLength(3)
    expect(exhausted.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: 200, error: { code: 'rate_limited', providerCode: '429', retryable: true } })
    // A code the policy does not retry as a status is not retried in the body either.
    seen = []
    replies = [reply(200, { error: 501, error_text: 'Not implemented' })]
    const final = await run({}, { email: 'example@example.com' })
    expect(seen).toHaveLength(1)
    expect(final.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'provider_error', providerCode: '501', retryable: false } })
  })

  it('HTTP 502 with an HTML page is retried, then succeeds', async () => {
    replies = [reply(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' })]
    const report = await run({}, { email: 'example@example.com' })
    expect(seen).toHaveLength(2)
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('HTTP 503 with an Altcraft body is retried (transport status wins)', async () => {
    replies = [reply(503, { error: 503, error_text: 'Service unavailable' })]
    const report = await run({}, { email: 'example@example.com' })
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('HTTP 429 is retried after Retry-After', async () => {
    replies = [reply(429, { error: 429, error_text: 'Too many requests' }, { 'content-type': 'application/json', 'retry-after': '0' })]
    const report = await run({}, { email: 'example@example.com' })
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('HTTP 404 with no Altcraft body (wrong baseURL path) is invalid_request, not retried', async () => {
    replies = [reply(404, 'Not Found', { 'content-type': 'text/plain' })]
    const report = await run({}, { email: 'example@example.com' })
    expect(seen).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: 404, error: { code: 'invalid_request' } })
  })
})
