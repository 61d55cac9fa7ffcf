// The provider through createEraser against the emulator, with both error transports
// (errors in HTTP 200 bodies, and errors with HTTP status = error code).
import { createEraser, ErasureError, type RequestContext, type Subject } from '@erasekit/core'
import { describe, expect, it } from 'vitest'
import { type AltcraftEmulator, createAltcraftEmulator } from '../src/emulator'
import { altcraft, altcraftIdKey, type AltcraftOptions } from '../src/index'

const BASE = 'https://ru.altkraft.com'

function setup(transport: 'http200' | 'status', options: Partial<AltcraftOptions> = {}, emailCase?: 'exact') {
  const emulator = createAltcraftEmulator({ errorTransport: transport, restrictedToken: 'restricted-token', emailCase })
  const provider = altcraft({ baseURL: BASE, token: emulator.token, dbId: 1, fetch: emulator.fetch, ...options } as AltcraftOptions)
  const eraser = createEraser({ providers: [provider], retry: { delayMs: 1, limit: 3, maxRetryAfterMs: 5 } })
  const erase = async (subject: Subject) => (await eraser.erase(subject)).outcomes[0]!
  return { emulator, eraser, erase }
}

const lastBody = (emulator: AltcraftEmulator) => emulator.requests.at(-1)!.body as Record<string, unknown>

describe.each(['http200', 'status'] as const)('altcraft provider (errorTransport: %s)', (transport) => {
  const errorStatus = (code: number) => (transport === 'status' ? code : 200)

  it('deletes by email: deleted, profile gone; the profile_id in the answer (personal data) is not in the receipt', async () => {
    const { emulator, erase } = setup(transport)
    const id = emulator.store.add(1, { email: 'ann@example.com' })
    const outcome = await erase({ email: 'ann@example.com' })
    expect(outcome).toMatchObject({ status: 'deleted', httpStatus: 200, attempts: 1, identifier: { kind: 'email' } })
    expect(outcome.error).toBeUndefined()
    expect(JSON.stringify(outcome)).not.toContain(id)
    expect(emulator.store.has(1, id)).toBe(false)
    expect(emulator.store.deleted).toEqual([{ dbId: 1, profileId: id }])
  })

  it('a mixed-case email Altcraft does not find is asked again in lower case before not_found is believed (its matching is not documented)', async () => {
    // Exact matching, the reading under which case matters.
    const { emulator, erase } = setup(transport, {}, 'exact')
    const stored = emulator.store.add(1, { email: 'ann@example.com' })
    expect(await erase({ email: 'Ann@Example.com' })).toMatchObject({ status: 'deleted', identifier: { kind: 'email' } })
    expect(emulator.requests.map((request) => (request.body as { email: string }).email)).toEqual(['Ann@Example.com', 'ann@example.com'])
    expect(emulator.store.has(1, stored)).toBe(false)
    // Stored as given: found at once. Nobody under either form: not_found after both. Lower case already: asked once.
    emulator.store.add(1, { email: 'Bob@Example.com' })
    expect(await erase({ email: 'Bob@Example.com' })).toMatchObject({ status: 'deleted' })
    expect(await erase({ email: 'Nobody@Example.com' })).toMatchObject({ status: 'not_found' })
    expect(await erase({ email: 'nobody@example.com' })).toMatchObject({ status: 'not_found' })
    expect(emulator.requests.slice(2).map((request) => (request.body as { email: string }).email)).toEqual(['Bob@Example.com', 'Nobody@Example.com', 'nobody@example.com', 'nobody@example.com'])
  })

  it('deletes by ids.altcraft', async () => {
    const { emulator, erase } = setup(transport)
    const id = emulator.store.add(1, { email: 'ann@example.com' })
    const outcome = await erase({ ids: { altcraft: id }, email: 'ann@example.com' })
    expect(outcome).toMatchObject({ status: 'deleted', identifier: { kind: 'profile_id' } })
    expect(outcome.requestId).toBeUndefined()
    expect(lastBody(emulator)).toMatchObject({ matching: 'profile_id', profile_id: id })
    expect(emulator.store.has(1, id)).toBe(false)
  })

  it('deletes by phone, and by a custom field from userId', async () => {
    const { emulator, erase } = setup(transport, { custom: { field: 'CRM_ID', from: 'userId' } })
    const byPhone = emulator.store.add(1, { phone: '+79000000000' })
    const byCrm = emulator.store.add(1, { fields: { CRM_ID: 123420 } })
    expect(await erase({ phone: '+79000000000' })).toMatchObject({ status: 'deleted', identifier: { kind: 'phone' } })
    expect(await erase({ userId: '123420' })).toMatchObject({ status: 'deleted', identifier: { kind: 'custom' } })
    expect(emulator.store.has(1, byPhone) || emulator.store.has(1, byCrm)).toBe(false)
    expect(lastBody(emulator)).toMatchObject({ matching: 'custom', field_name: 'CRM_ID', field_value: '123420' })
  })

  it('a phone not in E.164 form fails before any request (a miss would read as not_found while the profile stays)', async () => {
    const { emulator, erase } = setup(transport)
    const stored = emulator.store.add(1, { phone: '+79005554433' })
    // Formatted, national (8…, no country code), without the +, too short, a URI.
    for (const phone of ['+7 900 555-44-33', '+7(900)5554433', '8-900-555-44-33', '89005554433', '9005554433', '79005554433', '+7900', '+07900555443', 'tel:+79005554433']) {
      const outcome = await erase({ phone })
      expect(outcome, phone).toMatchObject({ status: 'failed', attempts: 0, identifier: { kind: 'phone' }, error: { code: 'invalid_subject', message: '[erasekit] [altcraft] subject.phone: phone is not in E.164 form (a + and 7 to 15 digits)' } })
    }
    expect(emulator.requests).toHaveLength(0)
    expect(await erase({ phone: '+79005554433' })).toMatchObject({ status: 'deleted' })
    expect(emulator.store.has(1, stored)).toBe(false)
  })

  it('resourceId narrows email matching: a profile outside the resource is not found, and stays', async () => {
    const { emulator, erase } = setup(transport, { resourceId: 24 })
    emulator.store.add(1, { email: 'ann@example.com', resources: [7] })
    const outcome = await erase({ email: 'ann@example.com' })
    expect(outcome).toMatchObject({ status: 'not_found' })
    expect(lastBody(emulator).resource_id).toBe(24)
    expect(emulator.store.count(1)).toBe(1)
  })

  it('an unknown profile (second deletion): "Profile not found" is not_found, though it has no documented code', async () => {
    const { emulator, erase } = setup(transport)
    emulator.store.add(1, { email: 'ann@example.com' })
    await erase({ email: 'ann@example.com' })
    const outcome = await erase({ email: 'ann@example.com' })
    expect(outcome).toMatchObject({ status: 'not_found', httpStatus: errorStatus(400), attempts: 1 })
    expect(outcome.error).toBeUndefined()
  })

  it('only the whole text "Profile not found" with code 400 or 404 is not_found: a failure is never read as success', async () => {
    const { emulator, erase } = setup(transport)
    for (const text of ['Profile not found', 'profile is not found.', ' PROFILE NOT FOUND ']) {
      for (const code of [400, 404]) {
        emulator.failWith(code, text)
        expect(await erase({ email: 'ann@example.com' }), `${code} ${text}`).toMatchObject({ status: 'not_found', httpStatus: errorStatus(code) })
      }
    }
    // Misconfiguration in "not found" words, or the right words under another code.
    const failing: [number, string][] = [
      [400, 'Profile field CRM_ID not found'],
      [400, 'Profile database not found'],
      [400, 'Matching field for profile not found'],
      [400, 'Profile not found: API token not found'],
      [404, 'API method profile/delete not found'],
      [401, 'Profile not found'],
      [402, 'Profile not found'],
      [403, 'Profile not found'],
      [405, 'Profile not found'],
      [409, 'Profile not found'],
    ]
    for (const [code, text] of failing) {
      emulator.failWith(code, text)
      expect(await erase({ email: 'ann@example.com' }), `${code} ${text}`).toMatchObject({ status: 'failed', error: { providerCode: String(code) } })
    }
    // A busy code (here 503) is retried first, whatever its text.
    emulator.failWith(503, 'Profile not found')
    expect(await erase({ email: 'ann@example.com' })).toMatchObject({ status: 'not_found', attempts: 2 })
    const wrongDatabase = setup(transport, { dbId: 77 })
    expect(await wrongDatabase.erase({ email: 'ann@example.com' })).toMatchObject({ status: 'failed', error: { code: 'invalid_request', message: '[erasekit] [altcraft] error 400: Database not found' } })
  })

  it('a wrong token is unauthorized (401), not retried', async () => {
    const { erase } = setup(transport, { token: 'wrong-token' })
    const outcome = await erase({ email: 'ann@example.com' })
    expect(outcome).toMatchObject({ status: 'failed', httpStatus: errorStatus(401), attempts: 1, error: { code: 'unauthorized', providerCode: '401' } })
  })

  it('a wrong bearer token is unauthorized too', async () => {
    const { emulator, erase } = setup(transport, { token: 'wrong-token', tokenIn: 'header' })
    const outcome = await erase({ email: 'ann@example.com' })
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'unauthorized', providerCode: '401' } })
    expect(emulator.requests[0]!.headers.authorization).toBe('Bearer wrong-token')
  })

  it('bearer auth succeeds with no token in the body', async () => {
    const { emulator, erase } = setup(transport, { tokenIn: 'header' })
    emulator.store.add(1, { email: 'ann@example.com' })
    expect(await erase({ email: 'ann@example.com' })).toMatchObject({ status: 'deleted' })
    expect(lastBody(emulator)).not.toHaveProperty('token')
  })

  it('a token without the delete permission is forbidden (403)', async () => {
    const { erase } = setup(transport, { token: 'restricted-token' })
    const outcome = await erase({ email: 'ann@example.com' })
    expect(outcome).toMatchObject({ status: 'failed', httpStatus: errorStatus(403), error: { code: 'forbidden', providerCode: '403', retryable: false } })
  })

  it('402 tariff limit is provider_error, not retried', async () => {
    const { emulator, erase } = setup(transport)
    emulator.store.add(1, { email: 'ann@example.com' })
    emulator.failWith(402, 'Tariff limit reached', { times: 5 })
    const outcome = await erase({ email: 'ann@example.com' })
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, httpStatus: errorStatus(402), error: { code: 'provider_error', providerCode: '402', retryable: false } })
    expect(outcome.error!.message).toContain('Tariff limit reached')
    expect(emulator.requests).toHaveLength(1)
  })

  it('an unknown error code is provider_error with the code kept, not retried', async () => {
    const { emulator, erase } = setup(transport)
    emulator.failWith(418, 'Something new')
    const outcome = await erase({ email: 'ann@example.com' })
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'provider_error', providerCode: '418', retryable: false } })
  })

  it('an unknown database is invalid_request', async () => {
    const { erase } = setup(transport, { dbId: 77 })
    expect(await erase({ email: 'ann@example.com' })).toMatchObject({ status: 'failed', error: { code: 'invalid_request', providerCode: '400' } })
  })
})

describe('altcraft provider: retries', () => {
  it('429 is retried after Retry-After (capped by maxRetryAfterMs)', async () => {
    const { emulator, eraser } = setup('http200')
    emulator.store.add(1, { email: 'ann@example.com' })
    emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 1 })
    const delays: number[] = []
    eraser.hook('retry', (ctx: RequestContext) => {
      delays.push(ctx.delayMs)
    })
    const outcome = (await eraser.erase({ email: 'ann@example.com' })).outcomes[0]!
    expect(outcome).toMatchObject({ status: 'deleted', attempts: 2 })
    expect(emulator.requests.map((request) => request.status)).toEqual([429, 200])
    // delayMs 1 would give a backoff of 0..1 ms; 5 is Retry-After (1 s) capped at maxRetryAfterMs.
    expect(delays).toEqual([5])
  })

  it.each<Record<string, string>>([{ 'retry-after': '1' }, { 'x-ratelimit-reset': '1' }])('a body 429 under HTTP 200 honours the wait it asks (%o) as an HTTP 429 does', async (headers) => {
    const answers = [
      Response.json({ error: 429, error_text: 'Too many requests' }, { headers }),
      Response.json({ error: 0, error_text: 'Successful operation', data: { profile_id: 'p' } }),
    ]
    const provider = altcraft({ baseURL: BASE, token: 'token-1', dbId: 1, fetch: async () => answers.shift()! })
    const eraser = createEraser({ providers: [provider], retry: { delayMs: 1, limit: 3, maxRetryAfterMs: 5 } })
    const delays: number[] = []
    eraser.hook('retry', (ctx: RequestContext) => {
      delays.push(ctx.delayMs)
    })
    expect((await eraser.erase({ email: 'ann@example.com' })).outcomes[0]).toMatchObject({ status: 'deleted', attempts: 2 })
    // Backoff alone would be 0..1 ms; 5 is the wait asked (1 s) capped at maxRetryAfterMs.
    expect(delays).toEqual([5])
  })

  it.each([500, 502, 503, 504])('HTTP %i is retried', async (status) => {
    const { emulator, erase } = setup('http200')
    emulator.store.add(1, { email: 'ann@example.com' })
    emulator.inject({ kind: 'server_error', status })
    expect(await erase({ email: 'ann@example.com' })).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('retries stop at the limit: failed with the last transient error', async () => {
    const { emulator, erase } = setup('http200')
    emulator.inject({ kind: 'server_error', status: 503 }, { times: 10 })
    const outcome = await erase({ email: 'ann@example.com' })
    expect(outcome).toMatchObject({
      status: 'failed',
      attempts: 4,
      httpStatus: 503,
      error: { code: 'provider_unavailable', retryable: true },
    })
    // Its body's `error: 503` is the HTTP status again: said once.
    expect(outcome.error?.message).toMatch(/^\[erasekit\] \[altcraft\] HTTP 503: /)
    expect(outcome.error?.providerCode).toBeUndefined()
    expect(emulator.requests).toHaveLength(4)
  })

  it('a malformed 200 is invalid_response and retried', async () => {
    const { emulator, erase } = setup('http200')
    emulator.store.add(1, { email: 'ann@example.com' })
    emulator.inject({ kind: 'malformed' })
    expect(await erase({ email: 'ann@example.com' })).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('a dropped connection is retried', async () => {
    const { emulator, erase } = setup('http200')
    emulator.store.add(1, { email: 'ann@example.com' })
    emulator.inject({ kind: 'drop' })
    expect(await erase({ email: 'ann@example.com' })).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('an answer lost after the deletion: the retry is told "Profile not found", so the subject is not_found, not failed', async () => {
    const { emulator, erase } = setup('http200')
    const id = emulator.store.add(1, { email: 'ann@example.com' })
    emulator.inject({ kind: 'lost_response' })
    expect(await erase({ email: 'ann@example.com' })).toMatchObject({ status: 'not_found', attempts: 2 })
    expect(emulator.store.deleted).toEqual([{ dbId: 1, profileId: id }])
  })

  it('4xx transport errors are not retried', async () => {
    const { emulator, erase } = setup('status', { dbId: 77 })
    const outcome = await erase({ email: 'ann@example.com' })
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, httpStatus: 400 })
    expect(emulator.requests).toHaveLength(1)
  })
})

describe('altcraft provider: identifier choice', () => {
  const custom = { field: 'CRM_ID', from: 'userId' } as const

  it.each([
    [{ ids: { altcraft: 'a1c0f7ed0000000000000001' }, email: 'a@x.io', phone: '+79000000001', userId: 'u1' }, 'profile_id'],
    [{ email: 'a@x.io', phone: '+79000000001', userId: 'u1' }, 'email'],
    [{ phone: '+79000000001', userId: 'u1' }, 'phone'],
    [{ userId: 'u1' }, 'custom'],
  ] as [Subject, string][])('default order: %j → %s', async (subject, kind) => {
    const { emulator, erase } = setup('http200', { custom })
    const outcome = await erase(subject)
    expect(outcome.identifier!.kind).toBe(kind)
    expect(lastBody(emulator).matching).toBe(kind)
  })

  it('ids of other providers are not used', async () => {
    const { emulator, erase } = setup('http200')
    expect(await erase({ ids: { adapty: 'x1' }, userId: 'u1' })).toMatchObject({ status: 'skipped', reason: 'no_identifier', attempts: 0 })
    expect(emulator.requests).toHaveLength(0)
  })

  it('custom matching needs the custom option: userId alone is skipped without it', async () => {
    const { emulator, erase } = setup('http200')
    expect(await erase({ userId: 'u1' })).toMatchObject({ status: 'skipped', reason: 'no_identifier' })
    expect(emulator.requests).toHaveLength(0)
  })

  it('options.matching sets the order and excludes the rest', async () => {
    const { emulator, erase } = setup('http200', { matching: ['phone', 'email'] })
    expect((await erase({ ids: { altcraft: 'a1c0f7ed0000000000000001' }, email: 'a@x.io', phone: '+79000000001' })).identifier!.kind).toBe('phone')
    expect(lastBody(emulator)).toMatchObject({ matching: 'phone', phone: '+79000000001' })
    expect(await erase({ ids: { altcraft: 'a1c0f7ed0000000000000001' } })).toMatchObject({ status: 'skipped' })
  })

  it('custom may read a dedicated id (from: "ids.<key>"), and skips a subject without it', async () => {
    const { emulator, erase } = setup('http200', { matching: ['email', 'custom'], custom: { field: 'CRM_ID', from: 'ids.crm' } })
    const byCrm = emulator.store.add(1, { fields: { CRM_ID: 'CRM-77' } })
    expect(await erase({ userId: 'u1', ids: { crm: 'CRM-77', adapty: 'x1' } })).toMatchObject({ status: 'deleted', identifier: { kind: 'custom' } })
    expect(lastBody(emulator)).toMatchObject({ matching: 'custom', field_name: 'CRM_ID', field_value: 'CRM-77' })
    expect(emulator.store.has(1, byCrm)).toBe(false)
    // Email comes first in this order; a subject with neither is skipped, its userId unused.
    await erase({ email: 'a@x.io', ids: { crm: 'CRM-78' } })
    expect(lastBody(emulator)).toMatchObject({ matching: 'email', email: 'a@x.io' })
    const before = emulator.requests.length
    expect(await erase({ userId: 'u1', ids: { other: 'CRM-79' } })).toMatchObject({ status: 'skipped', reason: 'no_identifier' })
    expect(emulator.requests).toHaveLength(before)
  })

  it('custom.from ids.<key>: a key of word characters and dashes, up to 40 (altcraftIdKey, which erasekit run reads columns by)', async () => {
    expect(altcraftIdKey('ids.crm-id_2')).toBe('crm-id_2')
    expect(altcraftIdKey(`ids.${'k'.repeat(40)}`)).toBe('k'.repeat(40))
    for (const from of ['idsxcrm', 'ids.', 'ids.a.b', 'ids.__proto__', `ids.${'k'.repeat(41)}`, 'userId', 42, undefined]) expect(altcraftIdKey(from), String(from)).toBeUndefined()
    // A key with a dash reads that id.
    const { emulator, erase } = setup('http200', { matching: ['custom'], custom: { field: 'CRM_ID', from: 'ids.crm-id' } })
    const profile = emulator.store.add(1, { fields: { CRM_ID: 'CRM-80' } })
    expect(await erase({ ids: { 'crm-id': 'CRM-80' } })).toMatchObject({ status: 'deleted', identifier: { kind: 'custom' } })
    expect(emulator.store.has(1, profile)).toBe(false)
  })

  it('custom may read email', async () => {
    const { emulator, erase } = setup('http200', { matching: ['custom'], custom: { field: 'LOGIN', from: 'email' } })
    await erase({ email: 'a@x.io' })
    expect(lastBody(emulator)).toMatchObject({ matching: 'custom', field_name: 'LOGIN', field_value: 'a@x.io' })
  })

  it('an identifier with control characters fails invalid_subject and sends nothing', async () => {
    const { emulator, erase } = setup('http200')
    const outcome = await erase({ email: 'a@x.io\r\nX-Evil: 1' })
    expect(outcome).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_subject' } })
    expect(emulator.requests).toHaveLength(0)
  })
})

describe('altcraft options validation', () => {
  const valid: AltcraftOptions = { baseURL: BASE, token: 'tok-abc', dbId: 1 }
  const fails = (options: unknown, field: string, secret?: string) => {
    let error: unknown
    try {
      altcraft(options as AltcraftOptions)
    } catch (thrown) {
      error = thrown
    }
    expect(ErasureError.isInstance(error)).toBe(true)
    const { code, message, provider } = error as ErasureError
    expect(code).toBe('invalid_config')
    expect(provider).toBe('altcraft')
    expect(message).toContain(field ? `options.${field}: ` : 'options: ')
    if (secret) expect(message).not.toContain(secret)
    return message
  }

  it('accepts a valid config', () => {
    expect(altcraft(valid)).toMatchObject({ name: 'altcraft', baseURL: BASE, limits: { batchSize: 1, concurrency: 4 }, secrets: ['tok-abc'] })
    expect(altcraft({ ...valid, baseURL: 'https://cdp.example.com/' }).baseURL).toBe('https://cdp.example.com')
  })

  it('baseURL is required, with a clear message', () => {
    const { baseURL: _, ...rest } = valid
    expect(fails(rest, 'baseURL')).toBe('[erasekit] [altcraft] options.baseURL: required: https://ru.altkraft.com or your own Altcraft URL')
    const { token: __, ...noToken } = valid
    expect(fails(noToken, 'token')).toBe('[erasekit] [altcraft] options.token: required')
    fails({ ...valid, baseURL: '' }, 'baseURL')
  })

  it('baseURL must be https (http only for loopback)', () => {
    fails({ ...valid, baseURL: 'http://altcraft.internal.example' }, 'baseURL', 'altcraft.internal.example')
    fails({ ...valid, baseURL: 'not a url zzqq' }, 'baseURL', 'zzqq')
    expect(altcraft({ ...valid, baseURL: 'http://127.0.0.1:8080' }).baseURL).toBe('http://127.0.0.1:8080')
  })

  it.each([
    [{ token: undefined }, 'token'],
    [{ token: null }, 'token'],
    [{ token: '' }, 'token'],
    [{ token: 12345678 }, 'token', '12345678'],
    [{ tokenIn: 'query-SECRETISH' }, 'tokenIn', 'query-SECRETISH'],
    [{ dbId: undefined }, 'dbId'],
    [{ dbId: 0 }, 'dbId'],
    [{ dbId: 1.5 }, 'dbId', '1.5'],
    [{ dbId: '987654' }, 'dbId', '987654'],
    [{ matching: [] }, 'matching'],
    [{ matching: 'email' }, 'matching'],
    [{ matching: ['email', 'name-LEAKY'] }, 'matching.1', 'name-LEAKY'],
    [{ custom: { field: '', from: 'userId' } }, 'custom.field'],
    [{ custom: { field: 'CRM_ID', from: 'ref-LEAKY' } }, 'custom.from', 'ref-LEAKY'],
    [{ custom: 'CRM_ID-LEAKY' }, 'custom', 'CRM_ID-LEAKY'],
    [{ custom: { field: 'CRM_ID', from: 'ids.' } }, 'custom.from'],
    [{ custom: { field: 'CRM_ID', from: 'idsxcrm' } }, 'custom.from'],
    [{ custom: { field: 'CRM_ID', from: 'ids.__proto__' } }, 'custom.from'],
    [{ custom: { field: 'CRM_ID', from: `ids.${'k'.repeat(41)}` } }, 'custom.from'],
    [{ custom: { field: 'CRM_ID', from: 'ids.a b-LEAKY' } }, 'custom.from', 'ids.a b-LEAKY'],
    [{ custom: { field: 'CRM_ID', from: { toString: () => 'userId' } } }, 'custom.from'],
    [{ resourceId: -3 }, 'resourceId', '-3'],
    [{ matching: ['custom'] }, 'custom'],
    [{ retry: { limit: -1 } }, 'retry.limit'],
  ] as [Record<string, unknown>, string, string?][])('%j → options.%s', (patch, field, secret) => {
    fails({ ...valid, ...patch }, field, secret)
  })

  it('a non-object is refused', () => {
    fails(undefined, '')
  })
})

describe('altcraft provider: "Profile not found" under another HTTP status', () => {
  it.each([401, 403, 409, 422])('HTTP %i with body code 400 "Profile not found" fails', async (status) => {
    const fetch = async () => Response.json({ error: 400, error_text: 'Profile not found' }, { status })
    const eraser = createEraser({ providers: [altcraft({ baseURL: BASE, token: 'tok-1', dbId: 1, fetch })] })
    expect((await eraser.erase({ email: 'ann@example.com' })).outcomes[0]).toMatchObject({ status: 'failed', httpStatus: status })
  })
})

describe('README example', () => {
  it('runs against the emulator as documented', async () => {
    const emulator = createAltcraftEmulator()
    const profileId = emulator.store.add(1, { email: 'ann@example.com' })
    const eraser = createEraser({
      providers: [altcraft({ baseURL: 'https://ru.altkraft.com', token: emulator.token, dbId: 1, fetch: emulator.fetch })],
    })
    const report = await eraser.erase({ email: 'ann@example.com' })
    expect(report.ok).toBe(true)
    expect(report.outcomes[0]!.status).toBe('deleted')
    expect(emulator.store.has(1, profileId)).toBe(false)
  })
})
