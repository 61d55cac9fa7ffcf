// The emulator on its own: strictness, vendor bodies, limits, faults, store.
import { serve } from '@erasekit/core/testing/node'
import { describe, expect, it } from 'vitest'
import { createCleverTapEmulator, createClevertapEmulator, type CleverTapEmulator } from '../src/emulator'

const URL_IN1 = 'https://in1.api.clevertap.com/1/delete/profiles.json'

function call(emulator: CleverTapEmulator, body: unknown, init: { method?: string; url?: string; headers?: Record<string, string> } = {}) {
  return emulator.fetch(init.url ?? URL_IN1, {
    method: init.method ?? 'POST',
    headers: {
      'X-CleverTap-Account-Id': emulator.accountId,
      'X-CleverTap-Passcode': emulator.passcode,
      'Content-Type': 'application/json; charset=utf-8',
      ...init.headers,
    },
    body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
  })
}

async function expectFail(response: Promise<Response>, status: number, error?: string) {
  const res = await response
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body = await res.json()
  expect(body).toEqual({ status: 'fail', error: error ?? expect.any(String), code: status })
}

describe('success and the store', () => {
  it('is also exported as createClevertapEmulator (create<Provider>Emulator from the name clevertap)', async () => {
    const emulator = createClevertapEmulator({ latencyMs: 0 })
    emulator.store.add({ identity: 'abc' })
    const res = await emulator.fetch(new Request('https://api.clevertap.com/1/delete/profiles.json', { method: 'POST', headers: { 'X-CleverTap-Account-Id': 'EMU-ACCOUNT-ID', 'X-CleverTap-Passcode': 'EMU-PASSCODE', 'Content-Type': 'application/json' }, body: JSON.stringify({ identity: ['abc'] }) }))
    expect(res.status).toBe(200)
  })

  it.each([
    [{ identity: ['client-19827239', 'abc'] }, ['client-19827239', 'abc']],
    [{ identity: 'client-19827239' }, ['client-19827239']],
    [{ guid: ['ctid123', 'ctid456'] }, ['ctid123', 'ctid456']],
    [{ guid: 'clientid123' }, ['clientid123']],
  ])('C2 variant %o → 200 {"status":"success"} and marks the profiles', async (body, ids) => {
    const emulator = createCleverTapEmulator()
    const key = 'identity' in body ? 'identity' : 'guid'
    for (const id of ids) emulator.store.add({ [key]: id })
    emulator.store.add({ identity: 'bystander' })
    const response = await call(emulator, body)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'success' })
    for (const id of ids) expect(emulator.store.isMarked(id)).toBe(true)
    expect(emulator.store.isMarked('bystander')).toBe(false)
    expect(emulator.store.marked).toHaveLength(ids.length)
  })

  it('a guid delete marks the profile under its identity too; purge removes marked profiles only', async () => {
    const emulator = createCleverTapEmulator()
    const profile = emulator.store.add({ identity: 'u-1' })
    emulator.store.add({ identity: 'u-2' })
    expect(profile.guid).toMatch(/^[0-9a-f]{32}$/)
    await call(emulator, { guid: [profile.guid] })
    expect(emulator.store.isMarked('u-1')).toBe(true)
    expect(emulator.store.get('u-1')!.markedAt).toEqual(expect.any(Number))
    expect(emulator.store.purge()).toBe(1)
    expect(emulator.store.has('u-1')).toBe(false)
    expect(emulator.store.has(profile.guid)).toBe(false)
    expect(emulator.store.has('u-2')).toBe(true)
    expect(emulator.store.size).toBe(1)
    emulator.store.clear()
    expect(emulator.store.size).toBe(0)
  })

  it('the store: a guid finds its own profile before an identity equal to it; re-seeding crosswise leaves no orphan', async () => {
    const emulator = createCleverTapEmulator()
    emulator.store.add({ guid: 'x1', identity: 'a' })
    emulator.store.add({ guid: 'x2', identity: 'x1' })
    await call(emulator, { guid: 'x1' })
    expect(emulator.store.isMarked('x1')).toBe(true)
    expect(emulator.store.get('x2')!.markedAt).toBeUndefined()

    const store = createCleverTapEmulator().store
    store.add({ guid: 'g1', identity: 'a' })
    store.add({ guid: 'g2', identity: 'b' })
    store.add({ guid: 'g1', identity: 'b' })
    expect(store.size).toBe(1)
    expect(store.get('b')!.guid).toBe('g1')
    expect(store.has('g2')).toBe(false)
  })

  it('a key given as null counts as absent (lenient reading)', async () => {
    const emulator = createCleverTapEmulator()
    expect((await call(emulator, { identity: ['a'], guid: null })).status).toBe(200)
    await expectFail(call(emulator, { identity: null }), 400, 'identity or guid is required')
  })

  it('deleting unknown or already-marked ids still answers success (inferred)', async () => {
    const emulator = createCleverTapEmulator()
    emulator.store.add({ identity: 'u-1' })
    expect((await call(emulator, { identity: ['u-1'] })).status).toBe(200)
    const markedAt = emulator.store.get('u-1')!.markedAt
    expect((await call(emulator, { identity: ['u-1', 'unknown'] })).status).toBe(200)
    expect(emulator.store.get('u-1')!.markedAt).toBe(markedAt)
    expect(emulator.store.has('unknown')).toBe(false)
  })

  it('answers any region host and logs requests', async () => {
    const emulator = createCleverTapEmulator()
    expect((await call(emulator, { identity: 'a' }, { url: 'https://api.clevertap.com/1/delete/profiles.json' })).status).toBe(200)
    expect((await call(emulator, { identity: 'b' }, { url: 'https://mec1.api.clevertap.com/1/delete/profiles.json' })).status).toBe(200)
    expect(emulator.requests.map((request) => [request.method, request.path, request.body, request.status])).toEqual([
      ['POST', '/1/delete/profiles.json', { identity: 'a' }, 200],
      ['POST', '/1/delete/profiles.json', { identity: 'b' }, 200],
    ])
    emulator.clearLog()
    expect(emulator.requests).toHaveLength(0)
  })
})

describe('strictness', () => {
  it('C6: a wrong account id → 401 "Account ID is not valid"', async () => {
    const emulator = createCleverTapEmulator()
    await expectFail(call(emulator, { identity: 'a' }, { headers: { 'X-CleverTap-Account-Id': 'nope' } }), 401, 'Account ID is not valid')
  })

  it('a wrong or missing passcode → 401', async () => {
    const emulator = createCleverTapEmulator({ accountId: 'A-1', passcode: 'P-1' })
    await expectFail(call(emulator, { identity: 'a' }, { headers: { 'X-CleverTap-Passcode': 'P-2' } }), 401, 'Invalid Credentials')
    const response = await emulator.fetch(URL_IN1, { method: 'POST', headers: { 'x-clevertap-account-id': 'A-1', 'content-type': 'application/json' }, body: '{"identity":"a"}' })
    expect(response.status).toBe(401)
  })

  it('C4: identity and guid together → 400', async () => {
    await expectFail(call(createCleverTapEmulator(), { identity: ['a'], guid: ['b'] }), 400)
  })

  it('neither identity nor guid → 400', async () => {
    await expectFail(call(createCleverTapEmulator(), { email: 'a@example.com' }), 400)
  })

  it('C5: 101 values → 400, 100 → 200', async () => {
    const emulator = createCleverTapEmulator()
    const ids = Array.from({ length: 101 }, (_, i) => `u-${i}`)
    await expectFail(call(emulator, { identity: ids }), 400)
    await expectFail(call(emulator, { guid: ids }), 400)
    expect((await call(emulator, { identity: ids.slice(0, 100) })).status).toBe(200)
  })

  it.each([[{ identity: [1, 2] }], [{ identity: ['a', null] }], [{ guid: 42 }], [{ identity: [] }], [{ identity: '' }], [{ guid: { a: 1 } }]])(
    'bad values %o → 400',
    async (body) => {
      await expectFail(call(createCleverTapEmulator(), body), 400)
    },
  )

  it('a body that is not a JSON object → 400', async () => {
    const emulator = createCleverTapEmulator()
    await expectFail(call(emulator, 'not json'), 400)
    await expectFail(call(emulator, ['a']), 400)
    await expectFail(call(emulator, undefined), 400)
  })

  it('a non-JSON content type → 400', async () => {
    await expectFail(call(createCleverTapEmulator(), { identity: 'a' }, { headers: { 'Content-Type': 'text/plain' } }), 400)
  })

  it('wrong method → 405, wrong path or trailing slash → 404', async () => {
    const emulator = createCleverTapEmulator()
    await expectFail(call(emulator, undefined, { method: 'GET' }), 405)
    await expectFail(call(emulator, { identity: 'a' }, { method: 'DELETE' }), 405)
    await expectFail(call(emulator, { identity: 'a' }, { url: `${URL_IN1}/` }), 404)
    await expectFail(call(emulator, { identity: 'a' }, { url: 'https://in1.api.clevertap.com/1/delete/profile.json' }), 404)
    await expectFail(call(emulator, { identity: 'a' }, { url: 'https://in1.api.clevertap.com/delete/profiles.json' }), 404)
  })
})

describe('limits and faults', () => {
  it('a request the concurrency limit refuses uses up no injected fault', async () => {
    const emulator = createCleverTapEmulator({ latencyMs: 40 })
    const first = ['a', 'b', 'c'].map((identity) => call(emulator, { identity }))
    await new Promise((resolve) => setTimeout(resolve, 10))
    emulator.inject({ kind: 'drop' }, { times: 1 })
    expect((await call(emulator, { identity: 'd' })).status).toBe(429)
    await Promise.all(first)
    await expect(call(emulator, { identity: 'e' })).rejects.toThrow(TypeError)
    expect(emulator.requests.map((request) => request.fault)).toEqual([undefined, undefined, undefined, undefined, 'drop'])
  })

  it('C7: a 4th concurrent request → 429 "Too many concurrent requests", without Retry-After', async () => {
    const emulator = createCleverTapEmulator({ latencyMs: 20 })
    const responses = await Promise.all(Array.from({ length: 4 }, (_, i) => call(emulator, { identity: `u-${i}` })))
    const statuses = responses.map((response) => response.status).sort()
    expect(statuses).toEqual([200, 200, 200, 429])
    const limited = responses.find((response) => response.status === 429)!
    expect(limited.headers.get('retry-after')).toBeNull()
    expect(await limited.json()).toEqual({ status: 'fail', error: 'Too many concurrent requests', code: 429 })
    expect(emulator.concurrency.max).toBe(4)
  })

  it('the request over the cap is the one refused, when it arrives (not one already in flight)', async () => {
    const emulator = createCleverTapEmulator({ latencyMs: 60 })
    const first = ['a', 'b', 'c'].map((identity) => call(emulator, { identity: [identity] }))
    await new Promise((resolve) => setTimeout(resolve, 20))
    const fourth = call(emulator, { identity: ['d'] })
    expect((await Promise.all(first)).map((response) => response.status)).toEqual([200, 200, 200])
    expect((await fourth).status).toBe(429)
    // A refused request holds no slot: once the three are answered, the next one goes through.
    expect((await call(emulator, { identity: ['e'] })).status).toBe(200)
    expect(emulator.concurrency.max).toBe(4)
    // While the refused ones wait out their latency, the admitted count alone decides.
    const burst = await Promise.all(Array.from({ length: 5 }, (_, i) => call(emulator, { identity: [`b${i}`] })))
    expect(burst.map((response) => response.status)).toEqual([200, 200, 200, 429, 429])
    expect(emulator.concurrency).toEqual({ current: 0, max: 5 })
  })

  it('like fetch: an aborted signal sends nothing; init applies over a Request', async () => {
    const emulator = createCleverTapEmulator()
    const headers = { 'X-CleverTap-Account-Id': emulator.accountId, 'X-CleverTap-Passcode': emulator.passcode, 'Content-Type': 'application/json' }
    const aborted = emulator.fetch(URL_IN1, { method: 'POST', headers, body: '{"identity":["a"]}', signal: AbortSignal.abort() })
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' })
    expect(emulator.requests).toHaveLength(0)
    const response = await emulator.fetch(new Request(URL_IN1), { method: 'POST', headers, body: '{"identity":["a"]}' })
    expect(response.status).toBe(200)
    expect(emulator.requests[0]).toMatchObject({ method: 'POST', body: { identity: ['a'] } })
  })

  it('inject(fault, { times: 0 }) applies to no request', async () => {
    const emulator = createCleverTapEmulator()
    emulator.inject({ kind: 'server_error', status: 500 }, { times: 0 })
    expect((await call(emulator, { identity: ['a'] })).status).toBe(200)
  })

  it('a rate limit keeps the documented concurrency cap; maxConcurrent: undefined lifts it', async () => {
    const burst = async (emulator: ReturnType<typeof createCleverTapEmulator>) =>
      (await Promise.all(Array.from({ length: 5 }, (_, i) => call(emulator, { identity: `u-${i}` })))).map((response) => response.status)
    expect(await burst(createCleverTapEmulator({ latencyMs: 10, limits: { rate: { requests: 100, perMs: 1000 } } }))).toEqual([200, 200, 200, 429, 429])
    expect(await burst(createCleverTapEmulator({ latencyMs: 10, limits: {} }))).toEqual([200, 200, 200, 429, 429])
    expect(await burst(createCleverTapEmulator({ latencyMs: 10, limits: { maxConcurrent: undefined } }))).toEqual([200, 200, 200, 200, 200])
  })

  it('injected faults use the vendor error body', async () => {
    const emulator = createCleverTapEmulator()
    emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 2 })
    emulator.inject({ kind: 'server_error', status: 500 })
    const limited = await call(emulator, { identity: 'a' })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect(await limited.json()).toEqual({ status: 'fail', error: 'Too many concurrent requests', code: 429 })
    await expectFail(call(emulator, { identity: 'a' }), 500, 'Internal Server Error')
    expect((await call(emulator, { identity: 'a' })).status).toBe(200)
    expect(emulator.requests.map((request) => request.fault)).toEqual(['rate_limit', 'server_error', undefined])
  })

  it('drop rejects the fetch; clearFaults removes pending faults', async () => {
    const emulator = createCleverTapEmulator()
    emulator.inject({ kind: 'drop' })
    await expect(call(emulator, { identity: 'a' })).rejects.toThrow(/connection lost/i)
    emulator.inject({ kind: 'server_error' }, { rate: 1 })
    emulator.clearFaults()
    expect((await call(emulator, { identity: 'a' })).status).toBe(200)
  })

  it('works behind serve() over real HTTP', async () => {
    const emulator = createCleverTapEmulator({ accountId: 'A-1', passcode: 'P-1' })
    emulator.store.add({ identity: 'u-1' })
    const server = await serve(emulator)
    try {
      const response = await fetch(`${server.url}/1/delete/profiles.json`, {
        method: 'POST',
        headers: { 'X-CleverTap-Account-Id': 'A-1', 'X-CleverTap-Passcode': 'P-1', 'Content-Type': 'application/json; charset=utf-8' },
        body: '{"identity":["u-1"]}',
      })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ status: 'success' })
      expect(emulator.store.isMarked('u-1')).toBe(true)
    } finally {
      await server.close()
    }
  })
})
