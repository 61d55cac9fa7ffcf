import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { codeForStatus, createEraser, createProviderContext, defineProvider, ErasureError, parseRetryAfter, retryAfterOf, retryDelay, defaultRetry } from '@erasekit/core'
import type { Identifier, ProviderResult, RequestSpec } from '@erasekit/core'
import { demo, scriptedServer } from './helpers'
import { mergeLayers } from '../src/retry'

let server: Awaited<ReturnType<typeof scriptedServer>>
beforeEach(async () => {
  server = await scriptedServer()
})
afterEach(async () => {
  vi.restoreAllMocks()
  await server.close()
})

const make = (extra: Record<string, unknown> = {}, eraserExtra: Record<string, unknown> = {}) =>
  createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url, ...extra })], ...eraserExtra })

/** Records each computed delay, then skips the wait so tests never sleep. */
const recordDelays = (eraser: ReturnType<typeof make>) => {
  const delays: number[] = []
  eraser.hook('retry', (ctx) => {
    delays.push(ctx.delayMs)
    ctx.delayMs = 0
  })
  return delays
}

/** A provider sending one request per batch, built by `spec`, and reporting every identifier deleted. */
const sending = (name: string, spec: (ids: Identifier[]) => RequestSpec, { baseURL = server.url, secrets }: { baseURL?: string; secrets?: string[] } = {}) =>
  defineProvider({
    name,
    specificationVersion: 1,
    options: { baseURL },
    baseURL,
    secrets,
    match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
    erase: (ids, ctx) => ctx.request(spec(ids), () => ids.map(() => ({ status: 'deleted' as const }))),
  })

describe('request pipeline', () => {
  it('sends the provider request and maps the response', async () => {
    const report = await make().erase({ userId: 'u1' })
    expect(server.hits).toEqual([
      expect.objectContaining({ method: 'POST', path: '/users/delete', body: { ids: ['u1'] }, headers: expect.objectContaining({ authorization: 'Bearer tok_abcdef', 'content-type': 'application/json' }) }),
    ])
    expect(report.ok).toBe(true)
    expect(report.outcomes[0]).toMatchObject({ provider: 'demo', status: 'deleted', requestId: 'req-1', httpStatus: 200, attempts: 1 })
  })

  it('calls an injected fetch on its own, as a browser\'s or Worker\'s own fetch requires (`fetch: window.fetch`)', async () => {
    // As WebIDL does: a fetch called as a method of another object throws "Illegal invocation".
    const own = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation')
      return globalThis.fetch(input, init)
    }
    for (const report of [await make({ fetch: own }).erase({ userId: 'u1' }), await make({}, { fetch: own }).erase({ userId: 'u2' })]) {
      expect(report.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 1 })
    }
  })

  it('retries retryable statuses with exponential backoff and full jitter', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    server.reply((_, n) => (n <= 4 ? new Response('{}', { status: [500, 502, 503, 429][n - 1] }) : Response.json({ requestId: 'r' })))
    const eraser = make()
    const delays = recordDelays(eraser)
    const report = await eraser.erase({ userId: 'u1' })
    expect(server.hits).toHaveLength(5)
    expect(delays).toEqual([150, 300, 600, 1200]) // 0.5 × 300·2^(n-1)
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 5 })
  })

  it('stops after retry.limit and reports the last error', async () => {
    server.reply(() => new Response('{}', { status: 503 }))
    const eraser = make({ retry: { limit: 2 } })
    recordDelays(eraser)
    const report = await eraser.erase({ userId: 'u1' })
    expect(server.hits).toHaveLength(3)
    expect(report.ok).toBe(false)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 3, httpStatus: 503, error: { code: 'provider_unavailable', retryable: true } })
  })

  it.each([408, 425, 429, 500, 502, 503, 504])('retries HTTP %i', async (status) => {
    server.reply((_, n) => (n === 1 ? new Response('{}', { status }) : Response.json({ requestId: 'r' })))
    const eraser = make()
    recordDelays(eraser)
    expect((await eraser.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it.each([
    [400, 'invalid_request'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'invalid_request'],
    [409, 'invalid_request'],
    [422, 'invalid_request'],
  ])('never retries HTTP %i (%s)', async (status, code) => {
    server.reply(() => Response.json({ code: 'E1' }, { status }))
    const report = await make().erase({ userId: 'u1' })
    expect(server.hits).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, httpStatus: status, error: { code, retryable: false, providerCode: 'E1' } })
  })

  it('maps a provider not-found response to not_found and counts it as success', async () => {
    server.reply(() => Response.json({ code: 'gone' }, { status: 404 }))
    const report = await make().erase({ userId: 'u1' })
    expect(report.ok).toBe(true)
    expect(report.outcomes[0]).toMatchObject({ status: 'not_found', httpStatus: 404 })
  })

  it('honours Retry-After in seconds', async () => {
    server.reply((_, n) => (n === 1 ? new Response('{}', { status: 429, headers: { 'retry-after': '7' } }) : Response.json({ requestId: 'r' })))
    const eraser = make()
    const delays = recordDelays(eraser)
    await eraser.erase({ userId: 'u1' })
    expect(delays).toEqual([7000])
  })

  it('honours Retry-After as an HTTP-date', async () => {
    const date = new Date(Date.now() + 20_000).toUTCString()
    server.reply((_, n) => (n === 1 ? new Response('{}', { status: 503, headers: { 'retry-after': date } }) : Response.json({ requestId: 'r' })))
    const eraser = make()
    const delays = recordDelays(eraser)
    await eraser.erase({ userId: 'u1' })
    expect(delays).toHaveLength(1)
    // HTTP-dates have 1 s resolution: the wait is what remains until that second.
    expect(delays[0]).toBeGreaterThan(17_000)
    expect(delays[0]).toBeLessThanOrEqual(20_000)
  })

  it('honours retry-after-ms before Retry-After, and on a 429 only a rate-limit reset (epoch seconds) when Retry-After is absent', async () => {
    const replies = [
      new Response('{}', { status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '9' } }),
      new Response('{}', { status: 429, headers: { 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 20) } }),
      // A 503's reset is when its window ends, not a wait: backoff (delayMs 0 here).
      new Response('{}', { status: 503, headers: { 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 20) } }),
    ]
    server.reply((_, n) => replies[n - 1] ?? Response.json({ requestId: 'r' }))
    const eraser = make({ retry: { delayMs: 0 } })
    const delays = recordDelays(eraser)
    const report = await eraser.erase({ userId: 'u1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 4 })
    expect(delays[0]).toBe(1500)
    // Epoch seconds: what remains until that second.
    expect(delays[1]).toBeGreaterThan(18_000)
    expect(delays[1]).toBeLessThanOrEqual(20_000)
    expect(delays[2]).toBe(0)
  })

  it('caps Retry-After at maxRetryAfterMs', async () => {
    server.reply((_, n) => (n === 1 ? new Response('{}', { status: 429, headers: { 'retry-after': '3600' } }) : Response.json({ requestId: 'r' })))
    const eraser = make({ retry: { maxRetryAfterMs: 2500 } })
    const delays = recordDelays(eraser)
    await eraser.erase({ userId: 'u1' })
    expect(delays).toEqual([2500])
  })

  it('gives each attempt a fresh timeout', async () => {
    server.reply(async (_, n) => {
      if (n === 1) await new Promise((resolve) => setTimeout(resolve, 400))
      return Response.json({ requestId: 'r' })
    })
    const eraser = make({ timeout: 100 })
    recordDelays(eraser)
    const report = await eraser.erase({ userId: 'u1' })
    expect(server.hits).toHaveLength(2)
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('reports timeout when every attempt times out', async () => {
    server.reply(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      return Response.json({ requestId: 'r' })
    })
    const eraser = make({ timeout: 50, retry: { limit: 1 } })
    recordDelays(eraser)
    const report = await eraser.erase({ userId: 'u1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'timeout', retryable: true } })
  })

  it('aborts during a backoff wait at once', async () => {
    server.reply(() => new Response('{}', { status: 429, headers: { 'retry-after': '3600' } }))
    const controller = new AbortController()
    const eraser = make({ retry: { maxRetryAfterMs: 3_600_000 } })
    eraser.hook('retry', () => {
      setTimeout(() => controller.abort(), 10)
    })
    const report = await eraser.erase({ userId: 'u1' }, { signal: controller.signal })
    expect(server.hits).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'aborted', retryable: true } })
  })

  it('aborts a request in flight', async () => {
    const controller = new AbortController()
    server.reply(() => {
      controller.abort()
      return new Promise<Response>(() => {})
    })
    const report = await make({ timeout: 60_000 }).erase({ userId: 'u1' }, { signal: controller.signal })
    expect(server.hits).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'aborted' } })
  })

  it('ends an attempt on timeout or abort even when an injected fetch ignores its signal', async () => {
    const deaf = () => new Promise<Response>(() => {})
    const timedOut = await make({ fetch: deaf, timeout: 30, retry: { limit: 1, delayMs: 0 } }).erase({ userId: 'u1' })
    expect(timedOut.outcomes[0]).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'timeout', retryable: true } })

    const controller = new AbortController()
    setTimeout(() => controller.abort(), 30)
    const aborted = await make({ fetch: deaf, timeout: 60_000 }).erase({ userId: 'u1' }, { signal: controller.signal })
    expect(aborted.outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'aborted' } })

    // A body that never ends, from a fetch that answered.
    const stalledBody = async () => new Response(new ReadableStream({ start() {} }), { status: 200 })
    const stalled = await make({ fetch: stalledBody, timeout: 30, retry: { limit: 0 } }).erase({ userId: 'u1' })
    expect(stalled.outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'timeout' } })

    const run = make({ fetch: deaf, timeout: 60_000 }).eraseMany([{ userId: 'u1' }, { userId: 'u2' }], { signal: AbortSignal.timeout(30) })
    const reports = []
    for await (const report of run) reports.push(report)
    expect(reports.map((report) => report.outcomes[0]!.error?.code)).toEqual(['aborted', 'aborted'])
  })

  it('an injected fetch that ignores its signal and answers after the timeout gets no body read and no redirect followed', async () => {
    const calls: string[] = []
    let bodyRead = false
    const late = async (url: string | URL | Request) => {
      calls.push(String(url))
      await new Promise((resolve) => setTimeout(resolve, 60))
      const response = new Response(null, { status: 302, headers: { location: '/again' } })
      return Object.assign(response, { text: async () => ((bodyRead = true), '') })
    }
    const report = await make({ fetch: late, timeout: 20, retry: { limit: 0 } }).erase({ userId: 'u1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'timeout' } })
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(calls).toHaveLength(1)
    expect(bodyRead).toBe(false)
  })

  it('a hook setting ctx.retry = true cannot retry beyond the policy (its limit, a non-retryable status)', async () => {
    server.reply(() => new Response('{}', { status: 503 }))
    const limited = make({ retry: { limit: 2, delayMs: 0 } })
    limited.hook('onError', (ctx) => void (ctx.retry = true))
    expect((await limited.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'failed', attempts: 3 })
    server.reply(() => new Response('{}', { status: 401 }))
    const forced = make()
    forced.hook('onError', (ctx) => void (ctx.retry = true))
    expect((await forced.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'unauthorized' } })
  })

  it('an object body a beforeRequest hook sets goes as JSON with its content type', async () => {
    const eraser = make()
    eraser.hook('beforeRequest', (ctx) => {
      ctx.request.headers.delete('content-type')
      ctx.request.body = { ids: ['changed'] }
    })
    await eraser.erase({ userId: 'u1' })
    expect(server.hits[0]).toMatchObject({ body: { ids: ['changed'] }, headers: expect.objectContaining({ 'content-type': 'application/json' }) })
  })

  it('an error a request hook throws fails the outcome under the hook\'s name, redacted, not as the vendor\'s', async () => {
    for (const name of ['beforeRequest', 'afterResponse'] as const) {
      const eraser = make()
      eraser.hook(name, () => {
        throw new Error('audit sink down for u1')
      })
      const outcome = (await eraser.erase({ userId: 'u1' })).outcomes[0]!
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'provider_error', retryable: false } })
      expect(outcome.error!.message).toMatch(new RegExp(`${name} hook failed: audit sink down for \\[id:[\\da-f]{8}\\]$`))
    }
    server.reply(() => new Response('{}', { status: 503 }))
    const failing = make()
    failing.hook('onError', () => Promise.reject('no pager'))
    expect((await failing.erase({ userId: 'u1' })).outcomes[0]!.error!.message).toContain('onError hook failed: no pager')
    // An ErasureError a hook throws keeps its own code.
    const vetoed = make()
    vetoed.hook('beforeRequest', () => {
      throw new ErasureError('invalid_request', 'blocked by policy')
    })
    expect((await vetoed.erase({ userId: 'u1' })).outcomes[0]!.error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('blocked by policy') })
  })

  it('a beforeRequest hook may rewrite the path, never move the request (and its credentials) to another origin', async () => {
    const proxied = make()
    proxied.hook('beforeRequest', (ctx) => void (ctx.request.url = `${server.url}/proxied/delete`))
    expect((await proxied.erase({ userId: 'u1' })).ok).toBe(true)
    expect(server.hits).toHaveLength(1)
    // A relative URL is taken against the request's own.
    const relative = make()
    relative.hook('beforeRequest', (ctx) => void (ctx.request.url = '/proxied/relative'))
    expect((await relative.erase({ userId: 'u1' })).ok).toBe(true)
    expect(server.hits.map((hit) => hit.path)).toEqual(['/proxied/delete', '/proxied/relative'])
    for (const elsewhere of ['https://collector.example/steal', '//collector.example/steal', 'http://[not a url']) {
      const moved = make()
      moved.hook('beforeRequest', (ctx) => void (ctx.request.url = elsewhere))
      const outcome = (await moved.erase({ userId: 'u1' })).outcomes[0]!
      expect(outcome).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'provider_error', retryable: false } })
      expect(outcome.error!.message).toContain('outside the provider\'s baseURL origin')
    }
    expect(server.hits).toHaveLength(2)
    // A URL-like object whose string changes between reads: what is checked is what is sent.
    let reads = 0
    const shifty = make()
    shifty.hook('beforeRequest', (ctx) => void (ctx.request.url = { toString: () => (reads++ ? 'https://collector.example/steal' : `${server.url}/proxied/shifty`) } as never))
    expect((await shifty.erase({ userId: 'u1' })).ok).toBe(true)
    expect(server.hits.at(-1)!.path).toBe('/proxied/shifty')
  })

  it('a hook cannot put credentials into the URL (fetch would refuse it, quoting them)', async () => {
    const eraser = make()
    eraser.hook('beforeRequest', (ctx) => {
      ctx.request.url = ctx.request.url.replace('://', '://admin:hunter2pw@')
    })
    const report = await eraser.erase({ userId: 'u1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'provider_error', message: '[erasekit] [demo] request URL holds credentials' } })
    expect(server.hits).toHaveLength(0)
  })

  it('a hook that changes the URL late (from a timer, while the rate limit holds the request) cannot move it: what was checked is sent', async () => {
    const sent: string[] = []
    const paced = createEraser({
      providers: [
        defineProvider({
          name: 'paced',
          specificationVersion: 1,
          options: {},
          baseURL: 'https://api.paced.example',
          limits: { rate: { requests: 1, perMs: 150 } },
          match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
          erase: (ids, ctx) => ctx.request({ method: 'POST', url: '/delete', body: { ids: ids.map((id) => id.value) } }, () => ids.map(() => ({ status: 'deleted' as const }))),
        }),
      ],
      fetch: async (url) => (sent.push(String(url)), new Response(null, { status: 204 })),
    })
    paced.hook('beforeRequest', (ctx) => void setTimeout(() => (ctx.request.url = 'https://collector.example/steal'), 30))
    const reports = await Promise.all([paced.erase({ userId: 'u1' }), paced.erase({ userId: 'u2' })])
    expect(reports.map((report) => report.ok)).toEqual([true, true])
    expect(sent).toEqual(['https://api.paced.example/delete', 'https://api.paced.example/delete'])
  })

  it('reads at most 1 MiB of a body: an endless 2xx is invalid_response (not retried), an endless 500 keeps its status and is retried', async () => {
    let pulled = 0
    const endless = (status: number) =>
      new Response(new ReadableStream({ pull: (controller) => void (pulled += 65_536, controller.enqueue(new Uint8Array(65_536).fill(120))) }), { status })
    let calls = 0
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url, retry: { limit: 1, delayMs: 0 } })], fetch: async () => (calls++, endless(200)) })
    expect((await eraser.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, httpStatus: 200, error: { code: 'invalid_response', retryable: false } })
    expect(calls).toBe(1)
    expect(pulled).toBeLessThan(2 ** 20 + 4 * 65_536)
    const failing = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url, retry: { limit: 1, delayMs: 0 } })], fetch: async () => endless(500) })
    expect((await failing.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'failed', attempts: 2, httpStatus: 500, error: { code: 'provider_error', retryable: true } })
  })

  it('reads a response without a Web stream body (a hand-made mock, node-fetch) through its text(), if any, up to the cap', async () => {
    const answer = (mock: object) => createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url, retry: { limit: 0 } })], fetch: async () => mock as unknown as Response }).erase({ userId: 'u1' })
    for (const body of [undefined, null, { pipe() {} }]) {
      expect((await answer({ status: 200, headers: new Headers(), body, text: async () => '{"requestId":"r-1"}' })).outcomes[0]).toMatchObject({ status: 'deleted', requestId: 'r-1' })
    }
    // No text() at all: an empty body (the demo provider wants a requestId: unexpected, not a network error).
    expect((await answer({ status: 200, headers: new Headers(), body: null })).outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_response' } })
    expect((await answer({ status: 200, headers: new Headers(), body: { pipe() {} }, text: async () => 'x'.repeat(2 ** 20 + 1) })).outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_response', message: expect.stringContaining('over 1048576 bytes') } })
  })

  it('a wait past the timer range (Retry-After, no cap) waits instead of retrying at once', async () => {
    server.reply(() => new Response('{}', { status: 429, headers: { 'retry-after': '99999999' } }))
    const eraser = make({ retry: { maxRetryAfterMs: Infinity } })
    const report = await eraser.erase({ userId: 'u1' }, { signal: AbortSignal.timeout(100) })
    expect(server.hits).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'aborted' } })
  })

  it('does not start when the signal is already aborted', async () => {
    const report = await make().erase({ userId: 'u1' }, { signal: AbortSignal.abort() })
    expect(server.hits).toHaveLength(0)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'aborted' } })
  })

  it('retries network errors (connection refused) and reports network', async () => {
    const url = server.url
    await server.close()
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: url, retry: { limit: 2 } })] })
    recordDelays(eraser)
    const report = await eraser.erase({ userId: 'u1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'network', retryable: true, message: expect.stringContaining('(ECONNREFUSED)') } })
  })

  it('keeps a redacted copy of the underlying error as cause (name, message, code), never the error itself', async () => {
    const { createProviderContext } = await import('@erasekit/core')
    const leaky = Object.assign(new TypeError('fetch failed for tok_abcdef'), { cause: { code: 'ECONNRESET' } })
    const network = createProviderContext(demo({ token: 'tok_abcdef', baseURL: server.url, fetch: async () => Promise.reject(leaky) }), { retry: { limit: 0 } })
    const error = (await network.request({ method: 'GET', url: '/x' }).catch((thrown: ErasureError) => thrown)) as ErasureError
    expect(error).toMatchObject({ code: 'network', message: '[erasekit] [demo] network error: fetch failed for *** (ECONNRESET)' })
    expect(error.cause).toMatchObject({ name: 'TypeError', message: 'fetch failed for ***', code: 'ECONNRESET' })
    expect(error.cause).not.toBe(leaky)
    // The name too (and so the stack's first line): a runtime's or a hook's error may put anything there.
    const named = Object.assign(new Error('x'), { name: 'Failed tok_abcdef\r\nforged' })
    const renamed = createProviderContext(demo({ token: 'tok_abcdef', baseURL: server.url, fetch: async () => Promise.reject(named) }), { retry: { limit: 0 } })
    const cause = ((await renamed.request({ method: 'GET', url: '/x' }).catch((thrown: ErasureError) => thrown)) as ErasureError).cause as Error
    expect(cause.name).toBe('Failed ***  forged')
    expect(cause.stack).not.toContain('tok_abcdef')

    const mapped = createProviderContext(demo({ token: 'tok_abcdef', baseURL: server.url }), { retry: { limit: 0 } })
    const thrown = await mapped.request({ method: 'GET', url: '/x' }, () => { throw new RangeError('bad tok_abcdef') }).catch((caught: ErasureError) => caught)
    expect(thrown).toMatchObject({ code: 'provider_error', message: '[erasekit] [demo] unexpected error: bad ***' })
    expect(thrown.cause).toMatchObject({ name: 'RangeError', message: 'bad ***' })
  })

  it.each(['beforeRequest', 'onError', 'retry'] as const)('an ErasureError a %s hook throws leaves the pipeline redacted and naming the provider', async (name) => {
    const { createProviderContext } = await import('@erasekit/core')
    const { HookableCore } = await import('hookable')
    const hooks = new HookableCore()
    hooks.hook(name, () => {
      throw new ErasureError('forbidden', 'denied for tok_abcdef')
    })
    const context = createProviderContext(demo({ token: 'tok_abcdef', baseURL: server.url, fetch: async () => new Response(null, { status: 503 }), retry: { limit: 1, delayMs: 0 } }), { hooks: hooks as never })
    const error = await context.request({ method: 'GET', url: '/x' }).catch((thrown: ErasureError) => thrown)
    expect(error).toMatchObject({ code: 'forbidden', provider: 'demo', message: '[erasekit] [demo] denied for ***' })
  })

  it.each(['erasekit', 'demo'])('keeps the [erasekit] [demo] prefix of a message whole when the user id is %s, redacting it in the text', async (userId) => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url, fetch: async () => Response.json({ code: 'bad' }, { status: 400 }) })] })
    eraser.hook('onError', (ctx) => {
      throw new ErasureError('invalid_request', `no user ${userId}`, { provider: 'demo' })
    })
    const { outcomes } = await eraser.erase({ userId })
    expect(outcomes[0]!.error!.message).toMatch(/^\[erasekit\] \[demo\] no user \[id:[\da-f]{8}\]$/)
  })

  it('scrubError keeps only the real prefix: a bracketed value at the start of the text is redacted, and its control characters are spaces', async () => {
    const { createRedactor, scrubError } = await import('@erasekit/core')
    const redact = createRedactor([['alice@example.com', '[id]']])
    expect(scrubError(new ErasureError('provider_error', '[alice@example.com] rejected by vendor'), redact).message).toBe('[erasekit] [[id]] rejected by vendor')
    expect(scrubError(new ErasureError('provider_error', '[vendor said:\r\nINFO forged line\u001b[2J] x', { provider: 'demo' }), redact).message).toBe('[erasekit] [demo] [vendor said:  INFO forged line [2J] x')
  })

  it('redacts a phone stored as bare digits when the vendor echoes it in its own format', async () => {
    server.reply(() => Response.json({ code: 'profile +7 (900) 123-45-67 locked' }, { status: 400 }))
    for (const phone of ['79001234567', '+79001234567']) {
      const message = (await make().erase({ userId: 'u1', phone })).outcomes[0]!.error!.message
      expect(message).toMatch(/profile \+?\[id\] locked$/)
    }
    // Bare digits of another field are an id, matched only as written (a date, an order number).
    server.reply(() => Response.json({ code: 'order 2026-11-24 locked' }, { status: 400 }))
    expect((await make().erase({ userId: '20261124' })).outcomes[0]!.error!.message).toMatch(/order 2026-11-24 locked$/)
  })

  it('keeps a vendor UUID as requestId when identifiers shorter than 8 characters happen to appear inside it; redacts a longer one', async () => {
    const token = 'fd576e9f-8b07-4844-91f9-ecfc2137c6f8'
    const eraser = make()
    server.reply(() => Response.json({ requestId: token }))
    expect((await eraser.erase({ userId: '4844' })).outcomes[0]!.requestId).toBe(token)
    // Several short ones at once (a bulk batch of numeric ids), 7 characters included: still chance.
    expect((await eraser.erase({ userId: '4844', email: '91', phone: '2137', ids: { x: 'fd576e9', y: '8b07' } })).outcomes[0]!.requestId).toBe(token)
    // Eight characters or more is not a coincidence to keep: the receipt never holds them.
    expect((await eraser.erase({ userId: 'ecfc2137' })).outcomes[0]!.requestId).toMatch(/^fd576e9f-8b07-4844-91f9-\[id:[\da-f]{8}\]c6f8$/)
    expect((await eraser.erase({ userId: 'ecfc2137c', ids: { x: '4844' } })).outcomes[0]!.requestId).not.toContain('ecfc2137c')
    // A short match found first hides none that starts inside it (the phone's digit form too).
    expect((await eraser.erase({ userId: '8b07', ids: { x: '07-4844-91f9' } })).outcomes[0]!.requestId).not.toContain('07-4844-91f9')
    expect((await eraser.erase({ userId: '8b07', phone: '07-4844-91' })).outcomes[0]!.requestId).not.toContain('07-4844-91')
    // A value beyond ASCII whose upper case is hex: ﬀ upper-cases to FF.
    server.reply(() => Response.json({ requestId: 'ff012345-8b07-4844-91f9-ecfc2137c6f8' }))
    expect((await eraser.erase({ userId: 'ﬀ012345' })).outcomes[0]!.requestId).not.toContain('ff012345')
    // A phone number written with a plus and spaces, whose digits the token holds dash-spaced.
    server.reply(() => Response.json({ requestId: 'fd576e9f-8b07-4984-4912-34fc2137c6f8' }))
    expect((await eraser.erase({ userId: 'u1', phone: '+49 8449 1234' })).outcomes[0]!.requestId).toMatch(/^fd576e9f-8b07-\[id\]fc2137c6f8$/)
    server.reply(() => Response.json({ requestId: token }))
    // A secret is never kept, however short.
    expect((await make({}, { secrets: ['c6f8'] }).erase({ userId: 'u1' })).outcomes[0]!.requestId).not.toContain('c6f8')
    // Nor a phone-like one (found by its digits, across the token's dashes), with nothing else in the batch that could be.
    server.reply(() => Response.json({ requestId: '12345678-9012-4abc-8def-0123456789ab' }))
    for (const options of [{ secrets: ['+12345678'] }, { secrets: ['1234.5678.9012'] }, { receiptSalt: '(123) 456-7890' }]) {
      expect((await make({}, options).erase({ userId: 'u1' })).outcomes[0]!.requestId, JSON.stringify(options)).not.toMatch(/^12345678-9012/)
    }
    server.reply(() => Response.json({ requestId: token }))
    // Nor one that is an identifier as well, whatever longer identifiers the batch holds.
    expect((await make({}, { secrets: ['2137c6f'] }).erase({ userId: '2137c6f', ids: { x: 'some-longer-identifier' } })).outcomes[0]!.requestId).not.toContain('2137c6f')
    // The vendor echoes the identifier itself, or wraps it: redacted.
    expect((await eraser.erase({ userId: token.toUpperCase() })).outcomes[0]!.requestId).toMatch(/^\[id:[\da-f]{8}\]$/)
    server.reply(() => Response.json({ requestId: 'req-4844-x' }))
    expect((await eraser.erase({ userId: '4844' })).outcomes[0]!.requestId).toMatch(/^req-\[id:[\da-f]{8}\]-x$/)
  })

  it('a plugin that throws one shared ErasureError for every provider: each outcome names its own, the shared error is left as it was', async () => {
    const shared = new ErasureError('forbidden', 'blocked by policy')
    const eraser = createEraser({ providers: [sending('alpha', () => ({ method: 'DELETE', url: '/x' })), sending('beta', () => ({ method: 'DELETE', url: '/x' }))], fetch: async () => new Response(null, { status: 204 }) })
    eraser.hook('beforeRequest', () => {
      throw shared
    })
    const report = await eraser.erase({ userId: 'u1' })
    expect(report.outcomes.map((outcome) => outcome.error?.message)).toEqual(['[erasekit] [alpha] blocked by policy', '[erasekit] [beta] blocked by policy'])
    expect(shared).toMatchObject({ provider: undefined, message: '[erasekit] blocked by policy' })
  })

  it('takes any rejected fetch as a network failure, whatever the runtime calls it; a bug in provider code is not retried', async () => {
    let calls = 0
    const odd = createEraser({
      providers: [demo({ token: 'tok_abcdef', baseURL: server.url, retry: { limit: 2 } })],
      fetch: async () => {
        calls++
        throw Object.assign(new Error('upstream went away (tok_abcdef)'), { name: 'SomeRuntimeError' })
      },
    })
    recordDelays(odd)
    const report = await odd.erase({ userId: 'u1' })
    expect(calls).toBe(3)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'network', retryable: true, message: '[erasekit] [demo] network error: upstream went away (***)' } })

    server.reply(() => Response.json({ requestId: 'r' }))
    const buggy = createEraser({
      providers: [
        defineProvider({
          name: 'buggy',
          specificationVersion: 1,
          options: { baseURL: server.url },
          baseURL: server.url,
          match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
          // A TypeError from the provider's own mapping: a bug, not the network.
          erase: (ids, ctx) => ctx.request({ method: 'POST', url: '/x' }, (response) => (response.data as { results?: ProviderResult[] }).results!.map((result) => result)),
        }),
      ],
    })
    recordDelays(buggy)
    const outcome = (await buggy.erase({ userId: 'u1' })).outcomes[0]
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'provider_error', retryable: false } })
  })

  it('final2xx: a 2xx whose body is cut off is the answer, mapped with no data, never sent again; without it, retried as the network error it was', async () => {
    let calls = 0
    const fetch = async () => {
      calls++
      const body = new ReadableStream({ start: (stream) => (stream.enqueue(new TextEncoder().encode('{"id":')), stream.error(new TypeError('terminated'))) })
      return new Response(body, { status: 200 })
    }
    const ctx = createProviderContext(demo({ token: 'tok_abcdef', baseURL: server.url, fetch }), { retry: { limit: 2, delayMs: 1 } })
    const seen: unknown[] = []
    // A request that files something: the 2xx is its answer.
    expect(await ctx.request({ method: 'POST', url: '/x', final2xx: true }, (response) => (seen.push(response.data), response.status))).toBe(200)
    expect([calls, seen]).toEqual([1, [undefined]])
    // Whatever the mapping (or a hook) throws after that 2xx, it is not sent again, nor said to be worth a rerun.
    const thrown = await ctx.request({ method: 'POST', url: '/x', final2xx: true }, (response) => { throw ctx.responseError(response) }).catch((error: ErasureError) => error)
    expect([calls, thrown]).toMatchObject([2, { code: 'invalid_response', status: 200, retryable: false, message: '[erasekit] [demo] unexpected response (HTTP 200)' }])
    // A hook's own error keeps its name (a plugin's), only its retryable is withdrawn.
    const hooks = { callHook: async (name: string) => { if (name === 'afterResponse') throw new ErasureError('provider_unavailable', 'audit sink busy', { provider: 'audit', retryable: true }) } }
    const hooked = createProviderContext(demo({ token: 'tok_abcdef', baseURL: server.url, fetch }), { retry: { limit: 2, delayMs: 1 }, hooks: hooks as never })
    const fromHook = await hooked.request({ method: 'POST', url: '/x', final2xx: true }, (response) => response.status).catch((error: ErasureError) => error)
    expect([calls, fromHook]).toMatchObject([3, { code: 'provider_unavailable', provider: 'audit', retryable: false, message: '[erasekit] [audit] audit sink busy' }])
    // Any other request (a deletion may be sent again): the transfer's failure, retried; the mapping never sees it.
    const retried = await ctx.request({ method: 'POST', url: '/x' }, (response) => (seen.push(response.data), response.status)).catch((error: ErasureError) => error)
    expect([calls, seen.length, retried]).toMatchObject([6, 1, { code: 'network', retryable: true, message: '[erasekit] [demo] network error: terminated' }])
  })

  it('final2xx: a 2xx whose body stalls is kept when the attempt times out, and when the caller aborts', async () => {
    let calls = 0
    const fetch = async () => (calls++, new Response(new ReadableStream({ start: (stream) => stream.enqueue(new TextEncoder().encode('{')) }), { status: 201 }))
    const timed = createProviderContext(demo({ token: 'tok_abcdef', baseURL: server.url, fetch }), { retry: { limit: 2, delayMs: 1 }, timeout: 50 })
    expect(await timed.request({ method: 'POST', url: '/x', final2xx: true }, (response) => [response.status, response.data])).toEqual([201, undefined])
    // Whatever the abort's reason (eraseMany stops with an ErasureError when a journal fails).
    for (const reason of [undefined, new ErasureError('provider_error', 'journal write failed')]) {
      const controller = new AbortController()
      const aborting = createProviderContext(demo({ token: 'tok_abcdef', baseURL: server.url, fetch }), { signal: controller.signal })
      const answer = aborting.request({ method: 'POST', url: '/x', final2xx: true }, (response) => response.status)
      setTimeout(() => controller.abort(reason), 30)
      expect(await answer).toBe(201)
    }
    expect(calls).toBe(3)
    // Without final2xx, the timeout is retried.
    const plain = await timed.request({ method: 'POST', url: '/x' }, (response) => response.status).catch((error: ErasureError) => error)
    expect([calls, plain]).toMatchObject([6, { code: 'timeout', retryable: true }])
  })

  it('final2xx keeps a 2xx whose body is lost, not one the core refused to read (over the cap), nor a 3xx answer whose body is lost', async () => {
    const mapped: number[] = []
    const context = (fetch: () => Promise<Response>) => createProviderContext(demo({ token: 'tok_abcdef', baseURL: server.url, fetch }), { retry: { limit: 2, delayMs: 1 } })
    const map = (response: { status: number }) => (mapped.push(response.status), response.status)
    // Over the 1 MiB cap: the core's own refusal (invalid_response, not retried), never mapped as a 2xx without data.
    const huge = context(async () => new Response('x'.repeat(2 ** 20 + 1), { status: 200 }))
    const over = await huge.request({ method: 'POST', url: '/x', final2xx: true }, map).catch((error: ErasureError) => error)
    expect([mapped, over]).toMatchObject([[], { code: 'invalid_response', retryable: false, message: expect.stringContaining('over 1048576 bytes') }])
    // A 300 (an answer fetch does not follow) cut off is no 2xx: the network error it was, retried.
    let calls = 0
    const cut = context(async () => (calls++, new Response(new ReadableStream({ start: (stream) => (stream.enqueue(new TextEncoder().encode('{')), stream.error(new TypeError('terminated'))) }), { status: 300 })))
    const three = await cut.request({ method: 'POST', url: '/x', final2xx: true }, map).catch((error: ErasureError) => error)
    expect([mapped, calls, three]).toMatchObject([[], 3, { code: 'network', retryable: true }])
  })

  it('an injected fetch that throws instead of rejecting is a configuration bug: invalid_config, sent once, its text redacted', async () => {
    let calls = 0
    const eraser = createEraser({
      providers: [demo({ token: 'tok_abcdef', baseURL: server.url, retry: { limit: 2 } })],
      // Not async: every runtime's fetch returns a rejected promise, a wrapper may throw at once.
      fetch: ((url: string) => {
        calls++
        throw new TypeError(`cannot send to ${url} with tok_abcdef`)
      }) as unknown as typeof fetch,
    })
    const delays = recordDelays(eraser)
    const outcome = (await eraser.erase({ userId: 'u1' })).outcomes[0]!
    expect(calls).toBe(1)
    expect(delays).toEqual([])
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'invalid_config', retryable: false } })
    expect(outcome.error!.message).toMatch(/^\[erasekit\] \[demo\] fetch threw instead of returning a promise: cannot send to http:\/\/.+ with \*\*\*$/)
  })

  it.each([
    [{ method: 'POST', path: '/x' }, 'ctx.request(spec): spec.url must be a string'],
    [{ url: '/x' }, 'ctx.request(spec): spec.method must be a string'],
    [undefined, 'ctx.request(spec): spec.method must be a string'],
  ])('a malformed request spec (%o) fails before sending, naming the field', async (spec, message) => {
    let calls = 0
    const eraser = createEraser({
      providers: [sending('typo', () => spec as unknown as RequestSpec)],
      fetch: async () => (calls++, new Response(null, { status: 204 })),
    })
    const outcome = (await eraser.erase({ userId: 'u1' })).outcomes[0]!
    expect(calls).toBe(0)
    expect(outcome).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'provider_error', retryable: false, message: `[erasekit] [typo] ${message}` } })
  })

  it('a header value fetch would refuse (a newline) fails before sending as provider_error, never a retried network error, never quoted', async () => {
    const sent: string[] = []
    const eraser = createEraser({
      providers: [
        sending('headed', (ids) => ({ method: 'DELETE', url: '/x', headers: { authorization: 'Bearer tok_abcdef\nx-smuggled: 1', 'x-user': ids[0]!.value } }), { secrets: ['tok_abcdef'] }),
      ],
      // What fetch does with init: a real one builds a Request, which refuses the value.
      fetch: async (url, init) => (sent.push(new Request(url, init).url), new Response(null, { status: 204 })),
    })
    recordDelays(eraser)
    const outcome = (await eraser.erase({ userId: 'u1' })).outcomes[0]!
    expect(sent).toEqual([])
    expect(outcome).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'provider_error', retryable: false } })
    expect(outcome.error!.message).not.toContain('tok_abcdef')
  })

  it.each([['a BigInt', { n: 1n }], ['a cycle', (() => { const cycle: Record<string, unknown> = {}; cycle.self = cycle; return cycle })()]])('a body JSON cannot hold (%s) fails before sending as invalid_request, never a retried network error', async (_, body) => {
    let calls = 0
    const eraser = createEraser({
      providers: [
        sending('bodied', () => ({ method: 'POST', url: '/x', body })),
      ],
      fetch: async () => (calls++, new Response(null, { status: 204 })),
    })
    recordDelays(eraser)
    const outcome = (await eraser.erase({ userId: 'u1' })).outcomes[0]!
    expect(calls).toBe(0)
    expect(outcome).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_request', retryable: false, message: '[erasekit] [bodied] request body cannot be sent as JSON (a BigInt or a circular reference)' } })
  })

  it.each([['URLSearchParams', new URLSearchParams({ id: 'u1' })], ['Uint8Array', new Uint8Array([1, 2])], ['Map', new Map([['id', 'u1']])]])('a %s body, which JSON would mangle, fails before sending, in a dry run too', async (name, body) => {
    let calls = 0
    const eraser = createEraser({ providers: [sending('bodied', () => ({ method: 'POST', url: '/x', body }))], fetch: async () => (calls++, new Response(null, { status: 204 })) })
    for (const dryRun of [false, true]) {
      const report = await eraser.erase({ userId: 'u1' }, { dryRun })
      expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_request', message: `[erasekit] [bodied] request body: expected a string or JSON, got ${name}` } })
      expect(report.requests ?? []).toEqual([])
    }
    expect(calls).toBe(0)
  })

  it('refuses a Node Buffer body (bytes, though it has a toJSON)', async () => {
    const { Buffer } = await import('node:buffer')
    const eraser = createEraser({ providers: [sending('bodied', () => ({ method: 'POST', url: '/x', body: Buffer.from('u1') }))], fetch: async () => new Response(null, { status: 204 }) })
    expect((await eraser.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_request', message: '[erasekit] [bodied] request body: expected a string or JSON, got Buffer' } })
  })

  it('sends JSON data of any shape a plain value can take: a null-prototype object, an object with toJSON, an array, an object from another realm', async () => {
    const { runInNewContext } = await import('node:vm')
    const sent: unknown[] = []
    const bodies = [Object.assign(Object.create(null), { id: 'u1' }), { toJSON: () => ({ id: 'u1' }) }, ['u1'], runInNewContext('({ id: "u1" })')]
    let next = 0
    const eraser = createEraser({ providers: [sending('bodied', () => ({ method: 'POST', url: '/x', body: bodies[next++] }))], fetch: async (_url, init) => (sent.push(init?.body), new Response(null, { status: 204 })) })
    for (let i = 0; i < bodies.length; i++) expect((await eraser.erase({ userId: 'u1' })).ok).toBe(true)
    expect(sent).toEqual(['{"id":"u1"}', '{"id":"u1"}', '["u1"]', '{"id":"u1"}'])
  })

  it('sends an object body with the JSON content type, and the Headers a hook put in place', async () => {
    const seen: unknown[] = []
    const eraser = make({}, { fetch: async (url: string, init: RequestInit) => (seen.push(init.headers), Response.json({ requestId: 'r' })) })
    expect((await eraser.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'deleted' })
    expect(new Headers(seen[0] as HeadersInit).get('content-type')).toBe('application/json')
    expect(new Headers(seen[0] as HeadersInit).get('authorization')).toBe('Bearer tok_abcdef')
    // A hook replacing the Headers object: what it set is what goes.
    eraser.hook('beforeRequest', (ctx) => void (ctx.request.headers = new Headers({ authorization: 'Bearer other', 'x-extra': '1' })))
    await eraser.erase({ userId: 'u1' })
    expect(Object.fromEntries(new Headers(seen[1] as HeadersInit))).toEqual({ authorization: 'Bearer other', 'content-type': 'application/json', 'x-extra': '1' })
  })

  it('sends each provider to its own baseURL, even where base and path concatenate alike', async () => {
    const urls: string[] = []
    const provider = (name: string, baseURL: string, url: string) => sending(name, () => ({ method: 'DELETE', url }), { baseURL })
    // "http://127.0.0.1:1" + "2/x" and "http://127.0.0.1:12" + "/x" are the same string.
    const eraser = createEraser({
      providers: [provider('one', 'http://127.0.0.1:1', '2/x'), provider('two', 'http://127.0.0.1:12', '/x')],
      fetch: async (url) => (urls.push(String(url)), new Response(null, { status: 204 })),
    })
    await eraser.erase({ userId: 'u1' })
    await eraser.erase({ userId: 'u1' })
    expect(urls.sort()).toEqual(['http://127.0.0.1:12/x', 'http://127.0.0.1:12/x', 'http://127.0.0.1:1/2/x', 'http://127.0.0.1:1/2/x'].sort())
  })

  it('retries a 2xx body it cannot read (invalid_response)', async () => {
    server.reply((_, n) => (n === 1 ? new Response('<html>oops', { status: 200 }) : Response.json({ requestId: 'r' })))
    const eraser = make()
    recordDelays(eraser)
    expect((await eraser.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'deleted', attempts: 2 })
  })

  it('lets a provider override retry status codes', async () => {
    server.reply(() => new Response('{}', { status: 500 }))
    const report = await make({ retry: { statusCodes: [503] } }).erase({ userId: 'u1' })
    expect(server.hits).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'provider_error', retryable: false } })
  })

  it('refuses to follow a cross-origin redirect with credentials', async () => {
    server.reply(() => new Response(null, { status: 307, headers: { location: 'https://evil.example/steal' } }))
    const report = await make().erase({ userId: 'u1' })
    expect(server.hits).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'provider_error' } })
    expect(report.outcomes[0]!.error!.message).toMatch(/redirect/)
  })

  it('follows a same-origin redirect', async () => {
    server.reply((hit) => (hit.path === '/users/delete' ? new Response(null, { status: 307, headers: { location: '/v2/users/delete' } }) : Response.json({ requestId: 'moved' })))
    const report = await make().erase({ userId: 'u1' })
    expect(server.hits.map((hit) => [hit.method, hit.path])).toEqual([
      ['POST', '/users/delete'],
      ['POST', '/v2/users/delete'],
    ])
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', requestId: 'moved' })
  })

  it('follows a same-origin redirect as fetch would: a 303 continues as a GET without the body; a 301/302 after a POST, which fetch would resend as a GET, is refused', async () => {
    const hops = async (status: number, method: string) => {
      server.reply((hit) => (hit.path === '/start' ? new Response(null, { status, headers: { location: '/next' } }) : Response.json({ requestId: 'moved' })))
      server.hits.length = 0
      const provider = sending(`r${status}`, () => ({ method, url: '/start', body: { ids: ['x'] } }))
      const report = await createEraser({ providers: [provider] }).erase({ userId: 'u1' })
      expect(report.ok).toBe(true)
      const [first, second] = server.hits
      expect(first).toMatchObject({ method, path: '/start', body: { ids: ['x'] } })
      return { method: second!.method, path: second!.path, body: second!.body, type: second!.headers['content-type'] }
    }
    const asGet = { method: 'GET', path: '/next', body: undefined, type: undefined }
    expect(await hops(303, 'POST')).toEqual(asGet)
    expect(await hops(303, 'DELETE')).toEqual(asGet)
    const kept = (method: string) => ({ method, path: '/next', body: { ids: ['x'] }, type: 'application/json' })
    expect(await hops(307, 'POST')).toEqual(kept('POST'))
    expect(await hops(308, 'POST')).toEqual(kept('POST'))
    expect(await hops(301, 'DELETE')).toEqual(kept('DELETE'))
    // A GET deletes nothing, and its 2xx (here a JSON object) must not pass for the deletion's.
    for (const status of [301, 302]) {
      server.reply((hit) => (hit.path === '/start' ? new Response(null, { status, headers: { location: '/next' } }) : Response.json({ requestId: 'moved' })))
      server.hits.length = 0
      const outcome = (await createEraser({ providers: [sending(`m${status}`, () => ({ method: 'POST', url: '/start', body: { ids: ['x'] } }))] }).erase({ userId: 'u1' })).outcomes[0]!
      expect(outcome).toMatchObject({ status: 'failed', httpStatus: status, error: { code: 'provider_error', retryable: false, message: `[erasekit] [m${status}] redirect not followed: fetch would resend the POST as a GET` } })
      expect(server.hits.map((hit) => hit.method)).toEqual(['POST'])
    }
  })

  it('says why a redirect is not followed; a 3xx fetch does not follow (304) is an answer, not a redirect', async () => {
    const failure = async (reply: () => Response) => {
      server.reply(reply)
      server.hits.length = 0
      const outcome = (await make().erase({ userId: 'u1' })).outcomes[0]!
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'provider_error', retryable: false } })
      return { message: outcome.error!.message, hits: server.hits.length }
    }
    expect(await failure(() => new Response(null, { status: 302 }))).toEqual({ message: '[erasekit] [demo] redirect not followed: no usable Location', hits: 1 })
    expect(await failure(() => new Response(null, { status: 307, headers: { location: 'https://evil.example/x' } }))).toEqual({ message: '[erasekit] [demo] redirect not followed: it leads to another origin', hits: 1 })
    // The first request and three hops, then refused.
    expect(await failure(() => new Response(null, { status: 307, headers: { location: '/again' } }))).toEqual({ message: '[erasekit] [demo] redirect not followed: more than 3 in a row', hits: 4 })
    server.reply(() => new Response(null, { status: 304 }))
    server.hits.length = 0
    const answered = (await make().erase({ userId: 'u1' })).outcomes[0]!
    // An answer like a 4xx: not an unreadable 2xx, so not retried.
    expect(answered).toMatchObject({ status: 'failed', httpStatus: 304, attempts: 1, error: { code: 'provider_error', retryable: false, message: '[erasekit] [demo] HTTP 304' } })
    expect(server.hits).toHaveLength(1)
    // A same-origin Location with credentials: fetch would refuse it quoting the URL, password included.
    const withPassword = await failure(() => new Response(null, { status: 307, headers: { location: `${server.url.replace('://', '://vendoruser:VENDORPASS@')}/next` } }))
    expect(withPassword).toEqual({ message: '[erasekit] [demo] redirect not followed: its Location holds credentials', hits: 1 })
    // A browser's manual redirect is opaque: its target cannot be checked, so it is not followed.
    const opaque = { type: 'opaqueredirect', status: 0, headers: new Headers(), body: null, text: async () => '' } as unknown as Response
    const browser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: 'https://api.demo.example' })], fetch: async () => opaque })
    expect((await browser.erase({ userId: 'u1' })).outcomes[0]!.error!.message).toBe('[erasekit] [demo] redirect not followed: a browser hides its target')
  })

  it('refuses a body on a GET or HEAD before sending (fetch would throw; it is not a network error to retry)', async () => {
    for (const method of ['GET', 'head']) {
      server.hits.length = 0
      const report = await createEraser({ providers: [sending(`m${method}`, () => ({ method, url: '/lookup', body: { ids: ['x'] } }))] }).erase({ userId: 'u1' })
      expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_request', retryable: false, message: `[erasekit] [m${method}] request body: a ${method.toUpperCase()} request cannot have one` } })
      expect(server.hits).toHaveLength(0)
    }
  })
})

describe('retry and error defaults, as documented', () => {
  it('an abort during a Retry-After wait ends the call at once (a provider context outside an eraser too)', async () => {
    server.reply(() => new Response('{}', { status: 503, headers: { 'retry-after': '30' } }))
    const controller = new AbortController()
    const context = createProviderContext(demo({ token: 'tok_abcdef', baseURL: server.url }), { signal: controller.signal })
    const call = context.request({ method: 'POST', url: '/users/delete', body: { ids: ['u1'] } })
    setTimeout(() => controller.abort(), 50)
    const started = Date.now()
    await expect(call).rejects.toMatchObject({ code: 'aborted' })
    // The 30 s wait was cut short, not sat out.
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('caps Retry-After at 60 s by default (maxRetryAfterMs), then retries', async () => {
    expect(defaultRetry).toMatchObject({ limit: 4, delayMs: 300, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 })
    server.reply((_, n) => (n === 1 ? new Response('{}', { status: 429, headers: { 'retry-after': '120' } }) : Response.json({ requestId: 'r' })))
    const eraser = make()
    const delays = recordDelays(eraser)
    expect((await eraser.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'deleted', attempts: 2 })
    expect(delays).toEqual([60_000])
  })

  it('maps statuses to the documented codes', () => {
    const codes = Object.fromEntries([301, 304, 400, 401, 403, 404, 408, 409, 425, 429, 500, 501, 502, 503, 504].map((status) => [status, codeForStatus(status)]))
    expect(codes).toEqual({
      301: 'provider_error', 304: 'provider_error', 400: 'invalid_request', 401: 'unauthorized', 403: 'forbidden', 404: 'invalid_request', 408: 'timeout', 409: 'invalid_request',
      425: 'invalid_request', 429: 'rate_limited', 500: 'provider_error', 501: 'provider_error', 502: 'provider_unavailable', 503: 'provider_unavailable', 504: 'provider_unavailable',
    })
  })
})

describe('errors in outcomes', () => {
  /** A provider sending one request per batch of up to 100, whose vendor error message becomes the batch's failure. */
  const echoing = (fetch: (init: RequestInit) => Response) =>
    createEraser({
      providers: [
        defineProvider({
          name: 'echo',
          specificationVersion: 1,
          options: {},
          baseURL: 'https://api.echo.example',
          limits: { batchSize: 100 },
          match: (subject) => (subject.email ? { kind: 'email', value: subject.email } : undefined),
          erase: (ids, ctx) =>
            ctx.request({ method: 'POST', url: '/delete', body: { emails: ids.map((id) => id.value) } }, (response) => {
              throw ctx.responseError(response, { message: (response.data as { message?: string }).message })
            }),
        }),
      ],
      fetch: async (_, init) => fetch(init!),
    })

  it('an onError hook that adds to the message after the pipeline redacted it: the outcome is redacted again', async () => {
    const eraser = echoing(() => Response.json({ message: 'no' }, { status: 400 }))
    eraser.hook('onError', (ctx) => void (ctx.error!.message += ` (while deleting ${(ctx.request.body as { emails: string[] }).emails[0]})`))
    const outcome = (await eraser.erase({ email: 'jane.doe@example.com' })).outcomes[0]!
    expect(outcome.error!.message).toMatch(/^\[erasekit\] \[echo\] HTTP 400: no \(while deleting \[id:[0-9a-f]{8}\]\)$/)
  })

  it('receipts keep 2 000 characters of a vendor\'s text, redacted first', async () => {
    const subjects = Array.from({ length: 100 }, (_, i) => ({ email: `person${i}@example.com` }))
    // 0.5 MB of vendor text (bodies are read up to 1 MiB) that quotes an identifier just inside the cut, copied into 100 outcomes.
    const eraser = echoing((init) => {
      const [first] = JSON.parse(String(init.body)).emails
      return Response.json({ message: `${'x'.repeat(1950)} ${first} ${'y'.repeat(500_000)}` }, { status: 400 })
    })
    const outcomes = []
    for await (const report of eraser.eraseMany(subjects)) outcomes.push(...report.outcomes)
    expect(outcomes).toHaveLength(100)
    for (const outcome of outcomes) {
      expect(outcome.error!.message).toHaveLength(2001)
      expect(outcome.error!.message).toMatch(/x \[id:[0-9a-f]{8}\] y+…$/)
    }
  })

  /** The error message of an outcome whose vendor answered 400 with `text`. */
  const messageOf = async (text: string) => {
    const eraser = echoing(() => Response.json({ message: text }, { status: 400 }))
    return (await eraser.erase({ email: 'a@example.com' })).outcomes[0]!.error!.message
  }

  it('an error message of exactly 2 000 characters is kept whole, without an ellipsis', async () => {
    const prefix = (await messageOf('x')).length - 1
    const exact = await messageOf('x'.repeat(2000 - prefix))
    expect(exact).toHaveLength(2000)
    expect(exact.endsWith('x')).toBe(true)
    expect(await messageOf('x'.repeat(2001 - prefix))).toMatch(/^.{2000}…$/s)
  })

  it('an emoji on the 2 000th character of an error message is dropped whole: the cut never leaves half a surrogate pair', async () => {
    const head = (await messageOf('x')).slice(0, -1)
    // The emoji's first half is character 2 000 (index 1 999), its second half character 2 001.
    const message = await messageOf(`${'x'.repeat(1999 - head.length)}😀 and more`)
    expect(message).toBe(`${head}${'x'.repeat(1999 - head.length)}…`)
    expect(message).toHaveLength(2000)
  })
})

describe('retry helpers', () => {
  it('computes full-jitter backoff bounded by maxDelayMs', () => {
    expect(retryDelay(1, defaultRetry, undefined, () => 1)).toBe(300)
    expect(retryDelay(3, defaultRetry, undefined, () => 1)).toBe(1200)
    expect(retryDelay(20, defaultRetry, undefined, () => 1)).toBe(30_000)
    expect(retryDelay(5, defaultRetry, undefined, () => 0)).toBe(0)
  })

  it('reads the wait a vendor asks for from retry-after-ms, Retry-After, or on a 429 a rate-limit reset', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    const wait = (headers: Record<string, string>, status = 429) => retryAfterOf(new Headers(headers), status, now)
    expect(wait({ 'retry-after-ms': '250', 'retry-after': '3' })).toBe(250)
    expect(wait({ 'retry-after-ms': ' 12.6 ' })).toBe(13)
    // An unreadable retry-after-ms falls back to Retry-After.
    expect(wait({ 'retry-after-ms': '-5', 'retry-after': '3' })).toBe(3000)
    expect(wait({ 'retry-after': '3', 'x-ratelimit-reset': '60' })).toBe(3000)
    // Seconds from now (IETF RateLimit-Reset), a Unix time in seconds (Braze, GitHub) or in ms.
    expect(wait({ 'ratelimit-reset': '7' })).toBe(7000)
    expect(wait({ 'x-ratelimit-reset': String(now / 1000 + 30) })).toBe(30_000)
    expect(wait({ 'x-rate-limit-reset': String(now + 4500) })).toBe(4500)
    // A reset of 0 or already past (clocks differ): no wait given, so backoff, not every retry at once.
    expect(wait({ 'x-ratelimit-reset': String(now / 1000 - 30) })).toBeUndefined()
    expect(wait({ 'ratelimit-reset': '0' })).toBeUndefined()
    // Not a number (the structured RateLimit form, a sign): no wait given, so backoff.
    for (const value of ['reset=50', '-3', '1e3', '', '5, 7']) expect(wait({ 'ratelimit-reset': value }), value).toBeUndefined()
    // The first readable one: an empty or unreadable header does not hide the next.
    expect(wait({ 'ratelimit-reset': '', 'x-ratelimit-reset': '4' })).toBe(4000)
    expect(wait({ 'ratelimit-reset': 'reset=50', 'x-rate-limit-reset': '2' })).toBe(2000)
    // Only a 429 is about the rate limit: on a 503 or a 500 the reset is when the window ends.
    expect(wait({ 'x-ratelimit-reset': '7' }, 503)).toBeUndefined()
    expect(wait({ 'retry-after-ms': '250' }, 503)).toBe(250)
    expect(wait({})).toBeUndefined()
  })

  it('reads a rate-limit reset as a Unix time from exactly 1e9 (seconds) and 1e12 (ms), and an HTTP-date Retry-After against the `now` given', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    const wait = (headers: Record<string, string>, status = 429) => retryAfterOf(new Headers(headers), status, now)
    // 1e9 s and 1e12 ms are both 2001-09-09: long past, so no wait (not 31 years from now, nor 1e12 seconds).
    expect(wait({ 'x-ratelimit-reset': '1000000000' })).toBeUndefined()
    expect(wait({ 'x-ratelimit-reset': '1000000000000' })).toBeUndefined()
    // The `now` passed in is the one an HTTP-date is measured from, as for a reset.
    expect(wait({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' })).toBe(5000)
    expect(wait({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, 503)).toBe(5000)
  })

  it('parses Retry-After seconds and dates, ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:05 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
    // Date.parse reads these as years (a date long past: "retry at once"); no HTTP-date, so backoff.
    for (const value of ['-1', '+3', '-5', '12/31/2025', 'a 1', '5 seconds', 'Mon 1', 'sunny 1', 'Friday 13']) expect(parseRetryAfter(value, now)).toBeUndefined()
    // The obsolete RFC 850 form is a date too.
    expect(parseRetryAfter('Thursday, 01-Jan-26 00:00:05 GMT', now)).toBe(5000)
    // The asctime form names no zone: GMT (RFC 9110), whatever the machine's zone.
    const zone = process.env.TZ
    try {
      for (const tz of ['UTC', 'Asia/Tokyo', 'America/New_York']) {
        process.env.TZ = tz
        expect(parseRetryAfter('Thu Jan  1 00:00:30 2026', now)).toBe(30_000)
        // A date that gives its own offset (not the HTTP-date form, but Date.parse reads it) keeps it;
        // one sent without any zone is GMT.
        expect(parseRetryAfter('Thu, 01 Jan 2026 09:00:30 +0900', now)).toBe(30_000)
        expect(parseRetryAfter('Wed, 31 Dec 2025 19:00:30 -0500', now)).toBe(30_000)
        expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30', now)).toBe(30_000)
        // Without seconds, with a one-digit hour, without a time: still no zone, still GMT.
        expect(parseRetryAfter('Thu, 01 Jan 2026 00:01', now)).toBe(60_000)
        expect(parseRetryAfter('Thu, 01 Jan 2026 0:00:30', now)).toBe(30_000)
        expect(parseRetryAfter('Fri, 02 Jan 2026', now)).toBe(86_400_000)
        expect(parseRetryAfter('Thursday, 01-Jan-26 00:00:05', now)).toBe(5000)
        // An offset written against the time, and a day name without its space or with a dot.
        for (const glued of ['Thu, 01 Jan 2026 09:00:30+0900', 'Wed, 31 Dec 2025 19:00:30-0500', 'Wed, 31 Dec 2025 19:00:30-05:00', 'Thu,01 Jan 2026 00:00:30 GMT', 'Thu., 01 Jan 2026 00:00:30 GMT', 'Thu.01 Jan 2026 00:00:30 GMT', 'Thu, 01 Jan 2026 09:00:30.0+0900', 'Wed, 31 Dec 2025 7:00:30 PM-0500']) expect(parseRetryAfter(glued, now), glued).toBe(30_000)
        // A year followed by a dash is no offset: GMT. A one-digit offset is one.
        expect(parseRetryAfter('Thu, 01 Jan 2026-00:00:30', now)).toBe(30_000)
        for (const short of ['Thu, 01 Jan 2026 09:00:30 +9', 'Wed, 31 Dec 2025 19:00:30 -5', 'Thu, 01 Jan 2026 09:00:30 +9:00']) expect(parseRetryAfter(short, now), short).toBe(30_000)
        // A (comment), nested or unclosed, is no HTTP-date: Date.parse would read it in ways no zone test follows.
        for (const commented of ['Thu, 01 Jan 2026 00:00:30 (JST)', 'Thu, 01 Jan 2026 00:00:30 (x', 'Thu, 01 Jan 2026 00:00:30 (a (b) EST)']) expect(parseRetryAfter(commented, now), commented).toBeUndefined()
        for (const zoned of ['Thu, 01 Jan 2026 09:00:30 +09:00', 'Thu, 01 Jan 2026 09:00:30 GMT+09:00', 'Wed Dec 31 19:00:30 EST 2025']) expect(parseRetryAfter(zoned, now)).toBe(30_000)
      }
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })

  it('refuses a Retry-After longer than any HTTP-date at once, and reads a huge number of seconds as a long wait', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    // 300 000 characters: a quadratic scan would take about a minute (the test's timeout is 5 s).
    expect(parseRetryAfter(`Mon, 01 Jan 2029 00:00:00 GMT ${'('.repeat(300_000)}`, now)).toBeUndefined()
    expect(parseRetryAfter(`Mon, 01 Jan 2029 00:00:00 ${' '.repeat(300_000)}GMT`, now)).toBeUndefined()
    expect(parseRetryAfter('9'.repeat(320), now)).toBe(Number.MAX_SAFE_INTEGER)
    expect(retryDelay(1, { ...defaultRetry, maxRetryAfterMs: 200 }, parseRetryAfter('9'.repeat(320), now))).toBe(200)
  })

  it('mergeLayers: a key left undefined keeps the value below, and an own __proto__ key never becomes the prototype', () => {
    const merged = mergeLayers({ limit: 4, delayMs: 300 }, { limit: undefined, delayMs: 10 }, JSON.parse('{"__proto__": {"polluted": true}}'))
    expect(merged).toMatchObject({ limit: 4, delayMs: 10 })
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype)
    expect((merged as { polluted?: boolean }).polluted).toBeUndefined()
  })

  it('ErasureError.isInstance works across copies and serializes without a cause', () => {
    const error = new ErasureError('network', 'x', { provider: 'p', cause: new Error('inner') })
    expect(ErasureError.isInstance(error)).toBe(true)
    expect(ErasureError.isInstance({ code: 'network' })).toBe(false)
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'network', message: '[erasekit] [p] x', retryable: false })
  })

  it('instanceof: any copy\'s ErasureError is one, but a subclass holds only its own instances', () => {
    class VendorError extends ErasureError {}
    const plain = new ErasureError('timeout', 'x')
    const own = new VendorError('network', 'y')
    const otherCopy = Object.assign(new Error('z'), { [Symbol.for('erasekit.error')]: true })
    expect([plain instanceof ErasureError, own instanceof ErasureError, otherCopy instanceof ErasureError]).toEqual([true, true, true])
    expect([plain instanceof VendorError, own instanceof VendorError, otherCopy instanceof VendorError]).toEqual([false, true, false])
  })
})

describe('responseError', () => {
  it('leaves out a vendor code that only repeats the HTTP status, and keeps any other', () => {
    const ctx = createProviderContext(demo({ token: 'tok_abcdef', baseURL: server.url }))
    const answer = (status: number) => ({ status, headers: new Headers(), data: undefined })
    for (const providerCode of [503, '503']) {
      expect(ctx.responseError(answer(503), { providerCode, message: 'Internal server error' })).toMatchObject({ message: '[erasekit] [demo] HTTP 503: Internal server error', providerCode: undefined })
    }
    expect(ctx.responseError(answer(503), { providerCode: 'E_BUSY' })).toMatchObject({ message: '[erasekit] [demo] HTTP 503 E_BUSY', providerCode: 'E_BUSY' })
    expect(ctx.responseError(answer(400), { providerCode: 401 })).toMatchObject({ message: '[erasekit] [demo] HTTP 400 401', providerCode: '401' })
  })
})

describe('provider-supplied retry timing and attempts', () => {
  it('uses retryAfterMs from responseError (vendors with a wait header the core does not read) and a per-result attempts count', async () => {
    const { defineProvider } = await import('@erasekit/core')
    server.reply((_, n) => (n === 1 ? new Response('{}', { status: 429, headers: { 'x-backoff-seconds': '9' } }) : Response.json({})))
    const provider = defineProvider({
      name: 'resets',
      specificationVersion: 1,
      options: {},
      baseURL: server.url,
      match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
      erase: async (identifiers, ctx) => {
        await ctx.request({ method: 'POST', url: '/x' }, (response) => {
          if (response.status === 429) throw ctx.responseError(response, { retryAfterMs: Number(response.headers.get('x-backoff-seconds')) * 1000 })
          return response
        })
        return identifiers.map(() => ({ status: 'deleted' as const, attempts: 7 }))
      },
    })
    const eraser = createEraser({ providers: [provider] })
    const delays = recordDelays(eraser)
    const report = await eraser.erase({ userId: 'u1' })
    expect(delays).toEqual([9000])
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 7 })
  })
})
