// The same pipeline in a browser-like environment (happy-dom's fetch, AbortController, CORS preflights).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEraser } from '@erasekit/core'
import { demo, scriptedServer } from './helpers'

let server: Awaited<ReturnType<typeof scriptedServer>>
beforeAll(async () => {
  server = await scriptedServer()
})
afterAll(() => server.close())

describe('pipeline in happy-dom', () => {
  it('runs in a DOM environment', () => {
    expect(typeof window).toBe('object')
  })

  it('erases, retries a 429 with Retry-After and redacts', async () => {
    server.reply((_, n) => (n === 1 ? new Response('{}', { status: 429, headers: { 'retry-after': '0' } }) : Response.json({ requestId: 'dom-1' })))
    const eraser = createEraser({ providers: [demo({ token: 'tok_dom_secret', baseURL: server.url })] })
    const report = await eraser.erase({ userId: 'dom-user-1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'deleted', attempts: 2, requestId: 'dom-1' })
    expect(JSON.stringify(report)).not.toContain('tok_dom_secret')
    expect(JSON.stringify(report)).not.toContain('dom-user-1')
  })

  it('does not retry a 401 and reports unauthorized', async () => {
    server.reply(() => Response.json({ code: 'bad_key' }, { status: 401 }))
    const before = server.hits.length
    const report = await createEraser({ providers: [demo({ token: 'tok_dom_secret', baseURL: server.url })] }).erase({ userId: 'u' })
    expect(server.hits.length - before).toBe(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'unauthorized', providerCode: 'bad_key' } })
  })

  it('aborts a request in flight and times out per attempt', async () => {
    server.reply(() => new Promise<Response>((resolve) => setTimeout(() => resolve(Response.json({ requestId: 'late' })), 300)))
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 30)
    const eraser = createEraser({ providers: [demo({ token: 'tok_dom_secret', baseURL: server.url, retry: { limit: 1, delayMs: 1 } })] })
    const aborted = await eraser.erase({ userId: 'u' }, { signal: controller.signal })
    expect(aborted.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'aborted' } })
    const timedOut = await createEraser({ providers: [demo({ token: 'tok_dom_secret', baseURL: server.url, timeout: 50, retry: { limit: 1, delayMs: 1 } })] }).erase({ userId: 'u' })
    expect(timedOut.outcomes[0]).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'timeout' } })
  })

  it('streams eraseMany with batching', async () => {
    server.reply((hit) => Response.json({ requestId: `n${(hit.body as { ids: string[] }).ids.length}` }))
    const eraser = createEraser({ providers: [demo({ token: 'tok_dom_secret', baseURL: server.url, batchSize: 10 })] })
    const refs: string[] = []
    for await (const report of eraser.eraseMany(Array.from({ length: 25 }, (_, i) => ({ userId: `u${i}` })))) refs.push(report.subjectRef)
    expect(refs).toHaveLength(25)
  })
})
