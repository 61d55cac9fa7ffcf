/** The logger plugin on a real eraser (Adapty + the third-party Braze provider, both emulated). */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEraser, definePlugin, type FetchFunction } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { createAdaptyEmulator } from '@erasekit/adapty/emulator'
import { braze } from 'erasekit-provider-braze'
import { createBrazeEmulator } from 'erasekit-provider-braze/emulator'
import { logger, type LogEvent, type LoggerOptions } from 'erasekit-plugin-logger'

const ADAPTY_KEY = 'secret_live_PLANTED-adapty-key'
const BRAZE_KEY = 'PLANTED-braze-rest-key'
const fast = { delayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 }
const clock = () => new Date('2026-01-02T03:04:05.000Z')

function setup(options: LoggerOptions = {}, brazeFetch?: FetchFunction) {
  const events: LogEvent[] = []
  const adaptyEmulator = createAdaptyEmulator({ apiKey: ADAPTY_KEY })
  const brazeEmulator = createBrazeEmulator({ apiKey: BRAZE_KEY })
  const eraser = createEraser({
    providers: [
      adapty({ apiKey: ADAPTY_KEY, fetch: adaptyEmulator.fetch, retry: fast }),
      braze({ apiKey: BRAZE_KEY, instance: 'EU-01', fetch: brazeFetch ?? brazeEmulator.fetch, retry: fast }),
    ],
    plugins: [logger({ now: clock, sink: (event) => void events.push(event), ...options })],
  })
  return { events, eraser, adaptyEmulator, brazeEmulator }
}

const names = (events: LogEvent[], provider?: string) => events.filter((e) => !provider || e.provider === provider).map((e) => e.event.replace('erasekit.', ''))

afterEach(() => vi.restoreAllMocks())

describe('events', () => {
  it('logs request, response and outcome for every provider, as JSON-ready objects', async () => {
    const { events, eraser, adaptyEmulator } = setup()
    adaptyEmulator.store.add({ customerUserId: 'PLANTED-user-1' })
    await eraser.erase({ ref: 'ticket-9', userId: 'PLANTED-user-1' })
    expect(names(events, 'adapty')).toEqual(['request', 'response', 'outcome'])
    expect(names(events, 'braze')).toEqual(['request', 'response', 'outcome'])
    const request = events.find((e) => e.event === 'erasekit.request' && e.provider === 'braze')!
    expect(request).toEqual({
      event: 'erasekit.request',
      level: 'info',
      time: '2026-01-02T03:04:05.000Z',
      provider: 'braze',
      target: undefined,
      attempt: 1,
      method: 'POST',
      url: 'https://rest.fra-01.braze.eu/users/delete',
      headers: { authorization: 'Bearer ***', 'content-type': 'application/json' },
    })
    expect(events.find((e) => e.event === 'erasekit.response' && e.provider === 'adapty')).toMatchObject({ level: 'info', status: 204, attempt: 1 })
    expect(events.find((e) => e.event === 'erasekit.outcome' && e.provider === 'adapty')).toMatchObject({
      level: 'info',
      subjectRef: 'ticket-9',
      status: 'deleted',
      identifier: { kind: 'customer_user_id', hash: expect.stringMatching(/^[\da-f]{64}$/) },
    })
    expect(JSON.parse(JSON.stringify(events))).toHaveLength(events.length)
  })

  it('a transient failure logs error (willRetry) → retry (delay, next attempt) → the second request', async () => {
    const { events, eraser, adaptyEmulator } = setup({ events: ['request', 'error', 'retry', 'outcome'] })
    adaptyEmulator.store.add({ customerUserId: 'PLANTED-user-2' })
    adaptyEmulator.inject({ kind: 'server_error', status: 503 }, { times: 1 })
    await eraser.erase({ userId: 'PLANTED-user-2' })
    expect(names(events, 'adapty')).toEqual(['request', 'error', 'retry', 'request', 'outcome'])
    const [error, retry] = events.filter((e) => e.provider === 'adapty' && (e.event === 'erasekit.error' || e.event === 'erasekit.retry'))
    expect(error).toMatchObject({ level: 'warn', attempt: 1, willRetry: true, error: { code: 'provider_unavailable', status: 503, retryable: true } })
    expect(retry).toMatchObject({ level: 'warn', attempt: 1, nextAttempt: 2, code: 'provider_unavailable', status: 503, delayMs: expect.any(Number) })
    expect(events.at(-1)).toMatchObject({ event: 'erasekit.outcome', provider: 'adapty', status: 'deleted', attempts: 2 })
  })

  it('a final failure logs error (no retry) and a failed outcome at level error', async () => {
    const brazeEmulator = createBrazeEmulator({ apiKey: 'some-other-key' })
    const { events, eraser } = setup({ events: ['error', 'outcome'] }, brazeEmulator.fetch)
    await eraser.erase({ userId: 'PLANTED-user-3' })
    const braze = events.filter((e) => e.provider === 'braze')
    expect(braze.map((e) => [e.event, e.level])).toEqual([
      ['erasekit.error', 'error'],
      ['erasekit.outcome', 'error'],
    ])
    expect(braze[0]).toMatchObject({ willRetry: false, error: { code: 'unauthorized' } })
    expect(braze[1]).toMatchObject({ status: 'failed', error: { code: 'unauthorized', retryable: false } })
  })

  it('reports and progress are opt-in', async () => {
    const { events, eraser } = setup({ events: ['report', 'progress'] })
    for await (const _ of eraser.eraseMany([{ ref: 'a', userId: 'x1' }, { ref: 'b', userId: 'x2' }], { progressIntervalMs: 0 })) {
      // drain
    }
    const reports = events.filter((e) => e.event === 'erasekit.report')
    expect(reports.map((e) => e.subjectRef).sort()).toEqual(['a', 'b'])
    expect(reports[0]).toMatchObject({ ok: true, statuses: { not_found: 1, accepted: 1 } })
    expect(events.some((e) => e.event === 'erasekit.progress' && e.done === true)).toBe(true)
  })
})

describe('sinks', () => {
  // #region console-sink
  it('the default sink prints one JSON line per event on console.log', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
    const emulator = createBrazeEmulator({ apiKey: BRAZE_KEY })
    const eraser = createEraser({
      providers: [braze({ apiKey: BRAZE_KEY, instance: 'US-01', fetch: emulator.fetch })],
      plugins: [logger()],
    })
    await eraser.erase({ userId: 'PLANTED-user-4' })
    expect(lines.map((line) => JSON.parse(line).event)).toEqual(['erasekit.request', 'erasekit.response', 'erasekit.outcome'])
    expect(lines.join('\n')).not.toMatch(/PLANTED/)
  })
  // #endregion console-sink

  it('a throwing sink never fails the erasure; onSinkError hears about it', async () => {
    const failures: string[] = []
    const { eraser, adaptyEmulator } = setup({
      sink: () => {
        throw new Error('disk full')
      },
      onSinkError: (error, event) => void failures.push(`${(error as Error).message}:${event.event}`),
    })
    adaptyEmulator.store.add({ customerUserId: 'PLANTED-user-5' })
    const report = await eraser.erase({ userId: 'PLANTED-user-5' })
    expect(report.ok).toBe(true)
    expect(failures).toContain('disk full:erasekit.outcome')
    expect(failures).toHaveLength(6)
  })

  it('an async sink is awaited (backpressure), in order', async () => {
    const seen: string[] = []
    const { eraser } = setup({
      events: ['request', 'response'],
      sink: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 2))
        seen.push(`${event.provider}:${event.event}`)
      },
    })
    await eraser.erase({ userId: 'x' })
    expect(seen.filter((item) => item.startsWith('braze'))).toEqual(['braze:erasekit.request', 'braze:erasekit.response'])
  })
})

describe('redaction', () => {
  it('a planted secret or identifier never reaches the log, even with bodies on and a vendor that echoes them', async () => {
    // A vendor that repeats the request (key and identifiers) in its error body.
    let calls = 0
    const echo: FetchFunction = async (input, init) => {
      const request = new Request(input, init)
      const text = await request.text()
      const status = calls++ === 0 ? 503 : 400
      return new Response(JSON.stringify({ message: `rejected ${text} with ${request.headers.get('authorization')}`, url: request.url }), { status, headers: { 'content-type': 'application/json' } })
    }
    const { events, eraser, adaptyEmulator } = setup({ bodies: true, events: ['request', 'response', 'error', 'retry', 'outcome', 'report', 'progress'] }, echo)
    adaptyEmulator.store.add({ customerUserId: 'PLANTED-user-6' })
    adaptyEmulator.inject({ kind: 'rate_limit', retryAfterSeconds: 0 }, { times: 1 })
    const subject = { ref: 'ticket-6', userId: 'PLANTED-user-6', email: 'planted.person@example.com', phone: '+15550006', ids: { braze: 'PLANTED-braze-id-6' } }
    await eraser.erase(subject)
    await eraser.erase(subject, { dryRun: true })
    for await (const _ of eraser.eraseMany([subject, { ...subject, ref: 'ticket-7', userId: 'PLANTED-user-7', ids: { braze: 'PLANTED-braze-id-7' } }])) {
      // drain
    }

    const log = JSON.stringify(events)
    expect(names(events)).toEqual(expect.arrayContaining(['request', 'response', 'error', 'retry', 'outcome', 'report']))
    // The vendor's echo arrived (redacted) in the logged response data: the check below is not vacuous.
    expect(events.some((e) => e.event === 'erasekit.response' && JSON.stringify(e.data).includes('Bearer ***'))).toBe(true)
    for (const planted of [ADAPTY_KEY, BRAZE_KEY, 'PLANTED-user-6', 'PLANTED-user-7', 'planted.person@example.com', '+15550006', 'PLANTED-braze-id-6', 'PLANTED-braze-id-7']) {
      expect(log, planted).not.toContain(planted)
      expect(log, planted).not.toContain(encodeURIComponent(planted))
    }
    expect(log).not.toMatch(/PLANTED/i)
  })
})

describe('definePlugin', () => {
  it('takes a hooks object or a setup function; request hooks may change the live request', async () => {
    const emulator = createBrazeEmulator({ apiKey: BRAZE_KEY })
    const statuses: string[] = []
    // #region shapes
    const metrics = definePlugin({ name: 'metrics', hooks: { outcome: (outcome) => void statuses.push(outcome.status) } })
    const tracing = definePlugin({
      name: 'tracing',
      setup(eraser) {
        eraser.hook('beforeRequest', (ctx) => ctx.request.headers.set('x-trace-id', 'trace-123'))
      },
    })
    const eraser = createEraser({
      providers: [braze({ apiKey: BRAZE_KEY, instance: 'US-01', fetch: emulator.fetch })],
      plugins: [metrics, tracing, logger({ sink: () => {} })],
    })
    // #endregion shapes
    await eraser.erase({ userId: 'u_1' })
    expect(statuses).toEqual(['accepted'])
    expect(emulator.requests[0]!.headers['x-trace-id']).toBe('trace-123')
  })
})
