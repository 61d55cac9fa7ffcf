/** createAdaptyClient against the emulator: typed CRUD on the shared pipeline. */
import { ErasureError } from '@erasekit/core'
import { describe, expect, it, vi } from 'vitest'
import { createAdaptyClient, type AdaptyOptions } from '../src/index'
import { createAdaptyEmulator, type AdaptyEmulator } from '../src/emulator'

const PROFILE_ID = '3286abd3-48b0-4e9c-a5f6-ac0a006804a6'

function setup(options: Partial<AdaptyOptions> = {}, emulator: AdaptyEmulator = createAdaptyEmulator()) {
  const client = createAdaptyClient({ apiKey: emulator.apiKey, fetch: emulator.fetch, retry: { delayMs: 1, maxRetryAfterMs: 5 }, ...options })
  return { emulator, client }
}

async function rejection(promise: Promise<unknown>): Promise<ErasureError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(ErasureError.isInstance(error)).toBe(true)
  return error as ErasureError
}

describe('profile lifecycle (v2)', () => {
  it('create → get → update → delete → get 404 → delete not_found', async () => {
    const { emulator, client } = setup()
    const created = await client.createProfile(
      { customerUserId: 'u_1' },
      { first_name: 'Jane', gender: 'f', custom_attributes: [{ key: 'sport', value: 'yoga' }, { key: 'level', value: 3 }] },
    )
    expect(created).toMatchObject({ customer_user_id: 'u_1', total_revenue_usd: 0, access_levels: [], subscriptions: [], non_subscriptions: [] })
    expect(created.profile_id).toMatch(/^[\da-f-]{36}$/)
    expect(created.custom_attributes).toEqual([{ key: 'sport', value: 'yoga' }, { key: 'level', value: 3 }])
    expect(emulator.store.get({ customerUserId: 'u_1' })!.fields).toEqual({ first_name: 'Jane', gender: 'f' })

    expect(await client.getProfile({ profileId: created.profile_id })).toEqual(created)

    const updated = await client.updateProfile({ customerUserId: 'u_1' }, { last_name: 'Doe', custom_attributes: [{ key: 'sport', value: null }] })
    expect(updated.custom_attributes).toEqual([{ key: 'level', value: 3 }])
    expect(emulator.store.get({ customerUserId: 'u_1' })!.fields).toEqual({ first_name: 'Jane', gender: 'f', last_name: 'Doe' })

    expect(await client.deleteProfile({ customerUserId: 'u_1' })).toEqual({ status: 'deleted' })
    const error = await rejection(client.getProfile({ customerUserId: 'u_1' }))
    expect(error).toMatchObject({ code: 'invalid_request', status: 404, providerCode: 'profile_does_not_exist', retryable: false })
    expect(await client.deleteProfile({ profileId: created.profile_id })).toEqual({ status: 'not_found' })
  })

  it('createProfile with both ids attaches the customer user id to the existing profile', async () => {
    const { emulator, client } = setup()
    emulator.store.add({ profileId: PROFILE_ID })
    const profile = await client.createProfile({ customerUserId: 'u_9', profileId: PROFILE_ID })
    expect(profile).toMatchObject({ profile_id: PROFILE_ID, customer_user_id: 'u_9' })
    expect(emulator.store.get({ customerUserId: 'u_9' })!.profile_id).toBe(PROFILE_ID)
    expect(emulator.store.size).toBe(1)
  })

  it('400 from a bad body: invalid_request with the field message, not retried', async () => {
    const { emulator, client } = setup()
    emulator.store.add({ customerUserId: 'u_1' })
    const error = await rejection(client.updateProfile({ customerUserId: 'u_1' }, { gender: 'x' as 'f' }))
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, providerCode: 'validation_error' })
    expect(error.message).toContain('gender: Not a valid choice.')
    expect(emulator.requests).toHaveLength(1)
  })

  it('a vendor error that quotes the profile\'s personal data is redacted of it, like the identity', async () => {
    const body = { email: 'jane.doe@example.com', phone_number: '+79001234567', birthday: '1990-04-12', first_name: 'File', last_name: 'Val', custom_attributes: [{ key: 'plan', value: 'pro' }] }
    for (const method of ['createProfile', 'updateProfile'] as const) {
      const echo = new Response(JSON.stringify({ errors: [{ source: 'email', errors: [`${body.email} / ${body.phone_number} / ${body.birthday} rejected`] }], error_code: 'validation_error', status_code: 400 }), { status: 400 })
      const client = createAdaptyClient({ apiKey: 'secret_live_k.k', fetch: async () => echo.clone() })
      const error = await rejection(client[method]({ customerUserId: 'u_1' }, body))
      expect(error).toMatchObject({ code: 'invalid_request', status: 400, providerCode: 'validation_error' })
      for (const value of ['jane.doe', '9001234567', '1990-04-12']) expect(error.message).not.toContain(value)
    }
    // Names and custom attributes are not redacted: they are words, matched inside the vendor's own
    // (File in profile_does_not_exist, Val in validation_error, pro).
    const missing = new Response(JSON.stringify({ errors: [], error_code: 'profile_does_not_exist', status_code: 404 }), { status: 404 })
    const client = createAdaptyClient({ apiKey: 'secret_live_k.k', fetch: async () => missing.clone() })
    expect(await rejection(client.updateProfile({ customerUserId: 'u_1' }, body))).toMatchObject({ providerCode: 'profile_does_not_exist' })
  })

  it('401 for a wrong key', async () => {
    const { client } = setup({ apiKey: 'secret_live_other.key' })
    expect(await rejection(client.getProfile({ customerUserId: 'u_1' }))).toMatchObject({ code: 'unauthorized', providerCode: 'not_authenticated' })
  })

  it('retries 429 and 5xx like the provider', async () => {
    const { emulator, client } = setup()
    emulator.store.add({ customerUserId: 'u_1' })
    emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 0 })
    emulator.inject({ kind: 'server_error', status: 500 })
    expect((await client.getProfile({ customerUserId: 'u_1' })).customer_user_id).toBe('u_1')
    expect(emulator.requests.map((request) => request.status)).toEqual([429, 500, 200])
  })

  it('never retries createProfile (not idempotent): a 503 fails at once, retryable for the caller to decide', async () => {
    const { emulator, client } = setup()
    emulator.inject({ kind: 'server_error', status: 503 })
    const error = await rejection(client.createProfile({ customerUserId: 'u_2' }))
    expect(error).toMatchObject({ code: 'provider_unavailable', status: 503, retryable: true })
    expect(emulator.requests).toHaveLength(1)
  })

  it('an unreadable 200, or one without a profile, is invalid_response', async () => {
    const { emulator, client } = setup({ retry: { limit: 0 } })
    emulator.inject({ kind: 'malformed' })
    expect(await rejection(client.getProfile({ customerUserId: 'u_1' }))).toMatchObject({ code: 'invalid_response' })
    for (const body of [{ data: {} }, { data: { profile_id: 42 } }, { data: [] }, { profile_id: 'p' }]) {
      const other = createAdaptyClient({ apiKey: 'secret_live_k.key', retry: { limit: 0 }, fetch: async () => Response.json(body) })
      expect(await rejection(other.getProfile({ customerUserId: 'u_1' }))).toMatchObject({ code: 'invalid_response' })
    }
  })

  it('the signal aborts a call in flight', async () => {
    const { emulator, client } = setup({}, createAdaptyEmulator({ latencyMs: 10_000 }))
    emulator.store.add({ customerUserId: 'u_1' })
    const controller = new AbortController()
    const pending = client.getProfile({ customerUserId: 'u_1' }, { signal: controller.signal })
    await vi.waitFor(() => expect(emulator.requests).toHaveLength(1))
    controller.abort()
    expect(await rejection(pending)).toMatchObject({ code: 'aborted' })
  })

  it('an already aborted signal sends nothing', async () => {
    const { emulator, client } = setup()
    expect(await rejection(client.deleteProfile({ customerUserId: 'u_1' }, { signal: AbortSignal.abort() }))).toMatchObject({ code: 'aborted' })
    expect(emulator.requests).toHaveLength(0)
  })

  it('a signal that is no AbortSignal is invalid_config naming it, before any request', async () => {
    const { emulator, client } = setup()
    for (const signal of [{}, true]) {
      const error = await rejection(client.getProfile({ customerUserId: 'u_1' }, { signal: signal as unknown as AbortSignal }))
      expect(error).toMatchObject({ code: 'invalid_config', message: '[erasekit] options.signal: expected an AbortSignal' })
    }
    expect(emulator.requests).toHaveLength(0)
  })

  it('verify: true makes deleteProfile read the profile back', async () => {
    const { emulator, client } = setup({ verify: true })
    emulator.store.add({ customerUserId: 'u_1' })
    expect(await client.deleteProfile({ customerUserId: 'u_1' })).toEqual({ status: 'deleted', verified: true })
    expect(emulator.requests.map((request) => request.method)).toEqual(['DELETE', 'GET'])
  })
})

describe('v1', () => {
  it('uses /profiles/, returns v1 offer keys and the Request-Id on delete', async () => {
    const { emulator, client } = setup({ apiVersion: 'v1' })
    emulator.store.add({
      customerUserId: 'u_1',
      subscriptions: [
        {
          store: 'app_store',
          store_product_id: 'p',
          store_base_plan_id: null,
          store_transaction_id: '1',
          store_original_transaction_id: '1',
          offer: { category: 'introductory', type: 'free_trial', id: null },
          environment: 'Sandbox',
          purchased_at: '2024-12-24T10:50:23+00:00',
          originally_purchased_at: '2024-12-24T10:50:23+00:00',
          expires_at: null,
          renewal_cancelled_at: null,
          billing_issue_detected_at: null,
          is_in_grace_period: false,
          cancellation_reason: null,
        },
      ],
    })
    const profile = await client.getProfile({ customerUserId: 'u_1' })
    expect(profile.subscriptions[0]!.offer).toEqual({ offer_category: 'introductory', offer_type: 'free_trial', offer_id: null })
    const result = await client.deleteProfile({ customerUserId: 'u_1' })
    expect(result).toEqual({ status: 'deleted', requestId: expect.stringMatching(/^[\da-f]{32}$/) })
    expect(emulator.requests.every((request) => request.path === '/api/v1/server-side-api/profiles/')).toBe(true)
  })
})

describe('identity validation (no request sent)', () => {
  const cases: [string, (client: ReturnType<typeof createAdaptyClient>) => Promise<unknown>, string?][] = [
    ['no id', (client) => client.getProfile({} as never)],
    ['both ids on get', (client) => client.getProfile({ profileId: PROFILE_ID, customerUserId: 'u_1' } as never)],
    ['both ids on delete', (client) => client.deleteProfile({ profileId: PROFILE_ID, customerUserId: 'u_1' } as never)],
    ['create without a customer user id', (client) => client.createProfile({ profileId: PROFILE_ID } as never)],
    ['a profile id that is not a UUID', (client) => client.getProfile({ profileId: 'u_1' }), 'identity.profileId: profile id must be a UUID'],
    ['CR/LF in a customer user id', (client) => client.updateProfile({ customerUserId: 'u\r\nx: 1' }, {}), 'identity.customerUserId: identifier contains control characters'],
    ['an empty customer user id', (client) => client.deleteProfile({ customerUserId: '' }), 'identity.customerUserId: identifier must be a non-empty string'],
  ]
  for (const [name, call, message] of cases) {
    it(name, async () => {
      const { emulator, client } = setup()
      const error = await rejection(call(client))
      expect(error).toMatchObject({ code: 'invalid_subject', provider: 'adapty' })
      if (message) expect(error.message).toBe(`[erasekit] [adapty] ${message}`)
      expect(emulator.requests).toHaveLength(0)
    })
  }

  it('options are validated like the provider', () => {
    expect(() => createAdaptyClient({ apiKey: '' })).toThrow(/options\.apiKey/)
  })
})
