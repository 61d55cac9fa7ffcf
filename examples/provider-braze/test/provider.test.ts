/** The Braze provider through createEraser against its emulator: requests sent and answers mapped. */
import { describe, expect, it } from 'vitest'
import { createEraser, type FetchFunction, type Report } from '@erasekit/core'
import { braze, BRAZE_INSTANCES, type BrazeOptions } from 'erasekit-provider-braze'
import { createBrazeEmulator, type BrazeEmulator } from 'erasekit-provider-braze/emulator'

const KEY = 'braze-test-rest-key'
const fast = { delayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 }

function setup(options: Partial<BrazeOptions> = {}, emulator: BrazeEmulator = createBrazeEmulator({ apiKey: KEY }), fetch: FetchFunction = emulator.fetch) {
  const eraser = createEraser({ providers: [braze({ apiKey: KEY, instance: 'EU-01', fetch, retry: fast, ...options })] })
  return { emulator, eraser }
}

async function collect(iterable: AsyncIterable<Report>): Promise<Report[]> {
  const out: Report[] = []
  for await (const report of iterable) out.push(report)
  return out
}

describe('requests', () => {
  it('POSTs external_ids to the instance endpoint with a Bearer key; success is accepted', async () => {
    const { emulator, eraser } = setup()
    emulator.store.add({ externalId: 'u_1' })
    const report = await eraser.erase({ ref: 'req-1', userId: 'u_1' })
    expect(report.ok).toBe(true)
    expect(report.outcomes[0]).toMatchObject({ provider: 'braze', subjectRef: 'req-1', status: 'accepted', httpStatus: 201, attempts: 1, identifier: { kind: 'external_id' } })
    const [request] = emulator.requests
    expect(request).toMatchObject({ method: 'POST', url: 'https://rest.fra-01.braze.eu/users/delete', body: { external_ids: ['u_1'] } })
    expect(request!.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(request!.headers['content-type']).toBe('application/json')
    expect(emulator.store.has({ externalId: 'u_1' })).toBe(false)
  })

  it('picks the REST endpoint from the instance; baseURL overrides it', () => {
    expect(braze({ apiKey: KEY, instance: 'US-03' }).baseURL).toBe('https://rest.iad-03.braze.com')
    expect(braze({ apiKey: KEY, instance: 'EU-02' }).baseURL).toBe(BRAZE_INSTANCES['EU-02'])
    expect(braze({ apiKey: KEY, baseURL: 'http://127.0.0.1:9999/' }).baseURL).toBe('http://127.0.0.1:9999')
  })

  it('refuses a misspelt option, its own or a common one, instead of falling back to its default', () => {
    const refused = (options: Record<string, unknown>) => {
      try {
        braze({ apiKey: KEY, instance: 'EU-01', ...options } as BrazeOptions)
      } catch (error) {
        return error as { code: string; message: string }
      }
      throw new Error('accepted')
    }
    expect(refused({ instanse: 'EU-02' })).toMatchObject({ code: 'invalid_config', message: '[erasekit] [braze] options.instanse: unknown field' })
    expect(refused({ timout: 5 }).message).toContain('options.timout: unknown field')
    expect(refused({ alias: { label: 'crm', from: 'userId', lable: 'x' } }).message).toBe('[erasekit] [braze] options.alias.lable: expected { label, from }')
    // The common options still pass (the core checks them).
    expect(braze({ apiKey: KEY, instance: 'EU-01', timeout: 5000, retry: { limit: 1 }, limits: { batchSize: 10 } }).limits.batchSize).toBe(10)
  })

  it('identifier order: ids.braze → braze_ids, then externalIdFrom → external_ids, then alias → user_aliases', async () => {
    const provider = braze({ apiKey: KEY, instance: 'US-01', externalIdFrom: 'email', alias: { label: 'crm_id', from: 'userId' } })
    expect(provider.match({ userId: 'u', email: 'e@x.io', ids: { braze: 'b1' } })).toEqual({ kind: 'braze_id', value: 'b1' })
    expect(provider.match({ userId: 'u', email: 'e@x.io' })).toEqual({ kind: 'external_id', value: 'e@x.io' })
    expect(provider.match({ userId: 'u' })).toEqual({ kind: 'user_alias', value: 'u' })
    expect(provider.match({ phone: '+100' })).toBeFalsy()
  })

  it('erases by braze id and by alias (alias_label from the options)', async () => {
    const { emulator, eraser } = setup({ alias: { label: 'crm_id', from: 'userId' }, externalIdFrom: 'email' })
    const byId = emulator.store.add()
    emulator.store.add({ aliases: [{ alias_name: 'crm-7', alias_label: 'crm_id' }] })
    expect((await eraser.erase({ ids: { braze: byId.brazeId } })).outcomes[0]).toMatchObject({ status: 'accepted', identifier: { kind: 'braze_id' } })
    expect((await eraser.erase({ userId: 'crm-7' })).outcomes[0]).toMatchObject({ status: 'accepted', identifier: { kind: 'user_alias' } })
    expect(emulator.requests.map((request) => request.body)).toEqual([{ braze_ids: [byId.brazeId] }, { user_aliases: [{ alias_name: 'crm-7', alias_label: 'crm_id' }] }])
    expect(emulator.store.size).toBe(0)
  })

  it('a mixed batch sends one request per identifier kind (Braze takes one kind per request)', async () => {
    const { emulator, eraser } = setup()
    const known = emulator.store.add({ externalId: 'u_2' })
    const other = emulator.store.add()
    const reports = await collect(eraser.eraseMany([{ ref: 'a', userId: 'u_2' }, { ref: 'b', ids: { braze: other.brazeId } }, { ref: 'c', userId: 'u_3' }]))
    expect(reports.every((report) => report.ok && report.outcomes[0]!.status === 'accepted')).toBe(true)
    expect(emulator.requests.map((request) => request.body)).toEqual([{ braze_ids: [other.brazeId] }, { external_ids: ['u_2', 'u_3'] }])
    expect(emulator.store.has({ brazeId: known.brazeId }) || emulator.store.has({ brazeId: other.brazeId })).toBe(false)
  })

  it('a failed kind fails only its own identifiers', async () => {
    const { emulator, eraser } = setup({ retry: { ...fast, limit: 0 } })
    const other = emulator.store.add()
    emulator.store.add({ externalId: 'u_4' })
    emulator.inject({ kind: 'server_error', status: 503 }, { times: 1 }) // hits the braze_ids request
    const reports = await collect(eraser.eraseMany([{ ref: 'by-id', ids: { braze: other.brazeId } }, { ref: 'by-external', userId: 'u_4' }]))
    const status = Object.fromEntries(reports.map((report) => [report.subjectRef, report.outcomes[0]!]))
    expect(status['by-id']).toMatchObject({ status: 'failed', error: { code: 'provider_unavailable', retryable: true } })
    expect(status['by-external']).toMatchObject({ status: 'accepted' })
  })

  it('each kind counts the attempts of its own request', async () => {
    const { emulator, eraser } = setup({ retry: fast })
    const other = emulator.store.add()
    emulator.store.add({ externalId: 'u_5' })
    emulator.inject({ kind: 'server_error', status: 503 }, { times: 2 }) // the braze_ids request, twice
    const reports = await collect(eraser.eraseMany([{ ref: 'by-id', ids: { braze: other.brazeId } }, { ref: 'by-external', userId: 'u_5' }]))
    const outcome = Object.fromEntries(reports.map((report) => [report.subjectRef, report.outcomes[0]!]))
    expect(outcome['by-id']).toMatchObject({ status: 'accepted', attempts: 3 })
    expect(outcome['by-external']).toMatchObject({ status: 'accepted', attempts: 1 })
  })

  it('a dry run lists one redacted request per kind and sends nothing', async () => {
    const { emulator, eraser } = setup()
    const reports = await collect(eraser.eraseMany([{ userId: 'dry-user-1' }, { ids: { braze: 'dry-braze-1' } }], { dryRun: true }))
    expect(emulator.requests).toHaveLength(0)
    const requests = reports[0]!.requests!
    expect(requests.map((request) => Object.keys(request.body as object)[0])).toEqual(['braze_ids', 'external_ids'])
    expect(requests[0]!.headers.authorization).toBe('Bearer ***')
    expect(JSON.stringify(reports)).not.toMatch(/dry-user-1|dry-braze-1|braze-test-rest-key/)
  })
})

describe('answers', () => {
  it('404 (unknown REST API key on Braze) → unauthorized, not retried, never not_found', async () => {
    const { eraser } = setup({ apiKey: 'braze-wrong-key' }, createBrazeEmulator({ apiKey: KEY, unknownKeyStatus: 404 }))
    const report = await eraser.erase({ userId: 'u_1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'unauthorized', retryable: false } })
    expect(JSON.stringify(report)).not.toContain('braze-wrong-key')
  })

  it('429 waits for X-RateLimit-Reset (Braze sends no Retry-After), then succeeds', async () => {
    const { emulator, eraser } = setup({ retry: { ...fast, maxRetryAfterMs: 120_000 } })
    emulator.store.add({ externalId: 'u_1' })
    emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 2 }, { times: 1 })
    const waits: number[] = []
    eraser.hook('retry', (ctx) => {
      waits.push(ctx.delayMs)
      ctx.delayMs = 0 // keep the test fast: the wait was read, that is what is checked
    })
    const report = await eraser.erase({ userId: 'u_1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', attempts: 2 })
    expect(emulator.requests[0]).toMatchObject({ status: 429 })
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThan(900)
    expect(waits[0]).toBeLessThanOrEqual(2000)
  })

  it('the emulator window: the request over the limit gets 429 with X-RateLimit-* headers; retried later', async () => {
    const emulator = createBrazeEmulator({ apiKey: KEY, rateLimit: { requests: 1, perMs: 60_000 } })
    const first = await emulator.fetch('https://rest.fra-01.braze.eu/users/delete', { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: '{"external_ids":["x"]}' })
    expect(first.status).toBe(201)
    expect(first.headers.get('x-ratelimit-remaining')).toBe('0')
    const { eraser } = setup({ retry: { ...fast, limit: 1 } }, emulator)
    const report = await eraser.erase({ userId: 'u_1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'rate_limited', retryable: true } })
  })

  it('202 { message: "queued" } (maintenance) → accepted', async () => {
    const fetch: FetchFunction = async () => new Response('{"message":"queued"}', { status: 202, headers: { 'content-type': 'application/json' } })
    const { eraser } = setup({}, undefined, fetch)
    expect((await eraser.erase({ userId: 'u_1' })).outcomes[0]).toMatchObject({ status: 'accepted', httpStatus: 202 })
  })

  it('400 → invalid_request with Braze\'s message, not retried; the identifier is redacted from it', async () => {
    const fetch: FetchFunction = async () => new Response('{"message":"bad id u_secret_42"}', { status: 400, headers: { 'content-type': 'application/json' } })
    const { eraser } = setup({}, undefined, fetch)
    const outcome = (await eraser.erase({ userId: 'u_secret_42' })).outcomes[0]!
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'invalid_request', retryable: false } })
    expect(outcome.error!.message).toMatch(/^\[erasekit\] \[braze\] HTTP 400: bad id \[id:[\da-f]{8}\]$/)
  })

  it('a 2xx without `deleted` or a success message → invalid_response, retried', async () => {
    let calls = 0
    const fetch: FetchFunction = async () => new Response(calls++ === 0 ? '{"unexpected":true}' : '{"deleted":1,"message":"success"}', { status: 201, headers: { 'content-type': 'application/json' } })
    const { eraser } = setup({}, undefined, fetch)
    expect((await eraser.erase({ userId: 'u_1' })).outcomes[0]).toMatchObject({ status: 'accepted', attempts: 2 })
  })
})

describe('emulator', () => {
  const post = (emulator: BrazeEmulator, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }) =>
    emulator.fetch('https://rest.iad-01.braze.com/users/delete', { method: 'POST', headers, body: JSON.stringify(body) })

  it('checks the key, the route, one identifier type and at most 50 per request', async () => {
    const emulator = createBrazeEmulator({ apiKey: KEY })
    expect((await post(emulator, { external_ids: ['a'] }, { 'content-type': 'application/json' })).status).toBe(401)
    expect((await post(emulator, { external_ids: ['a'] }, { authorization: 'Bearer nope', 'content-type': 'application/json' })).status).toBe(401)
    expect((await post(emulator, { external_ids: ['a'], braze_ids: ['b'] })).status).toBe(400)
    expect((await post(emulator, { external_ids: [] })).status).toBe(400)
    const tooMany = await post(emulator, { external_ids: Array.from({ length: 51 }, (_, i) => `id-${i}`) })
    expect(tooMany.status).toBe(400)
    expect(await tooMany.json()).toEqual({ message: 'The max number of ids per request was exceeded' })
    const wrongRoute = await emulator.fetch('https://rest.iad-01.braze.com/users/remove', { method: 'POST', headers: { authorization: `Bearer ${KEY}` } })
    expect(wrongRoute.status).toBe(404)
  })

  it('answers 201 { deleted, message } counting the profiles found; queues when asked to', async () => {
    const emulator = createBrazeEmulator({ apiKey: KEY, processImmediately: false })
    emulator.store.add({ externalId: 'a' })
    const response = await post(emulator, { external_ids: ['a', 'ghost'] })
    expect(response.status).toBe(201)
    expect(await response.json()).toEqual({ deleted: 1, message: 'success' })
    expect(emulator.store.has({ externalId: 'a' })).toBe(true)
    emulator.store.process()
    expect(emulator.store.has({ externalId: 'a' })).toBe(false)
    expect(emulator.store.deletions).toMatchObject([{ key: 'external_ids', requested: 2, status: 'done' }])
  })

  it('email_addresses need a prioritization; ambiguous matches delete nothing', async () => {
    const emulator = createBrazeEmulator({ apiKey: KEY })
    emulator.store.add({ email: 'dup@example.com', externalId: 'known', updatedAt: 1 })
    emulator.store.add({ email: 'dup@example.com', updatedAt: 2 })
    emulator.store.add({ email: 'dup@example.com', updatedAt: 3 })
    expect((await post(emulator, { email_addresses: [{ email: 'dup@example.com' }] })).status).toBe(400)
    expect(await (await post(emulator, { email_addresses: [{ email: 'dup@example.com', prioritization: ['unidentified'] }] })).json()).toMatchObject({ deleted: 0 })
    expect(await (await post(emulator, { email_addresses: [{ email: 'dup@example.com', prioritization: ['identified'] }] })).json()).toMatchObject({ deleted: 1 })
    expect(await (await post(emulator, { email_addresses: [{ email: 'dup@example.com', prioritization: ['unidentified', 'most_recently_updated'] }] })).json()).toMatchObject({ deleted: 1 })
    expect(emulator.store.size).toBe(1)
  })
})
