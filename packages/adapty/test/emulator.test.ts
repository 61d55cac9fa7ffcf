/** The emulator itself: routes, auth, identity headers, bodies, documented error bodies, store, faults. */
import { serve } from '@erasekit/core/testing/node'
import { describe, expect, it } from 'vitest'
import { createAdaptyEmulator } from '../src/emulator'

const BASE = 'https://api.adapty.io'
const V2 = `${BASE}/api/v2/server-side-api/profile/`
const V1 = `${BASE}/api/v1/server-side-api/profiles/`
const KEY = 'secret_live_emulator.key'
const PROFILE_ID = '3286abd3-48b0-4e9c-a5f6-ac0a006804a6'

function call(emulator: ReturnType<typeof createAdaptyEmulator>, method: string, headers: Record<string, string>, body?: unknown, url = V2) {
  return emulator.fetch(url, {
    method,
    headers: { authorization: `Api-Key ${KEY}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
}

describe('routing and auth', () => {
  it('a missing trailing slash or an unknown path is a bare 404 without error_code', async () => {
    const emulator = createAdaptyEmulator()
    emulator.store.add({ customerUserId: 'u_1' })
    for (const url of [V2.slice(0, -1), V1.slice(0, -1), `${BASE}/api/v2/server-side-api/profiles/`, `${BASE}/api/v1/sdk/profiles/u_1/delete`]) {
      const response = await call(emulator, 'DELETE', { 'adapty-customer-user-id': 'u_1' }, undefined, url)
      expect(response.status).toBe(404)
      expect(await response.text()).not.toContain('error_code')
    }
    expect(emulator.store.size).toBe(1)
  })

  it('401 with the documented body for a missing, wrong or differently formatted key', async () => {
    const emulator = createAdaptyEmulator()
    emulator.store.add({ customerUserId: 'u_1' })
    for (const authorization of [undefined, 'Api-Key wrong', `Bearer ${KEY}`, KEY]) {
      const headers: Record<string, string> = { 'adapty-customer-user-id': 'u_1' }
      const response = await emulator.fetch(V2, { method: 'DELETE', headers: authorization ? { ...headers, authorization } : headers })
      expect(response.status).toBe(401)
      expect(await response.json()).toEqual({
        errors: [{ source: 'non_field_errors', errors: ['Authentication credentials were not provided.'] }],
        error_code: 'not_authenticated',
        status_code: 401,
      })
    }
    expect(emulator.store.size).toBe(1)
  })

  it('a custom key is honoured', async () => {
    const emulator = createAdaptyEmulator({ apiKey: 'secret_live_custom.k' })
    expect(emulator.apiKey).toBe('secret_live_custom.k')
    expect((await call(emulator, 'GET', { 'adapty-customer-user-id': 'u_1' })).status).toBe(401)
    const response = await emulator.fetch(V2, { headers: { authorization: 'Api-Key secret_live_custom.k', 'adapty-customer-user-id': 'u_1' } })
    expect(response.status).toBe(404)
  })

  it('405 for other methods', async () => {
    const response = await call(createAdaptyEmulator(), 'PUT', { 'adapty-customer-user-id': 'u_1' }, {})
    expect(response.status).toBe(405)
    expect(await response.json()).toMatchObject({ error_code: 'method_not_allowed', status_code: 405 })
  })
})

describe('identity headers', () => {
  it('GET/PATCH/DELETE need exactly one identity header (400 otherwise)', async () => {
    const emulator = createAdaptyEmulator()
    emulator.store.add({ profileId: PROFILE_ID, customerUserId: 'u_1' })
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      for (const headers of [{}, { 'adapty-profile-id': PROFILE_ID, 'adapty-customer-user-id': 'u_1' }] as Record<string, string>[]) {
        const response = await call(emulator, method, headers, method === 'PATCH' ? {} : undefined)
        expect(response.status).toBe(400)
        expect(await response.json()).toMatchObject({ error_code: 'bad_request', status_code: 400 })
      }
    }
    expect(emulator.store.size).toBe(1)
  })

  it('404 profile_does_not_exist with the documented body for an unknown profile', async () => {
    const emulator = createAdaptyEmulator()
    for (const headers of [{ 'adapty-customer-user-id': 'nobody' }, { 'adapty-profile-id': PROFILE_ID }] as Record<string, string>[]) {
      const response = await call(emulator, 'DELETE', headers)
      expect(response.status).toBe(404)
      expect(await response.json()).toEqual({ errors: [{ source: null, errors: ['Profile not found'] }], error_code: 'profile_does_not_exist', status_code: 404 })
    }
  })

  it('a profile id that is not a UUID is a 400, never "already gone"; a UUID matches in any case', async () => {
    const emulator = createAdaptyEmulator()
    const malformed = await call(emulator, 'DELETE', { 'adapty-profile-id': 'not-a-uuid' })
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ error_code: 'bad_request', errors: [{ source: 'adapty-profile-id' }] })
    emulator.store.add({ profileId: PROFILE_ID.toUpperCase(), customerUserId: 'u_1' })
    expect(emulator.store.has({ profileId: PROFILE_ID })).toBe(true)
    expect((await call(emulator, 'DELETE', { 'adapty-profile-id': PROFILE_ID.toUpperCase() })).status).toBe(204)
    expect(emulator.store.deleted).toEqual([PROFILE_ID])
  })

  it('DELETE answers 204 with an empty body and records the deletion', async () => {
    const emulator = createAdaptyEmulator()
    emulator.store.add({ profileId: PROFILE_ID, customerUserId: 'u_1' })
    const response = await call(emulator, 'DELETE', { 'adapty-profile-id': PROFILE_ID })
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
    expect(response.headers.get('request-id')).toBeNull()
    expect(emulator.store.has({ customerUserId: 'u_1' })).toBe(false)
    expect(emulator.store.deleted).toEqual([PROFILE_ID])
  })

  it('v1 responses carry a Request-Id header', async () => {
    const emulator = createAdaptyEmulator()
    emulator.store.add({ customerUserId: 'u_1' })
    const get = await call(emulator, 'GET', { 'adapty-customer-user-id': 'u_1' }, undefined, V1)
    expect(get.status).toBe(200)
    expect(get.headers.get('request-id')).toMatch(/^[\da-f]{32}$/)
    const del = await call(emulator, 'DELETE', { 'adapty-customer-user-id': 'u_1' }, undefined, V1)
    expect(del.status).toBe(204)
    expect(del.headers.get('request-id')).toMatch(/^[\da-f]{32}$/)
    expect(del.headers.get('request-id')).not.toBe(get.headers.get('request-id'))
  })
})

describe('create and update bodies', () => {
  it('POST with only a customer user id creates a profile; a taken one is a 400', async () => {
    const emulator = createAdaptyEmulator({ appId: '14c3d623-2f3a-455a-aa86-ef83dff6913b' })
    const response = await call(emulator, 'POST', { 'adapty-customer-user-id': 'u_1' }, { email: 'jane@example.com' })
    expect(response.status).toBe(200)
    const { data } = (await response.json()) as { data: Record<string, unknown> }
    expect(Object.keys(data).sort()).toEqual(
      ['access_levels', 'app_id', 'custom_attributes', 'customer_user_id', 'non_subscriptions', 'profile_id', 'segment_hash', 'subscriptions', 'timestamp', 'total_revenue_usd'],
    )
    expect(data).toMatchObject({ app_id: '14c3d623-2f3a-455a-aa86-ef83dff6913b', customer_user_id: 'u_1', segment_hash: expect.stringMatching(/^[\da-f]{16}$/) })
    const again = await call(emulator, 'POST', { 'adapty-customer-user-id': 'u_1' }, {})
    expect(again.status).toBe(400)
    expect(emulator.store.size).toBe(1)
  })

  it('POST with both headers attaches; unknown profile → 404; customer id owned elsewhere → 400', async () => {
    const emulator = createAdaptyEmulator()
    emulator.store.add({ profileId: PROFILE_ID })
    emulator.store.add({ customerUserId: 'taken' })
    expect((await call(emulator, 'POST', { 'adapty-customer-user-id': 'u_1', 'adapty-profile-id': crypto.randomUUID() }, {})).status).toBe(404)
    expect((await call(emulator, 'POST', { 'adapty-customer-user-id': 'taken', 'adapty-profile-id': PROFILE_ID }, {})).status).toBe(400)
    expect((await call(emulator, 'POST', { 'adapty-customer-user-id': 'u_1', 'adapty-profile-id': PROFILE_ID }, {})).status).toBe(200)
    expect(emulator.store.get({ customerUserId: 'u_1' })!.profile_id).toBe(PROFILE_ID)
  })

  it('POST needs adapty-customer-user-id', async () => {
    const emulator = createAdaptyEmulator()
    expect((await call(emulator, 'POST', {}, {})).status).toBe(400)
    expect((await call(emulator, 'POST', { 'adapty-profile-id': PROFILE_ID }, {})).status).toBe(400)
  })

  it('POST/PATCH need a JSON content type and a JSON object', async () => {
    const emulator = createAdaptyEmulator()
    const form = await emulator.fetch(V2, {
      method: 'POST',
      headers: { authorization: `Api-Key ${KEY}`, 'adapty-customer-user-id': 'u_1', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    })
    expect(form.status).toBe(415)
    expect((await call(emulator, 'POST', { 'adapty-customer-user-id': 'u_1' }, '{not json')).status).toBe(400)
    expect((await call(emulator, 'POST', { 'adapty-customer-user-id': 'u_1' }, [1, 2])).status).toBe(400)
    expect(emulator.store.size).toBe(0)
  })

  it('an empty body is fine (every field is optional)', async () => {
    const emulator = createAdaptyEmulator()
    expect((await call(emulator, 'POST', { 'adapty-customer-user-id': 'u_1' })).status).toBe(200)
  })

  const invalid: [string, Record<string, unknown>][] = [
    ['gender', { gender: 'x' }],
    ['store', { store: 'amazon' }],
    // Where Adapty's spec and prose differ, the stricter reading.
    ['store', { store: 'paddle' }],
    ['birthday', { birthday: '31/12/2000' }],
    ['ip_country', { ip_country: 'FRA' }],
    ['att_status', { att_status: 4 }],
    ['analytics_disabled', { analytics_disabled: 'yes' }],
    ['first_name', { first_name: 42 }],
    ['custom_attributes', { custom_attributes: Array.from({ length: 31 }, (_, i) => ({ key: `k${i}`, value: 1 })) }],
    ['custom_attributes', { custom_attributes: [{ key: 'bad key!', value: 'x' }] }],
    ['custom_attributes', { custom_attributes: [{ key: 'k', value: 'x'.repeat(31) }] }],
    ['installation_meta', { installation_meta: { platform: 'iOS' } }],
    ['installation_meta', { installation_meta: { device_id: PROFILE_ID, platform: 'Windows' } }],
  ]
  for (const [source, body] of invalid) {
    it(`400 validation_error for a bad ${source}`, async () => {
      const emulator = createAdaptyEmulator()
      emulator.store.add({ customerUserId: 'u_1' })
      const response = await call(emulator, 'PATCH', { 'adapty-customer-user-id': 'u_1' }, body)
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ errors: [{ source, errors: [expect.any(String)] }], error_code: 'validation_error', status_code: 400 })
    })
  }

  it('holds at most 30 custom attributes per profile, across requests', async () => {
    const emulator = createAdaptyEmulator()
    emulator.store.add({ customerUserId: 'u_attrs' })
    const attributes = (from: number, count: number) => ({ custom_attributes: Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: 1 })) })
    expect((await call(emulator, 'PATCH', { 'adapty-customer-user-id': 'u_attrs' }, attributes(0, 30))).status).toBe(200)
    const over = await call(emulator, 'PATCH', { 'adapty-customer-user-id': 'u_attrs' }, attributes(30, 1))
    expect(over.status).toBe(400)
    expect(await over.json()).toMatchObject({ error_code: 'validation_error' })
    // Replacing or removing keeps the count: allowed.
    expect((await call(emulator, 'PATCH', { 'adapty-customer-user-id': 'u_attrs' }, { custom_attributes: [{ key: 'k0', value: null }, { key: 'k30', value: 2 }] })).status).toBe(200)
  })

  it('accepts the documented create example (A7) and unknown fields', async () => {
    const emulator = createAdaptyEmulator()
    const body = {
      first_name: 'Jane', last_name: 'Doe', gender: 'f', email: 'jane.doe@example.com', phone_number: '+1234567890', birthday: '2000-12-31',
      ip_country: 'FR', store_country: 'US', store: 'app_store', analytics_disabled: true, att_status: 3, some_future_field: 1,
      custom_attributes: [{ key: 'favourite_sport', value: 'yoga' }],
      installation_meta: { device_id: '3fa85f64-5717-4562-b3fc-2c963f66afa6', platform: 'iOS', locale: 'en', advertising_id: '' },
    }
    const response = await call(emulator, 'POST', { 'adapty-customer-user-id': 'jane.doe@example.com' }, body)
    expect(response.status).toBe(200)
    expect(((await response.json()) as { data: { custom_attributes: unknown } }).data.custom_attributes).toEqual([{ key: 'favourite_sport', value: 'yoga' }])
  })
})

describe('store', () => {
  it('seeds with identity and profile fields, refuses duplicates, clears', () => {
    const emulator = createAdaptyEmulator()
    const seeded = emulator.store.add({ profileId: PROFILE_ID, customerUserId: 'u_1', total_revenue_usd: 9.99, fields: { email: 'a@example.com' } })
    expect(seeded).toMatchObject({ profile_id: PROFILE_ID, customer_user_id: 'u_1', total_revenue_usd: 9.99, fields: { email: 'a@example.com' } })
    expect(emulator.store.has({ profileId: PROFILE_ID })).toBe(true)
    expect(emulator.store.get({ customerUserId: 'u_1' })).toBe(seeded)
    expect(() => emulator.store.add({ profileId: PROFILE_ID })).toThrow()
    expect(() => emulator.store.add({ customerUserId: 'u_1' })).toThrow()
    expect(emulator.store.list()).toHaveLength(1)
    emulator.store.clear()
    expect(emulator.store.size).toBe(0)
  })
})

describe('faults and limits', () => {
  it('rate_limit → 429 with Retry-After and the inferred rate_limited body', async () => {
    const emulator = createAdaptyEmulator()
    emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 3 })
    const response = await call(emulator, 'GET', { 'adapty-customer-user-id': 'u_1' })
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('3')
    expect(await response.json()).toMatchObject({ error_code: 'rate_limited', status_code: 429 })
    expect(emulator.requests[0]!.fault).toBe('rate_limit')
  })

  it('server_error → 500 without a JSON body', async () => {
    const emulator = createAdaptyEmulator()
    emulator.inject({ kind: 'server_error', status: 500 })
    const response = await call(emulator, 'GET', { 'adapty-customer-user-id': 'u_1' })
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toContain('text/html')
  })

  it('limits.rate throttles with 429', async () => {
    const emulator = createAdaptyEmulator({ limits: { rate: { requests: 2, perMs: 60_000 } } })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await call(emulator, 'GET', { 'adapty-customer-user-id': 'u_1' })).status)
    expect(statuses).toEqual([404, 404, 429, 429])
  })

  it('works behind serve() over real HTTP', async () => {
    const emulator = createAdaptyEmulator()
    emulator.store.add({ customerUserId: 'u_1' })
    const server = await serve(emulator)
    try {
      const response = await fetch(`${server.url}/api/v2/server-side-api/profile/`, {
        method: 'DELETE',
        headers: { authorization: `Api-Key ${KEY}`, 'adapty-customer-user-id': 'u_1' },
      })
      expect(response.status).toBe(204)
      expect(emulator.store.size).toBe(0)
    } finally {
      await server.close()
    }
  })
})
