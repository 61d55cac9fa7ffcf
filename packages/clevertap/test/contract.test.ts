// Contract tests: providers.md §6.2 vectors C1–C7 against a plain loopback HTTP mock.
import { createEraser, type Report } from '@erasekit/core'
import { serve, type Served } from '@erasekit/core/testing/node'
import { afterEach, describe, expect, it } from 'vitest'
import { clevertap, type CleverTapOptions } from '../src/index'

interface Seen {
  method: string
  path: string
  headers: Headers
  raw: string
  body: unknown
}

let server: Served | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** A loopback mock that records every request and answers with `reply`. */
async function mock(reply: (seen: Seen, index: number) => Response) {
  const seen: Seen[] = []
  server = await serve(async (request) => {
    const raw = await request.text()
    const entry = { method: request.method, path: new URL(request.url).pathname, headers: request.headers, raw, body: raw ? JSON.parse(raw) : undefined }
    seen.push(entry)
    return reply(entry, seen.length - 1)
  })
  return { seen, url: server.url }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json;charset=utf-8' } })
const success = () => json(200, { status: 'success' })

const credentials = { accountId: 'ACCOUNT_ID', passcode: 'PASSCODE' }
const fast = { retry: { delayMs: 1 } }

function eraserFor(options: Partial<CleverTapOptions>) {
  return createEraser({ providers: [clevertap({ ...credentials, ...fast, ...options } as CleverTapOptions)] })
}

async function collect(iterable: AsyncIterable<Report>) {
  const reports: Report[] = []
  for await (const report of iterable) reports.push(report)
  return reports
}

/** A fetch that records the URL and answers success, without any network. */
function recordingFetch() {
  const urls: string[] = []
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    urls.push(new Request(input, init).url)
    return success()
  }
  return { urls, fetch }
}

describe('C1: delete by guid (India)', () => {
  it('sends POST /1/delete/profiles.json with both auth headers, JSON content type and a guid array', async () => {
    const { seen, url } = await mock(success)
    const report = await eraserFor({ region: 'in1', baseURL: url }).erase({ ids: { clevertap: 'df2e224d90874887b4d61153ef3a2508' } })

    expect(seen).toHaveLength(1)
    const [request] = seen
    expect(request!.method).toBe('POST')
    expect(request!.path).toBe('/1/delete/profiles.json')
    expect(request!.headers.get('x-clevertap-account-id')).toBe('ACCOUNT_ID')
    expect(request!.headers.get('x-clevertap-passcode')).toBe('PASSCODE')
    expect(request!.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(request!.raw).toBe('{"guid":["df2e224d90874887b4d61153ef3a2508"]}')

    expect(report.ok).toBe(true)
    expect(report.outcomes[0]).toMatchObject({ provider: 'clevertap', status: 'accepted', httpStatus: 200, attempts: 1, identifier: { kind: 'guid' } })
  })

  it('targets https://in1.api.clevertap.com for region in1', async () => {
    const { urls, fetch } = recordingFetch()
    await eraserFor({ region: 'in1', fetch }).erase({ ids: { clevertap: 'df2e224d90874887b4d61153ef3a2508' } })
    expect(urls).toEqual(['https://in1.api.clevertap.com/1/delete/profiles.json'])
  })

  it.each([
    ['eu1', 'https://api.clevertap.com/1/delete/profiles.json'],
    ['in1', 'https://in1.api.clevertap.com/1/delete/profiles.json'],
    ['sg1', 'https://sg1.api.clevertap.com/1/delete/profiles.json'],
    ['us1', 'https://us1.api.clevertap.com/1/delete/profiles.json'],
    ['aps3', 'https://aps3.api.clevertap.com/1/delete/profiles.json'],
    ['mec1', 'https://mec1.api.clevertap.com/1/delete/profiles.json'],
  ] as const)('region %s → %s', async (region, expected) => {
    const { urls, fetch } = recordingFetch()
    await eraserFor({ region, fetch }).erase({ userId: 'u-1' })
    expect(urls).toEqual([expected])
  })

  it('baseURL overrides the region host', async () => {
    const { urls, fetch } = recordingFetch()
    await eraserFor({ region: 'us1', baseURL: 'https://proxy.example.com/clevertap/', fetch }).erase({ userId: 'u-1' })
    expect(urls).toEqual(['https://proxy.example.com/clevertap/1/delete/profiles.json'])
  })
})

describe('C2: body variants', () => {
  it('batches identities into one identity array', async () => {
    const { seen, url } = await mock(success)
    const reports = await collect(eraserFor({ baseURL: url }).eraseMany([{ ref: 'a', userId: 'client-19827239' }, { ref: 'b', userId: 'abc' }]))
    expect(seen.map((request) => request.body)).toEqual([{ identity: ['client-19827239', 'abc'] }])
    expect(reports.map((report) => report.outcomes[0]!.status)).toEqual(['accepted', 'accepted'])
  })

  it('batches guids into one guid array', async () => {
    const { seen, url } = await mock(success)
    await collect(eraserFor({ baseURL: url }).eraseMany([{ ids: { clevertap: 'ctid123' } }, { ids: { clevertap: 'ctid456' } }]))
    expect(seen.map((request) => request.body)).toEqual([{ guid: ['ctid123', 'ctid456'] }])
  })
})

describe('C3: Europe default host, identity batch', () => {
  it('uses https://api.clevertap.com when no region is given', async () => {
    const { urls, fetch } = recordingFetch()
    await eraserFor({ fetch }).erase({ userId: 'test_user_id' })
    expect(urls).toEqual(['https://api.clevertap.com/1/delete/profiles.json'])
  })

  it('sends {"identity": ["test_user_id", "user_sdk2"]} with a JSON content type', async () => {
    const { seen, url } = await mock(success)
    await collect(eraserFor({ baseURL: url, accountId: '<accountId>', passcode: '<passcode>' }).eraseMany([{ userId: 'test_user_id' }, { userId: 'user_sdk2' }]))
    expect(seen).toHaveLength(1)
    expect(seen[0]!.raw).toBe('{"identity":["test_user_id","user_sdk2"]}')
    expect(seen[0]!.headers.get('content-type')).toMatch(/^application\/json/)
    expect(seen[0]!.headers.get('x-clevertap-account-id')).toBe('<accountId>')
    expect(seen[0]!.headers.get('x-clevertap-passcode')).toBe('<passcode>')
  })
})

describe('C4: identity and guid never share a request', () => {
  it('splits a mixed batch into one request per key', async () => {
    // The mock answers like CleverTap: 400 when both keys are present.
    const { seen, url } = await mock((request) => {
      const body = request.body as Record<string, unknown>
      return 'identity' in body && 'guid' in body ? json(400, { status: 'fail', error: 'both', code: 400 }) : success()
    })
    const reports = await collect(
      eraserFor({ baseURL: url }).eraseMany([
        { ref: 'g', ids: { clevertap: 'b' } },
        { ref: 'i', userId: 'a1' },
        { ref: 'g2', ids: { clevertap: 'b2' } },
      ]),
    )
    expect(seen.map((request) => request.body)).toEqual([{ guid: ['b', 'b2'] }, { identity: ['a1'] }])
    expect(reports.every((report) => report.ok)).toBe(true)
    const byRef = Object.fromEntries(reports.map((report) => [report.subjectRef, report.outcomes[0]!]))
    expect(byRef.g!.identifier!.kind).toBe('guid')
    expect(byRef.i!.identifier!.kind).toBe('identity')
  })

  it('a 400 for one key fails only the identifiers of that key', async () => {
    const { url } = await mock((request) =>
      'guid' in (request.body as object) ? json(400, { status: 'fail', error: 'Invalid parameter passed', code: 400 }) : success(),
    )
    const reports = await collect(eraserFor({ baseURL: url }).eraseMany([{ ref: 'g', ids: { clevertap: 'bad-guid' } }, { ref: 'i', userId: 'a1' }]))
    const byRef = Object.fromEntries(reports.map((report) => [report.subjectRef, report.outcomes[0]!]))
    expect(byRef.g).toMatchObject({ status: 'failed', httpStatus: 400, error: { code: 'invalid_request', retryable: false } })
    expect(byRef.i).toMatchObject({ status: 'accepted' })
  })
})

describe('C5: more than 100 values', () => {
  it('splits 101 identities into requests of at most 100', async () => {
    const { seen, url } = await mock((request) =>
      (request.body as { identity: string[] }).identity.length > 100 ? json(400, { status: 'fail', error: 'too many', code: 400 }) : success(),
    )
    const subjects = Array.from({ length: 101 }, (_, i) => ({ userId: `user-${i}` }))
    const reports = await collect(eraserFor({ baseURL: url }).eraseMany(subjects))
    expect(seen.map((request) => (request.body as { identity: string[] }).identity.length).sort((a, b) => b - a)).toEqual([100, 1])
    expect(new Set(seen.flatMap((request) => (request.body as { identity: string[] }).identity)).size).toBe(101)
    expect(reports.filter((report) => report.ok)).toHaveLength(101)
  })

  it('refuses a configured batchSize above 100', () => {
    expect(() => clevertap({ ...credentials, limits: { batchSize: 101 } })).toThrow(/options\.limits\.batchSize: expected at most 100/)
  })
})

describe('C6: bad credentials', () => {
  it('maps the recorded 401 body to unauthorized, not retried, with the vendor text', async () => {
    const { seen, url } = await mock(
      () => new Response('{ "status" : "fail" , "error" : "Account ID is not valid" , "code" : 401}', { status: 401, headers: { 'content-type': 'application/json;charset=utf-8' } }),
    )
    const report = await eraserFor({ baseURL: url }).erase({ userId: 'u-1' })
    expect(seen).toHaveLength(1)
    expect(report.ok).toBe(false)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: 401, attempts: 1, error: { code: 'unauthorized', retryable: false } })
    expect(report.outcomes[0]!.error!.message).toBe('[erasekit] [clevertap] HTTP 401: Account ID is not valid')
    // `code` repeats the HTTP status: not reported twice.
    expect(report.outcomes[0]!.error!.providerCode).toBeUndefined()
  })
})

describe('C7: concurrency exceeded', () => {
  const tooMany = () => json(429, { status: 'fail', error: 'Too many concurrent requests', code: 429 })

  it('retries a 429 (no Retry-After) with backoff and then succeeds', async () => {
    const { seen, url } = await mock((_, index) => (index === 0 ? tooMany() : success()))
    const report = await eraserFor({ baseURL: url }).erase({ userId: 'u-1' })
    expect(seen).toHaveLength(2)
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', attempts: 2 })
  })

  it('fails rate_limited once the retries are spent', async () => {
    const { seen, url } = await mock(tooMany)
    const report = await eraserFor({ baseURL: url, retry: { delayMs: 1, limit: 2 } }).erase({ userId: 'u-1' })
    expect(seen).toHaveLength(3)
    expect(report.outcomes[0]).toMatchObject({
      status: 'failed',
      httpStatus: 429,
      attempts: 3,
      error: { code: 'rate_limited', retryable: true, message: '[erasekit] [clevertap] HTTP 429: Too many concurrent requests' },
    })
  })

  it('keeps at most 3 requests in flight by default', async () => {
    let inFlight = 0
    let max = 0
    let count = 0
    server = await serve(async (request) => {
      await request.text()
      count++
      max = Math.max(max, ++inFlight)
      await new Promise((resolve) => setTimeout(resolve, 10))
      inFlight--
      return success()
    })
    const subjects = Array.from({ length: 1000 }, (_, i) => ({ userId: `user-${i}` }))
    const reports = await collect(eraserFor({ baseURL: server.url }).eraseMany(subjects))
    expect(count).toBe(10)
    expect(max).toBeLessThanOrEqual(3)
    expect(max).toBeGreaterThan(1)
    expect(reports.every((report) => report.ok)).toBe(true)
  })
})
