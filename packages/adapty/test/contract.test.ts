/**
 * Test vectors A1–A9 (providers.md §6.1) against a plain loopback HTTP server:
 * the exact request the provider/client sends, and how each documented answer maps.
 */
import { createEraser, ErasureError } from '@erasekit/core'
import { serve, type Served } from '@erasekit/core/testing/node'
import { afterEach, describe, expect, it } from 'vitest'
import { adapty, createAdaptyClient, type AdaptyOptions, type ProfileRequest } from '../src/index'

interface Seen {
  method: string
  path: string
  headers: Record<string, string>
  body: string
}

const KEY = 'secret_live_BEHrYLTr.ce5zuDEWz06lFRNiaJC8mrLtL8fUwswD'
const PROFILE_ID = '3286abd3-48b0-4e9c-a5f6-ac0a006804a6'

let server: Served | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** A server that records each request and answers with the next scripted response. */
async function mock(...responses: (() => Response)[]) {
  const seen: Seen[] = []
  server = await serve(async (request) => {
    const url = new URL(request.url)
    seen.push({ method: request.method, path: url.pathname + url.search, headers: Object.fromEntries(request.headers), body: await request.text() })
    const next = responses[Math.min(seen.length - 1, responses.length - 1)]!
    return next()
  })
  return seen
}

const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

const A3 = {
  errors: [{ source: 'non_field_errors', errors: ['Authentication credentials were not provided.'] }],
  error_code: 'not_authenticated',
  status_code: 401,
}
const A4 = { errors: [{ source: null, errors: ['Profile not found'] }], error_code: 'profile_does_not_exist', status_code: 404 }
const A6 = { errors: [{ source: 'string', errors: ['string'] }], error_code: 'string', status_code: 0 }

function eraser(options: Partial<AdaptyOptions> = {}) {
  return createEraser({
    providers: [adapty({ apiKey: KEY, baseURL: server!.url, retry: { delayMs: 1, maxRetryAfterMs: 5 }, ...options })],
  })
}

describe('A1 – v2 delete by customer user id', () => {
  it('sends DELETE /api/v2/server-side-api/profile/ with the key and one identity header, no body; 204 → deleted', async () => {
    const seen = await mock(() => new Response(null, { status: 204 }))
    const report = await eraser().erase({ ref: 'r1', userId: 'customer-42' })
    expect(seen).toHaveLength(1)
    const [request] = seen
    expect(request!.method).toBe('DELETE')
    expect(request!.path).toBe('/api/v2/server-side-api/profile/')
    expect(request!.headers.authorization).toBe(`Api-Key ${KEY}`)
    expect(request!.headers['adapty-customer-user-id']).toBe('customer-42')
    expect(request!.headers['content-type']).toBe('application/json')
    expect(request!.headers['adapty-profile-id']).toBeUndefined()
    expect(request!.body).toBe('')
    expect(report.ok).toBe(true)
    expect(report.outcomes[0]).toMatchObject({ provider: 'adapty', status: 'deleted', httpStatus: 204, attempts: 1, identifier: { kind: 'customer_user_id' } })
    expect(report.outcomes[0]!.requestId).toBeUndefined()
  })
})

describe('A2 – v2 delete by profile id', () => {
  it('ids.adapty wins over userId and travels in adapty-profile-id only', async () => {
    const seen = await mock(() => new Response(null, { status: 204 }))
    const report = await eraser().erase({ userId: 'customer-42', ids: { adapty: PROFILE_ID } })
    expect(seen[0]!.path).toBe('/api/v2/server-side-api/profile/')
    expect(seen[0]!.headers['adapty-profile-id']).toBe(PROFILE_ID)
    expect(seen[0]!.headers['adapty-customer-user-id']).toBeUndefined()
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', identifier: { kind: 'profile_id' } })
  })

  it('an unset ids.adapty (undefined) is absent: the customer user id is used', async () => {
    const seen = await mock(() => new Response(null, { status: 204 }))
    const report = await eraser().erase({ userId: 'customer-42', ids: { adapty: undefined } })
    expect(seen[0]!.headers['adapty-customer-user-id']).toBe('customer-42')
    expect(seen[0]!.headers['adapty-profile-id']).toBeUndefined()
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', identifier: { kind: 'customer_user_id' } })
  })
})

describe('A3 – 401', () => {
  it('is failed/unauthorized with providerCode not_authenticated, not retried', async () => {
    const seen = await mock(() => jsonResponse(401, A3))
    const report = await eraser().erase({ userId: 'customer-42' })
    expect(seen).toHaveLength(1)
    expect(report.ok).toBe(false)
    expect(report.outcomes[0]).toMatchObject({
      status: 'failed',
      httpStatus: 401,
      attempts: 1,
      error: { code: 'unauthorized', providerCode: 'not_authenticated', retryable: false },
    })
    expect(report.outcomes[0]!.error!.message).toContain('Authentication credentials were not provided.')
  })
})

describe('A4 – 404 profile_does_not_exist', () => {
  it('is not_found (success), not retried', async () => {
    const seen = await mock(() => jsonResponse(404, A4))
    const report = await eraser().erase({ userId: 'customer-42' })
    expect(seen).toHaveLength(1)
    expect(report.ok).toBe(true)
    expect(report.outcomes[0]).toMatchObject({ status: 'not_found', httpStatus: 404, attempts: 1 })
    expect(report.outcomes[0]!.error).toBeUndefined()
  })

  it('a 404 without that error_code is a failure (invalid_request), not not_found', async () => {
    const seen = await mock(() => new Response('<h1>Not Found</h1>', { status: 404, headers: { 'content-type': 'text/html' } }))
    const report = await eraser().erase({ userId: 'customer-42' })
    expect(seen).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: 404, error: { code: 'invalid_request', retryable: false } })
    expect(report.outcomes[0]!.error!.providerCode).toBeUndefined()
  })

  it('a 404 with another error_code is a failure too', async () => {
    await mock(() => jsonResponse(404, { ...A4, error_code: 'not_found' }))
    const report = await eraser().erase({ userId: 'customer-42' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_request', providerCode: 'not_found' } })
  })
})

describe('A5 – v1 delete', () => {
  it('sends DELETE /api/v1/server-side-api/profiles/ and keeps Request-Id', async () => {
    const seen = await mock(() => new Response(null, { status: 204, headers: { 'Request-Id': '758f01dfd9e74ccfbabb4934241c4966' } }))
    const report = await eraser({ apiVersion: 'v1' }).erase({ userId: 'customer-42' })
    expect(seen[0]).toMatchObject({ method: 'DELETE', path: '/api/v1/server-side-api/profiles/', body: '' })
    expect(seen[0]!.headers.authorization).toBe(`Api-Key ${KEY}`)
    expect(seen[0]!.headers['adapty-customer-user-id']).toBe('customer-42')
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', httpStatus: 204, requestId: '758f01dfd9e74ccfbabb4934241c4966' })
  })

  it('keeps a Request-Id on v2 and on a 404 profile_does_not_exist as well', async () => {
    await mock(() => jsonResponse(404, A4, { 'request-id': 'abc123def456' }))
    const report = await eraser().erase({ userId: 'customer-42' })
    expect(report.outcomes[0]).toMatchObject({ status: 'not_found', requestId: 'abc123def456' })
  })
})

describe('A6 – 400 generic shape', () => {
  it('PATCH through the client throws invalid_request with the error_code, not retried', async () => {
    const seen = await mock(() => jsonResponse(400, A6))
    const client = createAdaptyClient({ apiKey: KEY, baseURL: server!.url })
    const error = await client.updateProfile({ customerUserId: 'customer-42' }, { first_name: 'Jane' }).catch((e: unknown) => e)
    expect(ErasureError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, providerCode: 'string', retryable: false, provider: 'adapty' })
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ method: 'PATCH', path: '/api/v2/server-side-api/profile/', body: '{"first_name":"Jane"}' })
  })

  it('a 400 on delete is failed/invalid_request', async () => {
    const seen = await mock(() => jsonResponse(400, A6))
    const report = await eraser().erase({ userId: 'customer-42' })
    expect(seen).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', httpStatus: 400, attempts: 1, error: { code: 'invalid_request', providerCode: 'string' } })
  })
})

const A7_REQUEST: ProfileRequest = {
  first_name: 'Jane',
  last_name: 'Doe',
  gender: 'f',
  email: 'jane.doe@example.com',
  phone_number: '+1234567890',
  birthday: '2000-12-31',
  ip_country: 'FR',
  store_country: 'US',
  store: 'app_store',
  analytics_disabled: true,
  custom_attributes: [{ key: 'favourite_sport', value: 'yoga' }],
  installation_meta: {
    device_id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
    device: 'string',
    locale: 'en',
    os: 'string',
    platform: 'iOS',
    timezone: 'Europe/Rome',
    user_agent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
    idfa: 'EA7583CD-A667-48BC-B806-42ECB2B48333',
    idfv: 'E9D48DA5-3930-4B41-8521-D953AECD2F33',
    advertising_id: '',
    android_id: '',
    android_app_set_id: '',
  },
}

const A7_RESPONSE = {
  data: {
    app_id: '14c3d623-2f3a-455a-aa86-ef83dff6913b',
    profile_id: '3286abd3-48b0-4e9c-a5f6-ac0a006804a6',
    customer_user_id: 'jane.doe@example.com',
    total_revenue_usd: 0.0,
    segment_hash: '8f45947bad31ab0c',
    timestamp: 1736425645861,
    custom_attributes: [{ key: 'favourite_sport', value: 'yoga' }],
    access_levels: [],
    subscriptions: [],
    non_subscriptions: [],
  },
}

describe('A7 – v2 create', () => {
  it('POSTs the documented body as JSON and returns the unwrapped profile', async () => {
    const seen = await mock(() => jsonResponse(200, A7_RESPONSE))
    const client = createAdaptyClient({ apiKey: KEY, baseURL: server!.url })
    const profile = await client.createProfile({ customerUserId: 'jane.doe@example.com' }, A7_REQUEST)
    expect(profile).toEqual(A7_RESPONSE.data)
    expect(seen[0]!.method).toBe('POST')
    expect(seen[0]!.path).toBe('/api/v2/server-side-api/profile/')
    expect(seen[0]!.headers).toMatchObject({ authorization: `Api-Key ${KEY}`, 'adapty-customer-user-id': 'jane.doe@example.com', 'content-type': 'application/json' })
    expect(seen[0]!.headers['adapty-profile-id']).toBeUndefined()
    expect(JSON.parse(seen[0]!.body)).toEqual(A7_REQUEST)
  })

  it('with a profileId as well sends both headers (attach)', async () => {
    const seen = await mock(() => jsonResponse(200, A7_RESPONSE))
    const client = createAdaptyClient({ apiKey: KEY, baseURL: server!.url })
    await client.createProfile({ customerUserId: 'jane.doe@example.com', profileId: PROFILE_ID })
    expect(seen[0]!.headers).toMatchObject({ 'adapty-customer-user-id': 'jane.doe@example.com', 'adapty-profile-id': PROFILE_ID })
    expect(JSON.parse(seen[0]!.body)).toEqual({})
  })
})

const A8_RESPONSE = {
  data: {
    app_id: '14c3d333-2f3a-455a-aa86-ef83dff6913b',
    profile_id: 'd8533a10-bcce-4e33-8c9d-88b05ac56559',
    customer_user_id: '77B14FB4-FD2A-4D38-AA3A-4C433F79863C',
    total_revenue_usd: 9.99,
    segment_hash: 'fdaeef7f8aaa33c9',
    timestamp: 1733324566777,
    custom_attributes: [{ key: 'favourite_sport', value: 'yoga' }],
    access_levels: [
      {
        access_level_id: 'premium',
        store: 'app_store',
        store_product_id: 'unlimited.9999',
        store_base_plan_id: null,
        store_transaction_id: '2000000335013007',
        store_original_transaction_id: '2000000335013007',
        offer: null,
        starts_at: null,
        purchased_at: '2024-12-24T10:50:23+00:00',
        originally_purchased_at: '2024-12-24T10:50:23+00:00',
        expires_at: null,
        renewal_cancelled_at: '2025-01-05T13:27:47.461425+00:00',
        billing_issue_detected_at: null,
        is_in_grace_period: false,
        cancellation_reason: null,
      },
    ],
    subscriptions: [
      {
        store: 'app_store',
        store_product_id: 'unlimited.9999',
        store_base_plan_id: null,
        store_transaction_id: '2000000815013007',
        store_original_transaction_id: '2000000815013007',
        offer: null,
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
    non_subscriptions: [
      {
        purchase_id: '7a5f9a7d-e236-33e6-96d8-53a3c59c5562',
        store: 'app_store',
        store_product_id: '1year.premium',
        store_base_plan_id: null,
        store_transaction_id: '30002109551456',
        store_original_transaction_id: '30002109551456',
        purchased_at: '2022-10-12T09:42:50+00:00',
        environment: 'Production',
        is_refund: false,
        is_consumable: false,
      },
    ],
  },
}

describe('A8 – v2 get', () => {
  it('GETs with the identity header and returns the typed profile', async () => {
    const seen = await mock(() => jsonResponse(200, A8_RESPONSE))
    const client = createAdaptyClient({ apiKey: KEY, baseURL: server!.url })
    const profile = await client.getProfile({ profileId: 'd8533a10-bcce-4e33-8c9d-88b05ac56559' })
    expect(profile).toEqual(A8_RESPONSE.data)
    expect(profile.access_levels[0]!.renewal_cancelled_at).toBe('2025-01-05T13:27:47.461425+00:00')
    expect(profile.non_subscriptions[0]!.environment).toBe('Production')
    expect(seen[0]).toMatchObject({ method: 'GET', path: '/api/v2/server-side-api/profile/', body: '' })
    expect(seen[0]!.headers['adapty-profile-id']).toBe('d8533a10-bcce-4e33-8c9d-88b05ac56559')
  })
})

describe('A9 – 429', () => {
  const A9 = { errors: [{ source: null, errors: ['Request was throttled.'] }], error_code: 'rate_limited', status_code: 429 }

  it('is retried after Retry-After, then deleted', async () => {
    const seen = await mock(
      () => jsonResponse(429, A9, { 'retry-after': '0' }),
      () => new Response(null, { status: 204 }),
    )
    const report = await eraser().erase({ userId: 'customer-42' })
    expect(seen).toHaveLength(2)
    expect(seen[1]!.headers['adapty-customer-user-id']).toBe('customer-42')
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('honours Retry-After (capped) rather than the backoff', async () => {
    const delays: number[] = []
    await mock(
      () => jsonResponse(429, A9, { 'retry-after': '1' }),
      () => new Response(null, { status: 204 }),
    )
    const e = eraser({ retry: { delayMs: 10_000, maxRetryAfterMs: 5 } })
    e.hook('retry', (ctx) => {
      delays.push(ctx.delayMs)
    })
    const report = await e.erase({ userId: 'customer-42' })
    expect(delays).toEqual([5])
    expect(report.outcomes[0]!.status).toBe('deleted')
  })

  it('when retries run out: failed/rate_limited, providerCode rate_limited, retryable', async () => {
    const seen = await mock(() => jsonResponse(429, A9, { 'retry-after': '0' }))
    const report = await eraser({ retry: { limit: 2, delayMs: 1 } }).erase({ userId: 'customer-42' })
    expect(seen).toHaveLength(3)
    expect(report.outcomes[0]).toMatchObject({
      status: 'failed',
      httpStatus: 429,
      attempts: 3,
      error: { code: 'rate_limited', providerCode: 'rate_limited', retryable: true },
    })
  })
})
