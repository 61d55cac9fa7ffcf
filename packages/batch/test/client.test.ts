/**
 * createBatchClient().gdprStatus: the follow-up of an `accepted` GDPR outcome, against the
 * emulator (Batch's pending → done) and against a vendor answering what the docs leave open.
 */
import { describe, expect, it } from 'vitest'
import { createEraser, ErasureError } from '@erasekit/core'
import { batch, createBatchClient, type BatchOptions } from '@erasekit/batch'
import { createBatchEmulator } from '@erasekit/batch/emulator'

const REST = 'rest-key-0001'
const IOS = 'ios-app-key-0001'
const ANDROID = 'android-app-key-0002'
const REQUEST_ID = '7e2142f1-b0a3-4ed0-aef3-67d3f41270b6'

function setup() {
  const emulator = createBatchEmulator({ restKey: REST, appKeys: [IOS, ANDROID] })
  const options: BatchOptions = { restKey: REST, appKeys: { ios: IOS, android: ANDROID }, mode: 'gdpr', fetch: emulator.fetch, retry: { delayMs: 1, maxRetryAfterMs: 5 } }
  return { emulator, options, eraser: createEraser({ providers: [batch(options)] }), client: createBatchClient(options) }
}

/** A client whose vendor answers each GET with `answer(url)`; the requests it got. */
function against(answer: (url: string) => Response) {
  const requests: Request[] = []
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    requests.push(request)
    return answer(request.url)
  }
  const client = createBatchClient({ restKey: REST, appKeys: { ios: IOS }, fetch, retry: { delayMs: 1, maxRetryAfterMs: 5 } })
  return { client, requests }
}

const item = (fields: Record<string, unknown>) => Response.json({ request_id: REQUEST_ID, request_date: '2020-11-04T10:37:06.512', status: 'done', request_type: 'remove', trigger_type: 'api', id: { type: 'custom_id', value: 'jane-42' }, ...fields })

describe('gdprStatus against the emulator', () => {
  it('follows an accepted outcome from pending to deleted, per app key', async () => {
    const { emulator, eraser, client } = setup()
    emulator.store.add(IOS, 'jane-42')
    emulator.store.add(ANDROID, 'jane-42')
    const report = await eraser.erase({ userId: 'jane-42' })
    expect(report.outcomes.map((outcome) => outcome.status)).toEqual(['accepted', 'accepted'])

    // An outcome is a request reference as it is.
    const pending = await Promise.all(report.outcomes.map((outcome) => client.gdprStatus(outcome)))
    expect(pending.map((status) => [status.state, status.status])).toEqual([['pending', 'accepted'], ['pending', 'accepted']])
    expect(pending[0]!.requestId).toBe(report.outcomes[0]!.requestId)
    expect(pending[0]!.requestDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/)

    emulator.store.process()
    const done = await client.gdprStatus(report.outcomes[1]!)
    expect(done).toEqual({ requestId: report.outcomes[1]!.requestId, state: 'done', status: 'deleted', requestDate: pending[1]!.requestDate })
    expect(emulator.store.has(ANDROID, 'jane-42')).toBe(false)
    const lookup = emulator.requests.at(-1)!
    expect(lookup).toMatchObject({ method: 'GET', path: `/1.0/${ANDROID}/gdpr/request/${report.outcomes[1]!.requestId}`, headers: { 'x-authorization': REST } })
  })

  it("reads Batch's `user not found` as not_found, with no identifier in the result", async () => {
    const { emulator, eraser, client } = setup()
    const report = await eraser.erase({ userId: 'nobody-7' })
    emulator.store.process()
    const status = await client.gdprStatus(report.outcomes[0]!)
    expect(status).toMatchObject({ state: 'done', status: 'not_found', error: 'user not found' })
    expect(JSON.stringify(status)).not.toContain('nobody-7')
  })

  it('an unknown request id (or one Batch no longer keeps) is invalid_request, not a status', async () => {
    const { client } = setup()
    const error = await client.gdprStatus({ target: 'ios', requestId: REQUEST_ID }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ErasureError)
    expect(error).toMatchObject({ code: 'invalid_request', status: 404, providerCode: 'ROUTE_NOT_FOUND', retryable: false })
    expect((error as Error).message).toBe('[erasekit] [batch] HTTP 404: unknown GDPR request id or app key (Batch keeps requests 20–30 days)')
  })

  it('retries a 503 and a 429 like any request, then answers', async () => {
    const { emulator, eraser, client } = setup()
    const [outcome] = (await eraser.erase({ userId: 'jane-42' })).outcomes
    emulator.inject({ kind: 'server_error', status: 503 }, { times: 1 })
    emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 0 }, { times: 1 })
    const before = emulator.requests.length
    await expect(client.gdprStatus(outcome!)).resolves.toMatchObject({ status: 'accepted' })
    expect(emulator.requests.length - before).toBe(3)
  })
})

describe('gdprStatus: checked before any request', () => {
  it('names the field, never the value', async () => {
    const { client, requests } = against(() => item({}))
    const cases: [unknown, string][] = [
      [{ target: 'web', requestId: REQUEST_ID }, '[erasekit] [batch] request.target: expected one of ios'],
      [{ requestId: REQUEST_ID }, '[erasekit] [batch] request.target: expected one of ios'],
      [{ target: 'toString', requestId: REQUEST_ID }, '[erasekit] [batch] request.target: expected one of ios'],
      [{ target: 'ios' }, '[erasekit] [batch] request.requestId: expected a request id (printable ASCII, no spaces, ≤ 256 characters)'],
      [{ target: 'ios', requestId: 'jane@example.com\r\nX: 1' }, '[erasekit] [batch] request.requestId: expected a request id (printable ASCII, no spaces, ≤ 256 characters)'],
      [{ target: 'ios', requestId: 'x'.repeat(257) }, '[erasekit] [batch] request.requestId: expected a request id (printable ASCII, no spaces, ≤ 256 characters)'],
      [undefined, '[erasekit] [batch] request.target: expected one of ios'],
    ]
    for (const [request, message] of cases) {
      await expect(client.gdprStatus(request as never)).rejects.toMatchObject({ code: 'invalid_request', message })
    }
    expect(requests).toHaveLength(0)
  })

  it('sends the request id as one path segment', async () => {
    const { client, requests } = against(() => item({ request_id: 'a/b?c' }))
    await expect(client.gdprStatus({ target: 'ios', requestId: 'a/b?c' })).resolves.toMatchObject({ status: 'deleted' })
    expect(requests[0]!.url).toBe(`https://api.batch.com/1.0/${IOS}/gdpr/request/a%2Fb%3Fc`)
  })
})

describe('gdprStatus: what the docs leave open is never read as an erasure', () => {
  const ref = { target: 'ios', requestId: REQUEST_ID }

  it('any error other than `user not found` is failed, its text redacted', async () => {
    const { client } = against(() => item({ error: `could not erase jane-42 (key ${REST})` }))
    await expect(client.gdprStatus(ref)).resolves.toEqual({
      requestId: REQUEST_ID, state: 'done', status: 'failed', requestDate: '2020-11-04T10:37:06.512', error: 'could not erase [id] (key ***)',
    })
    for (const error of ['app not found', 'user not found: partial']) {
      await expect(against(() => item({ error })).client.gdprStatus(ref)).resolves.toMatchObject({ status: 'failed', error })
    }
    await expect(against(() => item({ error: ' User not found ' })).client.gdprStatus(ref)).resolves.toMatchObject({ status: 'not_found' })
    for (const error of ['', null, false]) await expect(against(() => item({ error })).client.gdprStatus(ref)).resolves.toMatchObject({ status: 'deleted' })
    // An error that is not text is an error all the same.
    for (const [error, text] of [[{ code: 'E1' }, '{"code":"E1"}'], [true, 'true'], [0, '0'], [['x'], '["x"]']] as const) {
      await expect(against(() => item({ error })).client.gdprStatus(ref)).resolves.toMatchObject({ status: 'failed', error: text })
    }
    // So is one in the other forms Batch's answers use.
    await expect(against(() => item({ errors: ['quota'] })).client.gdprStatus(ref)).resolves.toMatchObject({ status: 'failed', error: '["quota"]' })
    await expect(against(() => item({ error_code: 'SERVER_ERROR' })).client.gdprStatus(ref)).resolves.toMatchObject({ status: 'failed', error: 'SERVER_ERROR' })
    await expect(against(() => item({ errors: [], code: 'SUCCESS' })).client.gdprStatus(ref)).resolves.toMatchObject({ status: 'deleted' })
    // Batch's words are read before redaction: a custom id `user` does not hide them.
    await expect(against(() => item({ error: 'user not found', id: { type: 'custom_id', value: 'user' } })).client.gdprStatus(ref)).resolves.toMatchObject({ status: 'not_found', error: '[id] not found' })
  })

  it("another request's item, an unknown state or a page is invalid_response", async () => {
    for (const answer of [() => item({ request_id: 'other' }), () => item({ status: 'processing' }), () => item({ status: undefined }), () => new Response('<html>proxy</html>')]) {
      const { client } = against(answer)
      await expect(client.gdprStatus(ref)).rejects.toMatchObject({ code: 'invalid_response', provider: 'batch' })
    }
  })

  it('a review request is not a removal', async () => {
    const { client } = against(() => item({ request_type: 'review' }))
    await expect(client.gdprStatus(ref)).rejects.toMatchObject({ code: 'invalid_request', message: '[erasekit] [batch] the request is a review, not a remove' })
  })

  it("Batch's error table applies, secrets redacted", async () => {
    const { client } = against(() => Response.json({ error_code: 'AUTHENTICATION_INVALID', error_message: `bad key ${REST}` }, { status: 401 }))
    const error = (await client.gdprStatus(ref).catch((caught: unknown) => caught)) as ErasureError
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, providerCode: 'AUTHENTICATION_INVALID', retryable: false })
    expect(error.message).not.toContain(REST)
  })
})
