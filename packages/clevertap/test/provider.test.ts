// The provider through createEraser against the emulator: outcome mapping, retries, identifier choice, options.
import { createEraser, ErasureError, type Report } from '@erasekit/core'
import { describe, expect, it } from 'vitest'
import { createCleverTapEmulator } from '../src/emulator'
import { clevertap, type CleverTapOptions } from '../src/index'

const fast = { retry: { delayMs: 1, maxRetryAfterMs: 5 } }

function setup(options: Partial<CleverTapOptions> = {}, emulator = createCleverTapEmulator()) {
  const provider = clevertap({ accountId: emulator.accountId, passcode: emulator.passcode, fetch: emulator.fetch, ...fast, ...options } as CleverTapOptions)
  return { emulator, eraser: createEraser({ providers: [provider] }) }
}

/** A fetch answering every request with one fixed response. */
const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
  const calls: Request[] = []
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    calls.push(new Request(input, init))
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
  }
  return { calls, fetch }
}

async function collect(iterable: AsyncIterable<Report>) {
  const reports: Report[] = []
  for await (const report of iterable) reports.push(report)
  return reports
}

describe('success', () => {
  it('marks the profile for deletion and reports accepted', async () => {
    const { emulator, eraser } = setup()
    emulator.store.add({ identity: 'u-1', guid: 'g-1' })
    const report = await eraser.erase({ ref: 'r1', userId: 'u-1' })
    expect(report).toMatchObject({ subjectRef: 'r1', ok: true })
    expect(report.outcomes).toEqual([
      expect.objectContaining({ provider: 'clevertap', status: 'accepted', httpStatus: 200, attempts: 1, identifier: { kind: 'identity', hash: expect.stringMatching(/^[0-9a-f]{64}$/) } }),
    ])
    expect(report.outcomes[0]!.requestId).toBeUndefined()
    expect(report.outcomes[0]!.error).toBeUndefined()
    expect(emulator.store.isMarked('u-1')).toBe(true)
    expect(emulator.store.isMarked('g-1')).toBe(true)
  })

  it('an unknown identity is accepted too (the call only marks)', async () => {
    const { emulator, eraser } = setup()
    const report = await eraser.erase({ userId: 'nobody' })
    expect(report.outcomes[0]!.status).toBe('accepted')
    expect(emulator.store.size).toBe(0)
  })

  it('bulk: 250 subjects go out as 3 requests of at most 100, never more than 3 in flight', async () => {
    const { emulator, eraser } = setup({}, createCleverTapEmulator({ latencyMs: 5 }))
    for (let i = 0; i < 250; i++) emulator.store.add({ identity: `user-${i}` })
    const reports = await collect(eraser.eraseMany(Array.from({ length: 250 }, (_, i) => ({ userId: `user-${i}` }))))
    expect(reports).toHaveLength(250)
    expect(reports.every((report) => report.outcomes[0]!.status === 'accepted')).toBe(true)
    expect(emulator.requests).toHaveLength(3)
    expect(emulator.requests.every((request) => request.status === 200)).toBe(true)
    expect(emulator.concurrency.max).toBeLessThanOrEqual(3)
    expect(emulator.store.marked).toHaveLength(250)
  })
})

describe('identifier choice', () => {
  it('prefers ids.clevertap (guid) over userId', async () => {
    const { emulator, eraser } = setup()
    const report = await eraser.erase({ userId: 'u-1', ids: { clevertap: 'g-1' } })
    expect(report.outcomes[0]!.identifier!.kind).toBe('guid')
    expect(emulator.requests[0]!.body).toEqual({ guid: ['g-1'] })
  })

  it.each(['email', 'phone'] as const)('identityFrom: %s sends that field as identity', async (field) => {
    const { emulator, eraser } = setup({ identityFrom: field })
    await eraser.erase({ userId: 'u-1', email: 'a@example.com', phone: '+15550100' })
    expect(emulator.requests[0]!.body).toEqual({ identity: [field === 'email' ? 'a@example.com' : '+15550100'] })
  })

  it('skips a subject without a usable identifier and sends nothing', async () => {
    const { emulator, eraser } = setup()
    const report = await eraser.erase({ email: 'a@example.com', ids: { adapty: 'x' } })
    expect(report.ok).toBe(true)
    expect(report.outcomes[0]).toMatchObject({ status: 'skipped', reason: 'no_identifier', attempts: 0 })
    expect(emulator.requests).toHaveLength(0)
  })

  it('an identifier with control characters fails invalid_subject before any request', async () => {
    const { emulator, eraser } = setup()
    const report = await eraser.erase({ userId: 'evil\r\nx' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_subject' } })
    expect(emulator.requests).toHaveLength(0)
  })
})

describe('error mapping', () => {
  it.each([
    [400, { status: 'fail', error: 'Invalid parameter passed', code: 400 }, 'invalid_request'],
    [401, { status: 'fail', error: 'Invalid Credentials', code: 401 }, 'unauthorized'],
    [403, { status: 'fail', error: 'Operation is not allowed', code: 403 }, 'forbidden'],
    [404, { status: 'fail', error: 'Not Found', code: 404 }, 'invalid_request'],
    [405, { status: 'fail', error: 'Method Not Allowed', code: 405 }, 'invalid_request'],
  ] as const)('HTTP %i → %s, not retried, vendor text kept', async (status, body, code) => {
    const { calls, fetch } = answer(status, body)
    const { eraser } = setup({ fetch })
    const report = await eraser.erase({ userId: 'u-1' })
    expect(calls).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: status, attempts: 1, error: { code, retryable: false } })
    expect(report.outcomes[0]!.error!.message).toBe(`[erasekit] [clevertap] HTTP ${status}: ${body.error}`)
  })

  it('a 404 is never not_found', async () => {
    const { fetch } = answer(404, '')
    const report = await setup({ fetch }).eraser.erase({ userId: 'u-1' })
    expect(report.outcomes[0]!.status).toBe('failed')
  })

  it('reports a body code that differs from the HTTP status as providerCode', async () => {
    const { fetch } = answer(400, { status: 'fail', error: 'Bad identity', code: 512 })
    const report = await setup({ fetch }).eraser.erase({ userId: 'u-1' })
    expect(report.outcomes[0]!.error).toMatchObject({ code: 'invalid_request', providerCode: '512', message: '[erasekit] [clevertap] HTTP 400 512: Bad identity' })
  })

  it.each(['partial', 'fail'])('HTTP 200 with status "%s" is a failure (provider_error), not retried', async (status) => {
    const { calls, fetch } = answer(200, { status, error: 'Not processed', unprocessed: [] })
    const report = await setup({ fetch }).eraser.erase({ userId: 'u-1' })
    expect(calls).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({
      status: 'failed',
      httpStatus: 200,
      error: { code: 'provider_error', providerCode: status, retryable: false, message: `[erasekit] [clevertap] HTTP 200 ${status}: Not processed` },
    })
  })

  it('a bare 204 is never accepted: only CleverTap\'s "success" body confirms the marking (a proxy\'s 204 must not)', async () => {
    const calls: number[] = []
    const fetch: typeof globalThis.fetch = async () => (calls.push(1), new Response(null, { status: 204 }))
    const report = await setup({ fetch, retry: { delayMs: 1, limit: 1 } }).eraser.erase({ userId: 'u-1' })
    expect(calls).toHaveLength(2)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: 204, error: { code: 'invalid_response', retryable: true } })
  })

  it('a 2xx without a status field is invalid_response, retried', async () => {
    const { calls, fetch } = answer(200, {})
    const report = await setup({ fetch, retry: { delayMs: 1, limit: 1 } }).eraser.erase({ userId: 'u-1' })
    expect(calls).toHaveLength(2)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'invalid_response', retryable: true } })
  })

  it('429 with Retry-After is retried, then accepted', async () => {
    const { emulator, eraser } = setup()
    emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 0 }, { times: 2 })
    const report = await eraser.erase({ userId: 'u-1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', attempts: 3 })
    expect(emulator.requests.map((request) => request.status)).toEqual([429, 429, 200])
  })

  it('429 without Retry-After (CleverTap sends none) is retried with backoff', async () => {
    const responses = [429, 200]
    const fetch = async () =>
      responses.shift() === 429
        ? new Response(JSON.stringify({ status: 'fail', error: 'Too many concurrent requests', code: 429 }), { status: 429 })
        : new Response(JSON.stringify({ status: 'success' }), { status: 200 })
    const report = await setup({ fetch }).eraser.erase({ userId: 'u-1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', attempts: 2 })
  })

  it.each([500, 503])('%i is retried, then accepted', async (status) => {
    const { emulator, eraser } = setup()
    emulator.inject({ kind: 'server_error', status })
    const report = await eraser.erase({ userId: 'u-1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', attempts: 2 })
  })

  it('persistent 503 fails provider_unavailable after the retry limit', async () => {
    const { emulator, eraser } = setup({ retry: { delayMs: 1, limit: 2 } })
    emulator.inject({ kind: 'server_error', status: 503 }, { rate: 1 })
    const report = await eraser.erase({ userId: 'u-1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: 503, attempts: 3, error: { code: 'provider_unavailable', retryable: true } })
    expect(report.outcomes[0]!.error!.message).toContain('Service Unavailable')
  })

  it('dropped connections and malformed bodies are retried', async () => {
    const { emulator, eraser } = setup()
    emulator.inject({ kind: 'drop' })
    emulator.inject({ kind: 'malformed' })
    const report = await eraser.erase({ userId: 'u-1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', attempts: 3 })
  })

  it('wrong passcode against the emulator: unauthorized, one attempt', async () => {
    const emulator = createCleverTapEmulator()
    const { eraser } = setup({ passcode: 'WRONG-PASSCODE' }, emulator)
    const report = await eraser.erase({ userId: 'u-1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: 401, attempts: 1, error: { code: 'unauthorized', message: '[erasekit] [clevertap] HTTP 401: Invalid Credentials' } })
  })

  it('a mixed batch: each kind succeeds or fails on its own', async () => {
    const { emulator, eraser } = setup()
    emulator.inject({ kind: 'server_error', status: 500 }, { times: 5 })
    const reports = await collect(eraser.eraseMany([{ ref: 'g', ids: { clevertap: 'g-1' } }, { ref: 'i', userId: 'u-1' }]))
    const byRef = Object.fromEntries(reports.map((report) => [report.subjectRef, report.outcomes[0]!]))
    // guid goes first and spends the 5 faults (1 + 4 retries); identity then succeeds.
    expect(byRef.g).toMatchObject({ status: 'failed', attempts: 5, error: { code: 'provider_error' } })
    expect(byRef.i).toMatchObject({ status: 'accepted', attempts: 1 })
    expect(emulator.requests.map((request) => Object.keys(request.body as object)[0])).toEqual(['guid', 'guid', 'guid', 'guid', 'guid', 'identity'])
  })
})

describe('dry run', () => {
  it('lists one redacted request per kind and sends nothing', async () => {
    const { emulator, eraser } = setup()
    const reports = await collect(eraser.eraseMany([{ ref: 'g', ids: { clevertap: 'guid-123' } }, { ref: 'i', userId: 'user-123' }], { dryRun: true }))
    expect(emulator.requests).toHaveLength(0)
    const requests = reports[0]!.requests!
    expect(requests.map((request) => Object.keys(request.body as object))).toEqual([['guid'], ['identity']])
    expect(requests[0]).toMatchObject({ method: 'POST', url: 'https://api.clevertap.com/1/delete/profiles.json' })
    expect(requests[0]!.headers).toMatchObject({ 'x-clevertap-account-id': '***', 'x-clevertap-passcode': '***', 'content-type': 'application/json; charset=utf-8' })
    expect(JSON.stringify(reports)).not.toContain('guid-123')
    expect(JSON.stringify(reports)).not.toContain('user-123')
    expect(reports.every((report) => report.outcomes[0]!.status === 'skipped')).toBe(true)
  })
})

describe('options', () => {
  const base = { accountId: 'ACC-ID-1', passcode: 'PASS-1' }
  const configError = (options: unknown) => {
    try {
      clevertap(options as CleverTapOptions)
    } catch (error) {
      expect(ErasureError.isInstance(error)).toBe(true)
      expect((error as ErasureError).code).toBe('invalid_config')
      return (error as ErasureError).message
    }
    throw new Error('expected invalid_config')
  }

  it.each([
    [{ passcode: 'PASS-1' }, 'options.accountId'],
    [{ accountId: 'ACC-ID-1' }, 'options.passcode'],
    [{ ...base, accountId: '' }, 'options.accountId'],
    [{ ...base, passcode: 'SECRET-PASS\nInjected: 1' }, 'options.passcode'],
    [{ ...base, accountId: 'ACCOUNT WITH SPACE' }, 'options.accountId'],
    [{ ...base, region: 'SECRET-REGION-eu2' }, 'options.region'],
    [{ ...base, identityFrom: 'SECRET-FIELD-ssn' }, 'options.identityFrom'],
    [{ ...base, limits: { batchSize: 500 } }, 'options.limits.batchSize'],
    [{ ...base, baseURL: 'http://api.example.com' }, 'options.baseURL'],
    [{ ...base, timeout: -1 }, 'options.timeout'],
  ])('%o → names %s, never the value', (options, field) => {
    const message = configError(options)
    expect(message).toContain(`[clevertap] ${field}:`)
    for (const value of ['SECRET-PASS', 'ACCOUNT WITH SPACE', 'SECRET-REGION', 'SECRET-FIELD', '500', 'api.example.com']) {
      expect(message).not.toContain(value)
    }
  })

  it('accepts every documented region and a lower batch size', () => {
    for (const region of ['eu1', 'in1', 'sg1', 'us1', 'aps3', 'mec1'] as const) expect(clevertap({ ...base, region }).baseURL).toMatch(/clevertap\.com$/)
    expect(clevertap({ ...base, limits: { batchSize: 10 } }).limits).toMatchObject({ batchSize: 10, concurrency: 3 })
  })

  it('registers both credentials as secrets', () => {
    expect(clevertap(base).secrets).toEqual(['ACC-ID-1', 'PASS-1'])
  })

  it('rejects a non-object', () => {
    expect(configError(undefined)).toContain('options: expected an object')
  })
})
