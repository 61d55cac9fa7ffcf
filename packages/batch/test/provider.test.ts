/**
 * The provider through createEraser against the emulator: outcomes, retries, identifier
 * choice and validation, options validation.
 */
import { describe, expect, it } from 'vitest'
import { createEraser, createMemoryJournal, ErasureError, hashIdentifier, type Report } from '@erasekit/core'
import { batch, type BatchOptions } from '@erasekit/batch'
import { createBatchEmulator, type BatchEmulator } from '@erasekit/batch/emulator'

const REST = 'rest-key-0001'
const IOS = 'ios-app-key-0001'
const ANDROID = 'android-app-key-0002'

function setup(options: Partial<BatchOptions> = {}, emulator: BatchEmulator = createBatchEmulator({ restKey: REST, appKeys: [IOS, ANDROID] })) {
  const eraser = createEraser({
    providers: [
      batch({
        restKey: REST,
        appKeys: { ios: IOS, android: ANDROID },
        fetch: emulator.fetch,
        retry: { delayMs: 1, maxRetryAfterMs: 5 },
        ...options,
      }),
    ],
  })
  return { eraser, emulator }
}

const byTarget = (report: Report, target: string) => report.outcomes.find((outcome) => outcome.target === target)!

async function collect(iterable: AsyncIterable<Report>) {
  const reports: Report[] = []
  for await (const report of iterable) reports.push(report)
  return reports
}

describe('custom_data mode against the emulator', () => {
  it('any label is a target, "constructor" and "__proto__" included (none is silently dropped)', async () => {
    const { eraser, emulator } = setup({ appKeys: JSON.parse(`{"constructor":"${IOS}","__proto__":"${ANDROID}"}`) })
    const report = await eraser.erase({ userId: 'u-1' })
    expect(report.outcomes.map((outcome) => [outcome.target, outcome.status])).toEqual([['constructor', 'accepted'], ['__proto__', 'accepted']])
    expect(emulator.store.deletions.map((deletion) => deletion.appKey).sort()).toEqual([ANDROID, IOS])
  })

  it('queues one deletion per app key; data goes when Batch processes it', async () => {
    const { eraser, emulator } = setup()
    emulator.store.add(IOS, 'u-1', { plan: 'gold' })
    emulator.store.add(ANDROID, 'u-1', { plan: 'gold' })

    const report = await eraser.erase({ ref: 'case-1', userId: 'u-1' })

    expect(report.ok).toBe(true)
    expect(report.outcomes).toHaveLength(2)
    const [first, second] = emulator.store.deletions
    expect(byTarget(report, 'ios')).toMatchObject({ status: 'accepted', httpStatus: 200, attempts: 1, identifier: { kind: 'custom_id' } })
    expect(emulator.store.deletions.map((deletion) => deletion.appKey).sort()).toEqual([ANDROID, IOS])
    const iosToken = emulator.store.deletions.find((deletion) => deletion.appKey === IOS)!.token
    expect(byTarget(report, 'ios').requestId).toBe(iosToken)
    expect(first!.token).not.toBe(second!.token)

    // Asynchronous at Batch: the data is still there until processing.
    expect(emulator.store.has(IOS, 'u-1')).toBe(true)
    emulator.store.process()
    expect(emulator.store.has(IOS, 'u-1')).toBe(false)
    expect(emulator.store.has(ANDROID, 'u-1')).toBe(false)
  })

  it('erases a stream of subjects in one bulk call per app key, same token for each id', async () => {
    const { eraser, emulator } = setup()
    const reports = await collect(eraser.eraseMany([1, 2, 3].map((n) => ({ ref: `r${n}`, userId: `u${n}` }))))
    expect(reports).toHaveLength(3)
    expect(emulator.requests).toHaveLength(2)
    const iosCall = emulator.store.deletions.find((deletion) => deletion.appKey === IOS)!
    expect(iosCall.ids.sort()).toEqual(['u1', 'u2', 'u3'])
    expect(new Set(reports.map((report) => byTarget(report, 'ios').requestId))).toEqual(new Set([iosCall.token]))
  })

  it('reports a wrong REST key as unauthorized, not retried', async () => {
    const { eraser, emulator } = setup({ restKey: 'wrong-rest-key' })
    const report = await eraser.erase({ userId: 'u-1' })
    expect(report.ok).toBe(false)
    for (const outcome of report.outcomes) {
      expect(outcome).toMatchObject({
        status: 'failed',
        httpStatus: 401,
        attempts: 1,
        error: { code: 'unauthorized', providerCode: 'AUTHENTICATION_INVALID', retryable: false },
      })
    }
    expect(emulator.requests).toHaveLength(2)
  })

  it('reports an unknown app key as invalid_config for that target only', async () => {
    const { eraser } = setup({ appKeys: { ios: IOS, web: 'unknown-web-key' } })
    const report = await eraser.erase({ userId: 'u-1' })
    expect(byTarget(report, 'ios').status).toBe('accepted')
    expect(byTarget(report, 'web')).toMatchObject({
      status: 'failed',
      httpStatus: 404,
      attempts: 1,
      error: { code: 'invalid_config', providerCode: 'ROUTE_NOT_FOUND', retryable: false },
    })
  })

  it('retries a 429 after its Retry-After, then succeeds', async () => {
    const { eraser, emulator } = setup({ appKeys: { ios: IOS } })
    emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 0 })
    const report = await eraser.erase({ userId: 'u-1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', attempts: 2 })
    expect(emulator.requests.map((request) => request.status)).toEqual([429, 200])
  })

  it.each([
    [500, 'provider_error', 'SERVER_ERROR'],
    [503, 'provider_unavailable', 'MAINTENANCE_ERROR'],
  ])('retries %i and succeeds; fails with %s once retries run out', async (status, code, providerCode) => {
    const { eraser, emulator } = setup({ appKeys: { ios: IOS }, retry: { limit: 2, delayMs: 1 } })
    emulator.inject({ kind: 'server_error', status })
    expect((await eraser.erase({ userId: 'u-1' })).outcomes[0]).toMatchObject({ status: 'accepted', attempts: 2 })

    emulator.inject({ kind: 'server_error', status }, { times: 3 })
    const failed = (await eraser.erase({ userId: 'u-2' })).outcomes[0]!
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, httpStatus: status, error: { code, providerCode, retryable: true } })
  })

  it('retries dropped connections and malformed 200s', async () => {
    const { eraser, emulator } = setup({ appKeys: { ios: IOS } })
    emulator.inject({ kind: 'drop' })
    emulator.inject({ kind: 'malformed' })
    const report = await eraser.erase({ userId: 'u-1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', attempts: 3 })
    expect(emulator.requests.map((request) => request.fault)).toEqual(['drop', 'malformed', undefined])
  })
})

describe('gdpr mode against the emulator', () => {
  it('creates a remove request per app key and id; processing erases the user', async () => {
    const { eraser, emulator } = setup({ mode: 'gdpr', callbackUrl: 'https://hooks.example.com/batch' })
    emulator.store.add(IOS, 'john.doe', { a: 1 })
    const report = await eraser.erase({ userId: 'john.doe' })

    expect(report.ok).toBe(true)
    const requests = emulator.store.gdprRequests
    expect(requests).toHaveLength(2)
    const ios = requests.find((request) => request.appKey === IOS)!
    expect(ios).toMatchObject({ request_type: 'remove', status: 'pending', id: { type: 'custom_id', value: 'john.doe' }, callback_url: 'https://hooks.example.com/batch' })
    expect(byTarget(report, 'ios')).toMatchObject({ status: 'accepted', requestId: ios.request_id, httpStatus: 200 })

    emulator.store.process()
    expect(emulator.store.has(IOS, 'john.doe')).toBe(false)
    expect(ios.status).toBe('done')
    expect(requests.find((request) => request.appKey === ANDROID)).toMatchObject({ status: 'done', error: 'user not found' })
  })

  it('refuses a batch size above 1 (a GDPR request names one user), and above 10 000 for custom data', () => {
    expect(() => setup({ mode: 'gdpr', appKeys: { ios: IOS }, limits: { batchSize: 5 } })).toThrow(/^\[erasekit\] \[batch\] options\.limits\.batchSize: expected at most 1$/)
    expect(() => setup({ appKeys: { ios: IOS }, limits: { batchSize: 10_001 } })).toThrow(/options\.limits\.batchSize: expected at most 10000/)
    expect(setup({ appKeys: { ios: IOS }, limits: { batchSize: 500 } }).eraser.providers).toEqual(['batch'])
  })

  it('a GDPR request whose answer was lost is sent again: Batch then holds two for the user', async () => {
    const { eraser, emulator } = setup({ mode: 'gdpr', appKeys: { ios: IOS }, retry: { delayMs: 1 } })
    emulator.inject({ kind: 'lost_response' })
    const report = await eraser.erase({ userId: 'john.doe' })
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', attempts: 2 })
    expect(emulator.store.gdprRequests.map((request) => request.id.value)).toEqual(['john.doe', 'john.doe'])
  })

  it('sends one request per subject (batch size 1)', async () => {
    const { eraser, emulator } = setup({ mode: 'gdpr', appKeys: { ios: IOS } })
    await collect(eraser.eraseMany([{ userId: 'a1' }, { userId: 'a2' }, { userId: 'a3' }]))
    expect(emulator.requests).toHaveLength(3)
    expect(emulator.store.gdprRequests.map((request) => request.id.value).sort()).toEqual(['a1', 'a2', 'a3'])
  })
})

describe('gdpr mode: the undocumented create response', () => {
  const answering = (body: unknown) => {
    const fetch = async () => Response.json(body)
    return createEraser({ providers: [batch({ restKey: REST, appKeys: { ios: IOS }, mode: 'gdpr', fetch, retry: { limit: 0 } })] })
  }

  it('a 2xx with an error code is never an erasure; a 2xx object with a request id is', async () => {
    const failed = await answering({ error_code: 'SERVER_ERROR', error_message: 'internal error' }).erase({ userId: 'u-1' })
    expect(failed.ok).toBe(false)
    expect(failed.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_response', providerCode: 'SERVER_ERROR' } })
    const accepted = await answering({ request_id: 'req-42' }).erase({ userId: 'u-1' })
    expect(accepted.outcomes[0]).toMatchObject({ status: 'accepted', requestId: 'req-42' })
  })

  it('a 2xx that says error, or is not a JSON object (a proxy\'s page), is never an erasure, and is not sent again', async () => {
    const bodies: [string, () => Response][] = [
      ['an HTML page', () => new Response('<html><body>Sign in</body></html>', { status: 200, headers: { 'content-type': 'text/html' } })],
      ['error', () => Response.json({ error: 'user not found' })],
      ['errors', () => Response.json({ errors: [{ message: 'bad id' }] })],
      ['status error', () => Response.json({ status: 'error', message: 'Invalid id' })],
      ['an array', () => Response.json([])],
    ]
    for (const [what, answer] of bodies) {
      let calls = 0
      const fetch = async () => (calls++, answer())
      const eraser = createEraser({ providers: [batch({ restKey: REST, appKeys: { ios: IOS }, mode: 'gdpr', fetch })] })
      const outcome = (await eraser.erase({ userId: 'u-1' })).outcomes[0]!
      expect(outcome, what).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'invalid_response', retryable: false } })
      expect(calls, what).toBe(1)
    }
    // The undocumented success: an empty body or a JSON object that does not say error.
    const quiet = [{}, { status: 'pending', id: 'g-1' }, { request_id: 'r1', error: '' }, { request_id: 'r1', error: false }, { request_id: 'r1', errors: [] }]
    const empty = (type?: string) => () => new Response(null, { status: 201, headers: type ? { 'content-type': type } : {} })
    for (const answer of [empty(), empty('text/plain'), empty('application/json'), ...quiet.map((body) => () => Response.json(body))]) {
      const fetch = async () => answer()
      const outcome = (await createEraser({ providers: [batch({ restKey: REST, appKeys: { ios: IOS }, mode: 'gdpr', fetch })] }).erase({ userId: 'u-1' })).outcomes[0]!
      expect(outcome.status).toBe('accepted')
    }
  })

  it('a 2xx whose body is cut off or stalls until the timeout filed a request: accepted, never sent again; a proxy\'s HTML page cut off is no erasure (custom data: retried)', async () => {
    const cut = () => new ReadableStream({ start: (body) => (body.enqueue(new TextEncoder().encode('{"request_id":"r')), body.error(new TypeError('terminated'))) })
    const stalled = () => new ReadableStream({ start: (body) => body.enqueue(new TextEncoder().encode('{"request_id":"r')) })
    for (const [what, stream] of [['cut', cut], ['stalled', stalled]] as const) {
      const sent: string[] = []
      let type = 'application/json'
      const fetch = async (url: string | URL | Request) => (sent.push(String(url)), new Response(stream(), { status: 200, headers: { 'content-type': type } }))
      const eraser = (mode: BatchOptions['mode']) => createEraser({ providers: [batch({ restKey: REST, appKeys: { ios: IOS }, mode, fetch, retry: { limit: 2, delayMs: 1 } })], timeout: 200 })
      const gdpr = (await eraser('gdpr').erase({ userId: 'u-1' })).outcomes[0]!
      expect(sent, what).toHaveLength(1)
      // Its request id was in the part of the body that never came.
      expect(gdpr, what).toMatchObject({ status: 'accepted', httpStatus: 200, attempts: 1 })
      expect(gdpr.requestId, what).toBeUndefined()
      // A custom data delete may be sent again (the same deletion): the transfer's failure, retried.
      const custom = (await eraser('custom_data').erase({ userId: 'u-1' })).outcomes[0]!
      expect(sent, what).toHaveLength(4)
      expect(custom, what).toMatchObject({ status: 'failed', attempts: 3, error: { code: what === 'cut' ? 'network' : 'timeout', retryable: true } })
      // A proxy's login page is not Batch, whole or cut off: never claimed as an erasure, not sent again.
      type = 'text/html; charset=utf-8'
      const page = (await eraser('gdpr').erase({ userId: 'u-1' })).outcomes[0]!
      expect(sent, what).toHaveLength(5)
      expect(page, what).toMatchObject({ status: 'failed', error: { code: 'invalid_response', retryable: false } })
    }
  })

  it('a 2xx in hand when the caller aborts during its body is kept: a resumed run does not file a second request', async () => {
    const controller = new AbortController()
    let posts = 0
    const fetch = async () => (posts++, setTimeout(() => controller.abort(), 20), new Response(new ReadableStream({ start: (body) => body.enqueue(new TextEncoder().encode('{')) }), { status: 200, headers: { 'content-type': 'application/json' } }))
    const journal = createMemoryJournal()
    const eraser = createEraser({ providers: [batch({ restKey: REST, appKeys: { ios: IOS }, mode: 'gdpr', fetch })] })
    const first = await eraser.erase({ ref: 't-1', userId: 'u-1' }, { signal: controller.signal, journal })
    expect(first.outcomes[0]).toMatchObject({ status: 'accepted' })
    await eraser.erase({ ref: 't-1', userId: 'u-1' }, { journal })
    expect(posts).toBe(1)
  })
})

describe('custom data: a 2xx with a token', () => {
  it('is accepted with empty error fields, and refused (retried, then failed) when it says error', async () => {
    const outcomeFor = async (body: unknown) => {
      let calls = 0
      const fetch = async () => (calls++, Response.json(body))
      const eraser = createEraser({ providers: [batch({ restKey: REST, appKeys: { ios: IOS }, fetch, retry: { limit: 1, delayMs: 1 } })] })
      return { outcome: (await eraser.erase({ userId: 'u-1' })).outcomes[0]!, calls }
    }
    for (const body of [{ token: 't1' }, { token: 't1', errors: [] }, { token: 't1', error: false }, { token: 't1', error: '' }]) {
      expect((await outcomeFor(body)).outcome).toMatchObject({ status: 'accepted', requestId: 't1' })
    }
    const refused = await outcomeFor({ token: 't1', error: 'partial failure' })
    expect(refused.outcome).toMatchObject({ status: 'failed', error: { code: 'invalid_response' } })
    expect(refused.calls).toBe(2)
  })
})

describe('identifier choice', () => {
  it('uses userId by default and skips a subject without one', async () => {
    const { eraser, emulator } = setup()
    const report = await eraser.erase({ ref: 'r', email: 'a@example.com' })
    expect(report.ok).toBe(true)
    expect(report.outcomes.map((outcome) => [outcome.target, outcome.status, outcome.reason])).toEqual([
      ['ios', 'skipped', 'no_identifier'],
      ['android', 'skipped', 'no_identifier'],
    ])
    expect(emulator.requests).toHaveLength(0)
  })

  it.each(['email', 'phone'] as const)('can take the custom id from %s', async (field) => {
    const { eraser, emulator } = setup({ customIdFrom: field, appKeys: { ios: IOS } })
    const value = field === 'email' ? 'a@example.com' : '+33600000000'
    const report = await eraser.erase({ userId: 'ignored-user', [field]: value })
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', identifier: { kind: 'custom_id' } })
    expect(emulator.store.deletions[0]!.ids).toEqual([value])
  })

  it.each(['undefined', 'null', 'NIL', '(null)', '[object Object]', 'True', 'false', 'NaN', 'Infinity', '-infinity'])(
    'refuses the SDK-blocklisted id %j before any request',
    async (userId) => {
      const { eraser, emulator } = setup()
      const report = await eraser.erase({ userId })
      for (const outcome of report.outcomes) {
        // The core refuses the commonest of them itself, for every provider.
        expect(outcome).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_subject', message: expect.stringMatching(/userId is blocklisted|missing value written as text/), retryable: false } })
        expect(outcome.identifier).toEqual({ kind: 'custom_id', hash: await hashIdentifier(userId) })
      }
      expect(emulator.requests).toHaveLength(0)
    },
  )

  it('accepts values that only contain a blocklisted word', async () => {
    const { eraser } = setup({ appKeys: { ios: IOS } })
    const report = await eraser.erase({ userId: 'nullable-user' })
    expect(report.outcomes[0]!.status).toBe('accepted')
  })

  it('enforces 1024 characters at most, with no request sent', async () => {
    const { eraser, emulator } = setup({ appKeys: { ios: IOS } })
    const ok = await eraser.erase({ userId: 'x'.repeat(1024) })
    expect(ok.outcomes[0]!.status).toBe('accepted')
    const tooLong = await eraser.erase({ userId: 'x'.repeat(1025) })
    expect(tooLong.outcomes[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_subject' } })
    expect(emulator.requests).toHaveLength(1)
  })

  it('refuses control characters with no request sent', async () => {
    const { eraser, emulator } = setup({ appKeys: { ios: IOS } })
    const report = await eraser.erase({ userId: 'a\r\nb' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_subject' } })
    expect(emulator.requests).toHaveLength(0)
  })

  it('delivers ids with reserved characters intact', async () => {
    const { eraser, emulator } = setup({ appKeys: { ios: IOS } })
    for (const userId of ['a/b?c#d', '..', '.', '%2e%2e', 'é ü']) await eraser.erase({ userId })
    expect(emulator.store.deletions.flatMap((deletion) => deletion.ids)).toEqual(['a/b?c#d', '..', '.', '%2e%2e', 'é ü'])
  })

  it('sends an id whose percent-encoded form is over 2 000 characters by the bulk route, not in an URL some servers refuse', async () => {
    const { eraser, emulator } = setup({ appKeys: { ios: IOS } })
    const long = '用'.repeat(1024) // 9 216 characters percent-encoded
    const fits = 'é'.repeat(333) + 'ab' // 2 000: the last that goes in the path
    const over = 'é'.repeat(333) + 'abc' // 2 001
    for (const userId of [long, fits, over]) await eraser.erase({ userId })
    expect(emulator.requests.map((request) => [request.method, request.path.length < 100 ? request.path : 'long path'])).toEqual([['DELETE', `/1.0/${IOS}/data/users`], ['DELETE', 'long path'], ['DELETE', `/1.0/${IOS}/data/users`]])
    expect(emulator.store.deletions.flatMap((deletion) => deletion.ids)).toEqual([long, fits, over])
  })
})

describe('options validation', () => {
  const valid: BatchOptions = { restKey: 'SECRET-REST-VALUE', appKeys: { ios: 'SECRET-APP-VALUE' } }
  const cases: [string, unknown, RegExp][] = [
    ['missing restKey', { ...valid, restKey: undefined }, /options\.restKey: /],
    ['empty restKey', { ...valid, restKey: '' }, /options\.restKey: /],
    ['numeric restKey', { ...valid, restKey: 987654321 }, /options\.restKey: /],
    ['missing appKeys', { ...valid, appKeys: undefined }, /options\.appKeys: /],
    ['no app key', { ...valid, appKeys: {} }, /options\.appKeys: expected app keys by label/],
    ['app keys as an array (labels would be 0, 1)', { ...valid, appKeys: ['SECRET-APP-VALUE'] }, /^\[erasekit\] \[batch\] options\.appKeys: expected \{ label: appKey \}$/],
    ['empty app key', { ...valid, appKeys: { ios: '' } }, /options\.appKeys\.ios: /],
    ['non-string app key', { ...valid, appKeys: { ios: 123456789 } }, /options\.appKeys\.ios: /],
    ['bad label', { ...valid, appKeys: { 'i.o s': 'SECRET-APP-VALUE' } }, /options\.appKeys: expected app keys by label \(\[A-Za-z0-9_-\]\)/],
    ['a label that is its app key (labels are outcome targets)', { ...valid, appKeys: { SECRETAPPVALUE1: 'SECRETAPPVALUE1' } }, /^\[erasekit\] \[batch\] options\.appKeys: a label holds a key/],
    ['a label holding another app key, any case', { ...valid, appKeys: { ios: 'SECRET-APP-VALUE', 'android-secret-app-value': 'SECRET-APP-VALUE-2' } }, /options\.appKeys: a label holds a key/],
    ['a label holding the REST key', { ...valid, restKey: 'SECRETREST', appKeys: { ios_SECRETREST: 'SECRET-APP-VALUE' } }, /options\.appKeys: a label holds a key/],
    ['mode', { ...valid, mode: 'SECRET-MODE' }, /options\.mode: expected custom_data or gdpr/],
    ['customIdFrom', { ...valid, customIdFrom: 'SECRET-FIELD' }, /options\.customIdFrom: /],
    ['http callbackUrl', { ...valid, mode: 'gdpr', callbackUrl: 'http://SECRET-HOST.example/cb' }, /options\.callbackUrl: expected an https URL/],
    ['not a URL', { ...valid, mode: 'gdpr', callbackUrl: 'SECRET-NOT-URL' }, /options\.callbackUrl: /],
    ['callbackUrl with no host', { ...valid, mode: 'gdpr', callbackUrl: 'https://@' }, /options\.callbackUrl: expected an https URL/],
    ['callbackUrl with a space', { ...valid, mode: 'gdpr', callbackUrl: 'https://SECRET-HOST.example/a b' }, /options\.callbackUrl: expected an https URL/],
    ['callbackUrl with CR/LF', { ...valid, mode: 'gdpr', callbackUrl: 'https://SECRET-HOST.example/a\r\n<script>' }, /options\.callbackUrl: expected an https URL/],
    ['identifier length limit raised', { ...valid, limits: { maxIdentifierLength: 5000 } }, /^\[erasekit\] \[batch\] options\.limits\.maxIdentifierLength: expected at most 1024$/],
    ['callbackUrl without gdpr', { ...valid, callbackUrl: 'https://SECRET-HOST.example/cb' }, /options\.callbackUrl: needs mode gdpr/],
    ['batch size', { ...valid, limits: { batchSize: 0 } }, /options\.limits\.batchSize: /],
    ['http baseURL', { ...valid, baseURL: 'http://SECRET-HOST.example' }, /options\.baseURL: must use https/],
  ]

  it.each(cases)('%s → invalid_config naming the field, never the value', (_, options, message) => {
    let thrown: unknown
    try {
      batch(options as BatchOptions)
    } catch (error) {
      thrown = error
    }
    expect(ErasureError.isInstance(thrown)).toBe(true)
    const error = thrown as ErasureError
    expect(error.code).toBe('invalid_config')
    expect(error.provider).toBe('batch')
    expect(error.message).toMatch(message)
    expect(error.message).not.toMatch(/SECRET|987654321|123456789/)
  })

  it('rejects a non-object', () => {
    expect(() => batch(undefined as unknown as BatchOptions)).toThrow(/options: expected an object/)
  })

  it('accepts a loopback http baseURL and the documented modes', () => {
    expect(batch({ ...valid, baseURL: 'http://127.0.0.1:8080' }).baseURL).toBe('http://127.0.0.1:8080')
    expect(batch({ ...valid, mode: 'gdpr', callbackUrl: 'https://cb.example' }).limits.batchSize).toBe(1)
    expect(batch(valid).targets).toEqual(['ios'])
    expect(batch({ ...valid, appKeys: { ios: 'a1', android: 'b2', web_1: 'c3' } }).targets).toEqual(['ios', 'android', 'web_1'])
  })

  it('registers the REST key, every app key and the callback URL as secrets', () => {
    const provider = batch({ restKey: 'r-1', appKeys: { ios: 'a-1', android: 'a-2' }, mode: 'gdpr', callbackUrl: 'https://cb.example/t' })
    expect([...provider.secrets].sort()).toEqual(['a-1', 'a-2', 'https://cb.example/t', 'r-1'])
  })
})
