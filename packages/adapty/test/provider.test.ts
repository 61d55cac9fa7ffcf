/** The provider through createEraser against the emulator: every documented answer → DESIGN outcome. */
import { createEraser, ErasureError, hashIdentifier, type Outcome } from '@erasekit/core'
import { describe, expect, it } from 'vitest'
import { adapty, type AdaptyOptions } from '../src/index'
import { createAdaptyEmulator, type AdaptyEmulator } from '../src/emulator'

const PROFILE_ID = '3286abd3-48b0-4e9c-a5f6-ac0a006804a6'

function setup(options: Partial<AdaptyOptions> = {}, emulator: AdaptyEmulator = createAdaptyEmulator()) {
  const eraser = createEraser({
    providers: [adapty({ apiKey: emulator.apiKey, fetch: emulator.fetch, retry: { delayMs: 1, maxRetryAfterMs: 5 }, ...options })],
  })
  const erase = async (subject: object): Promise<Outcome> => (await eraser.erase(subject)).outcomes[0]!
  return { emulator, eraser, erase }
}

describe('deletion', () => {
  it('deletes by customer user id (userId): 204 → deleted, the profile is gone', async () => {
    const { emulator, erase } = setup()
    const { profile_id } = emulator.store.add({ customerUserId: 'u_1' })
    const outcome = await erase({ ref: 'req-1', userId: 'u_1' })
    expect(outcome).toMatchObject({ provider: 'adapty', subjectRef: 'req-1', status: 'deleted', httpStatus: 204, attempts: 1 })
    expect(outcome.identifier).toEqual({ kind: 'customer_user_id', hash: expect.stringMatching(/^[\da-f]{64}$/) })
    expect(emulator.store.has({ customerUserId: 'u_1' })).toBe(false)
    expect(emulator.store.deleted).toEqual([profile_id])
  })

  it('deletes by profile id (ids.adapty wins over userId)', async () => {
    const { emulator, erase } = setup()
    emulator.store.add({ profileId: PROFILE_ID })
    emulator.store.add({ customerUserId: 'u_1' })
    const outcome = await erase({ userId: 'u_1', ids: { adapty: PROFILE_ID } })
    expect(outcome).toMatchObject({ status: 'deleted', identifier: { kind: 'profile_id' } })
    expect(emulator.store.has({ profileId: PROFILE_ID })).toBe(false)
    expect(emulator.store.has({ customerUserId: 'u_1' })).toBe(true)
  })

  it('a repeated delete is not_found (404 profile_does_not_exist), report ok', async () => {
    const { emulator, eraser } = setup()
    emulator.store.add({ customerUserId: 'u_1' })
    await eraser.erase({ userId: 'u_1' })
    const report = await eraser.erase({ userId: 'u_1' })
    expect(report.ok).toBe(true)
    expect(report.outcomes[0]).toMatchObject({ status: 'not_found', httpStatus: 404, attempts: 1 })
  })

  it('v1: same semantics on /profiles/, Request-Id becomes requestId', async () => {
    const { emulator, erase } = setup({ apiVersion: 'v1' })
    emulator.store.add({ customerUserId: 'u_1' })
    const outcome = await erase({ userId: 'u_1' })
    expect(outcome).toMatchObject({ status: 'deleted', requestId: expect.stringMatching(/^[\da-f]{32}$/) })
    expect(emulator.requests[0]!.path).toBe('/api/v1/server-side-api/profiles/')
    expect((await erase({ userId: 'u_1' })).status).toBe('not_found')
  })

  it('customerUserIdFrom picks email or phone', async () => {
    const byEmail = setup({ customerUserIdFrom: 'email' })
    byEmail.emulator.store.add({ customerUserId: 'a@example.com' })
    expect(await byEmail.erase({ userId: 'u_1', email: 'a@example.com' })).toMatchObject({ status: 'deleted', identifier: { kind: 'customer_user_id' } })
    expect(byEmail.emulator.requests[0]!.headers['adapty-customer-user-id']).toBe('a@example.com')

    const byPhone = setup({ customerUserIdFrom: 'phone' })
    byPhone.emulator.store.add({ customerUserId: '+15550100' })
    expect((await byPhone.erase({ phone: '+15550100' })).status).toBe('deleted')
    expect((await byPhone.erase({ userId: 'u_1' })).status).toBe('skipped')
  })

  it('skipped with no usable identifier, and no request', async () => {
    const { emulator, erase } = setup()
    const outcome = await erase({ ref: 'r', email: 'a@example.com' })
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'no_identifier', attempts: 0 })
    expect(emulator.requests).toHaveLength(0)
  })

  it('dry run shows the request with the key and identifier redacted, sends nothing', async () => {
    const { emulator, eraser } = setup()
    const report = await eraser.erase({ userId: 'u_dry_run' }, { dryRun: true })
    expect(emulator.requests).toHaveLength(0)
    expect(report.outcomes[0]).toMatchObject({ status: 'skipped', reason: 'dry_run' })
    expect(report.requests).toHaveLength(1)
    const planned = report.requests![0]!
    expect(planned).toMatchObject({ method: 'DELETE', url: 'https://api.adapty.io/api/v2/server-side-api/profile/' })
    expect(planned.headers.authorization).toBe('Api-Key ***')
    expect(planned.headers['adapty-customer-user-id']).toMatch(/^\[id:[\da-f]{8}\]$/)
  })
})

describe('invalid identifiers fail with invalid_subject before any request', () => {
  const cases: [string, object][] = [
    ['CR/LF in the customer user id', { userId: 'u_1\r\nx-evil: 1' }],
    ['a non-Latin-1 customer user id', { userId: 'ユーザー' }],
    ['a non-ASCII customer user id (sent as Latin-1 bytes, Adapty could read another id and answer 404)', { userId: 'josé' }],
    ['leading/trailing spaces (fetch would trim them)', { userId: ' u_1 ' }],
    ['a profile id that is not a UUID', { ids: { adapty: 'not-a-uuid' } }],
  ]
  for (const [name, subject] of cases) {
    it(name, async () => {
      const { emulator, erase } = setup()
      const outcome = await erase(subject)
      expect(outcome).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_subject', retryable: false } })
      expect(emulator.requests).toHaveLength(0)
      // The receipt still says which identifier was refused (hashed, never raw).
      const { ids, userId } = subject as { ids?: { adapty: string }; userId?: string }
      const [kind, value] = ids ? ['profile_id', ids.adapty] : ['customer_user_id', userId!]
      expect(outcome.identifier).toEqual({ kind, hash: await hashIdentifier(value) })
      expect(JSON.stringify(outcome)).not.toContain(value.trim())
    })
  }

  it('says what to do: a non-ASCII customer user id points to ids.adapty; a non-ASCII profile id is not a UUID', async () => {
    const { erase } = setup()
    expect((await erase({ userId: 'jos\u00e9' })).error!.message).toContain('non-ASCII characters cannot be sent reliably in a header; erase by ids.adapty (the profile id)')
    for (const id of ['caf\u00e9-profile', '\u4e2d']) expect((await erase({ ids: { adapty: id } })).error!.message).toMatch(/profile id must be a UUID$/)
  })
})

describe('errors and retries', () => {
  it('401 for a wrong key: unauthorized/not_authenticated, 1 attempt', async () => {
    const { erase } = setup({ apiKey: 'secret_live_wrong.key' })
    const outcome = await erase({ userId: 'u_1' })
    expect(outcome).toMatchObject({ status: 'failed', httpStatus: 401, attempts: 1, error: { code: 'unauthorized', providerCode: 'not_authenticated', retryable: false } })
  })

  it('429 with Retry-After is retried, then deleted', async () => {
    const { emulator, erase } = setup()
    emulator.store.add({ customerUserId: 'u_1' })
    emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 0 }, { times: 2 })
    const outcome = await erase({ userId: 'u_1' })
    expect(outcome).toMatchObject({ status: 'deleted', attempts: 3 })
    expect(emulator.requests.map((request) => request.status)).toEqual([429, 429, 204])
  })

  it('500 (no body) is retried, then deleted', async () => {
    const { emulator, erase } = setup()
    emulator.store.add({ customerUserId: 'u_1' })
    emulator.inject({ kind: 'server_error', status: 500 })
    expect(await erase({ userId: 'u_1' })).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('persistent 500: failed/provider_error after the retry limit', async () => {
    const { emulator, erase } = setup({ retry: { limit: 2, delayMs: 1 } })
    emulator.inject({ kind: 'server_error', status: 500 }, { times: 10 })
    const outcome = await erase({ userId: 'u_1' })
    expect(outcome).toMatchObject({ status: 'failed', httpStatus: 500, attempts: 3, error: { code: 'provider_error', retryable: true } })
  })

  it('503 is provider_unavailable and retried', async () => {
    const { emulator, erase } = setup()
    emulator.store.add({ customerUserId: 'u_1' })
    emulator.inject({ kind: 'server_error', status: 503 })
    expect(await erase({ userId: 'u_1' })).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('a dropped connection is retried', async () => {
    const { emulator, erase } = setup()
    emulator.store.add({ customerUserId: 'u_1' })
    emulator.inject({ kind: 'drop' })
    expect(await erase({ userId: 'u_1' })).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('a deletion whose answer was lost is retried, and the retry reads "already gone"', async () => {
    const { emulator, erase } = setup()
    emulator.store.add({ customerUserId: 'u_1' })
    emulator.inject({ kind: 'lost_response' })
    expect(await erase({ userId: 'u_1' })).toMatchObject({ status: 'not_found', attempts: 2 })
    expect(emulator.store.deleted).toHaveLength(1)
    expect(emulator.requests.map((request) => request.fault)).toEqual(['lost_response', undefined])
  })

  it('an unreadable 2xx is invalid_response (retried), never deleted', async () => {
    const { emulator, erase } = setup({ retry: { limit: 1, delayMs: 1 } })
    emulator.store.add({ customerUserId: 'u_1' })
    emulator.inject({ kind: 'malformed' }, { times: 2 })
    const outcome = await erase({ userId: 'u_1' })
    expect(outcome).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'invalid_response' } })
    expect(emulator.store.has({ customerUserId: 'u_1' })).toBe(true)
  })

  it('a wrong base path (bare 404) fails as invalid_request, is not retried and is not not_found', async () => {
    const emulator = createAdaptyEmulator()
    const { erase } = setup({ baseURL: 'https://api.adapty.io/proxy' }, emulator)
    const outcome = await erase({ userId: 'u_1' })
    expect(outcome).toMatchObject({ status: 'failed', httpStatus: 404, attempts: 1, error: { code: 'invalid_request' } })
  })
})

describe('verify: true', () => {
  it('204 then GET 404 profile_does_not_exist → deleted, verified', async () => {
    const { emulator, erase } = setup({ verify: true })
    emulator.store.add({ customerUserId: 'u_1' })
    const outcome = await erase({ userId: 'u_1' })
    expect(outcome).toMatchObject({ status: 'deleted', verified: true, httpStatus: 204, attempts: 2 })
    expect(emulator.requests.map((r) => [r.method, r.headers['adapty-customer-user-id']])).toEqual([
      ['DELETE', 'u_1'],
      ['GET', 'u_1'],
    ])
  })

  it('profile still readable after the 204 → failed provider_error, verified false', async () => {
    const emulator = createAdaptyEmulator()
    emulator.store.add({ customerUserId: 'u_1' })
    // A vendor that answers 204 but keeps the profile.
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      if (request.method === 'DELETE') return new Response(null, { status: 204 })
      return emulator.fetch(request)
    }
    const { erase } = setup({ verify: true, fetch }, emulator)
    const outcome = await erase({ userId: 'u_1' })
    expect(outcome).toMatchObject({ status: 'failed', verified: false, httpStatus: 200, error: { code: 'provider_error', retryable: false } })
    expect(outcome.error!.message).toContain('still readable')
  })

  it('a failing read-back → failed with that error (retried first)', async () => {
    const emulator = createAdaptyEmulator()
    emulator.store.add({ customerUserId: 'u_1' })
    // The DELETE reaches the emulator; every GET gets a 500.
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      return request.method === 'GET' ? new Response('<h1>Server Error (500)</h1>', { status: 500 }) : emulator.fetch(request)
    }
    const { erase } = setup({ verify: true, fetch, retry: { limit: 1, delayMs: 1 } }, emulator)
    const outcome = await erase({ userId: 'u_1' })
    expect(outcome).toMatchObject({ status: 'failed', verified: false, httpStatus: 500, attempts: 3, error: { code: 'provider_error', retryable: true } })
    expect(emulator.store.has({ customerUserId: 'u_1' })).toBe(false)
  })

  it('not_found needs no read-back', async () => {
    const { emulator, erase } = setup({ verify: true })
    expect(await erase({ userId: 'u_1' })).toMatchObject({ status: 'not_found', attempts: 1 })
    expect(emulator.requests).toHaveLength(1)
    expect((await erase({ userId: 'u_1' })).verified).toBeUndefined()
  })
})

describe('bulk', () => {
  it('one profile per request, at most 8 in flight by default', async () => {
    const emulator = createAdaptyEmulator({ latencyMs: 5 })
    const { eraser } = setup({}, emulator)
    for (let i = 0; i < 40; i++) emulator.store.add({ customerUserId: `u_${i}` })
    const statuses: string[] = []
    for await (const report of eraser.eraseMany(Array.from({ length: 40 }, (_, i) => ({ ref: `r${i}`, userId: `u_${i}` })))) {
      statuses.push(report.outcomes[0]!.status)
    }
    expect(statuses).toHaveLength(40)
    expect(statuses.every((status) => status === 'deleted')).toBe(true)
    expect(emulator.requests).toHaveLength(40)
    expect(emulator.concurrency.max).toBeLessThanOrEqual(8)
    expect(emulator.concurrency.max).toBeGreaterThan(1)
    expect(emulator.store.size).toBe(0)
  })

  it('limits.concurrency overrides the default', async () => {
    const emulator = createAdaptyEmulator({ latencyMs: 2 })
    const { eraser } = setup({ limits: { concurrency: 2 } }, emulator)
    for await (const _ of eraser.eraseMany(Array.from({ length: 10 }, (_, i) => ({ userId: `u_${i}` })))) void _
    expect(emulator.concurrency.max).toBeLessThanOrEqual(2)
  })
})

describe('options validation', () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ['missing apiKey', {}, 'options.apiKey'],
    ['empty apiKey', { apiKey: '' }, 'options.apiKey'],
    ['apiKey with a newline', { apiKey: 'secret_live_bad\nKEY_zz91' }, 'options.apiKey'],
    ['apiVersion', { apiKey: 'k_secret_1', apiVersion: 'v3_SECRETISH' }, 'options.apiVersion'],
    ['customerUserIdFrom', { apiKey: 'k_secret_1', customerUserIdFrom: 'ref_SECRETISH' }, 'options.customerUserIdFrom'],
    ['verify', { apiKey: 'k_secret_1', verify: 'yes_SECRETISH' }, 'options.verify'],
    ['baseURL over http', { apiKey: 'k_secret_1', baseURL: 'http://example.com' }, 'options.baseURL'],
    // One profile per call: a bigger batch would delete the first and leave the rest unsent.
    ['limits.batchSize above 1', { apiKey: 'k_secret_1', limits: { batchSize: 5 } }, 'options.limits.batchSize: expected at most 1'],
  ]
  for (const [name, options, field] of bad) {
    it(`${name} → invalid_config naming ${field}, without the value`, () => {
      let error: unknown
      try {
        adapty(options as unknown as AdaptyOptions)
      } catch (caught) {
        error = caught
      }
      expect(ErasureError.isInstance(error)).toBe(true)
      const { code, message } = error as ErasureError
      expect(code).toBe('invalid_config')
      expect(message).toContain(field)
      expect(message).not.toContain('SECRETISH')
      expect(message).not.toContain('bad\nKEY')
    })
  }

  it('accepts the documented options', () => {
    const provider = adapty({ apiKey: 'secret_live_x.y', apiVersion: 'v1', customerUserIdFrom: 'email', verify: true })
    expect(provider).toMatchObject({ name: 'adapty', baseURL: 'https://api.adapty.io', limits: { batchSize: 1, concurrency: 8 }, secrets: ['secret_live_x.y'] })
  })
})
