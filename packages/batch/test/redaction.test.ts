/**
 * No REST key, app key, callback URL or raw custom id may leave erasekit: reports, error
 * messages, hook contexts and dry-run plans are checked on success and failure paths.
 */
import { describe, expect, it } from 'vitest'
import { createEraser, type Report } from '@erasekit/core'
import { batch, type BatchOptions } from '@erasekit/batch'
import { createBatchEmulator } from '@erasekit/batch/emulator'

const REST = 'RESTKEY-zq81-planted'
const IOS = 'APPKEY-IOS-k39x-planted'
const ANDROID = 'APPKEY-AND-m72w-planted'
const CALLBACK = 'https://hooks.example.com/cb?token=CALLBACK-t0k3n-planted'
const USER = 'jane.PII-7731@example.com'
const OTHER = 'bulk/PII?8842#x'
const PLANTED = [REST, IOS, ANDROID, CALLBACK, 'CALLBACK-t0k3n-planted', USER, OTHER, encodeURIComponent(USER), encodeURIComponent(OTHER)]

function expectClean(value: unknown) {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  for (const planted of PLANTED) expect(text).not.toContain(planted)
}

/** A vendor that echoes the request URL, body and headers back in its error message. */
function echoing(status: number) {
  return async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const echo = `${request.method} ${request.url} ${await request.text()} ${request.headers.get('x-authorization')}`
    return Response.json({ error_code: 'MALFORMED_PARAMETER', error_message: echo }, { status })
  }
}

function eraserWith(options: Partial<BatchOptions>) {
  const eraser = createEraser({
    providers: [batch({ restKey: REST, appKeys: { ios: IOS, android: ANDROID }, retry: { limit: 1, delayMs: 1 }, ...options })],
  })
  const seen: unknown[] = []
  for (const name of ['beforeRequest', 'afterResponse', 'onError', 'retry'] as const) {
    eraser.hook(name, (ctx) => void seen.push(ctx.toJSON()))
  }
  eraser.hook('outcome', (outcome) => void seen.push(outcome))
  return { eraser, seen }
}

async function run(options: Partial<BatchOptions>, subjects = [{ ref: 'case-1', userId: USER }, { ref: 'case-2', userId: OTHER }]) {
  const { eraser, seen } = eraserWith(options)
  const reports: Report[] = []
  for await (const report of eraser.eraseMany(subjects)) reports.push(report)
  return { reports, seen }
}

describe('redaction', () => {
  it('success paths (custom data, bulk and single) leak nothing', async () => {
    const emulator = createBatchEmulator({ restKey: REST, appKeys: [IOS, ANDROID] })
    const bulk = await run({ fetch: emulator.fetch })
    expect(bulk.reports.flatMap((report) => report.outcomes).every((outcome) => outcome.status === 'accepted')).toBe(true)
    expectClean(bulk.reports)
    expectClean(bulk.seen)

    const { eraser } = eraserWith({ fetch: emulator.fetch })
    const single = await eraser.erase({ userId: USER })
    expect(single.ok).toBe(true)
    expectClean(single)
  })

  it('gdpr mode with a callback URL leaks nothing', async () => {
    const emulator = createBatchEmulator({ restKey: REST, appKeys: [IOS, ANDROID] })
    const { reports, seen } = await run({ mode: 'gdpr', callbackUrl: CALLBACK, fetch: emulator.fetch })
    expect(emulator.store.gdprRequests).toHaveLength(4)
    expect(reports.every((report) => report.ok)).toBe(true)
    expectClean(reports)
    expectClean(seen)
  })

  it.each([400, 401, 404, 500])('a vendor error that echoes the request (HTTP %i) leaks nothing', async (status) => {
    const { reports, seen } = await run({ fetch: echoing(status) })
    const errors = reports.flatMap((report) => report.outcomes).map((outcome) => outcome.error)
    expect(errors.every((error) => error !== undefined)).toBe(true)
    // The vendor text is kept, with the values replaced.
    if (status !== 404) expect(errors[0]!.message).toContain('***')
    expectClean(reports)
    expectClean(seen)
  })

  it('a gdpr vendor error that echoes the body leaks nothing', async () => {
    const { reports, seen } = await run({ mode: 'gdpr', callbackUrl: CALLBACK, fetch: echoing(400) })
    expect(reports.every((report) => !report.ok)).toBe(true)
    expectClean(reports)
    expectClean(seen)
  })

  it('network errors and dry runs leak nothing', async () => {
    const dropped = await run({
      fetch: async (input) => {
        throw new TypeError(`fetch failed for ${String(input instanceof Request ? input.url : input)}`)
      },
    })
    expect(dropped.reports[0]!.outcomes[0]!.error!.code).toBe('network')
    expectClean(dropped.reports)

    const { eraser } = eraserWith({ mode: 'gdpr', callbackUrl: CALLBACK, fetch: echoing(500) })
    const dry = await eraser.erase({ userId: USER }, { dryRun: true })
    expect(dry.requests).toHaveLength(2)
    expect(dry.requests![0]!.headers['x-authorization']).toBe('***')
    expectClean(dry)
  })

  it('invalid subjects and invalid options leak nothing', async () => {
    const { eraser } = eraserWith({ fetch: echoing(500) })
    const report = await eraser.erase({ userId: `${USER}\n` })
    expect(report.outcomes[0]!.error!.code).toBe('invalid_subject')
    expectClean(report)

    const invalid: unknown[] = [{ restKey: REST, appKeys: { 'bad label': IOS } }, { restKey: REST, appKeys: { ios: IOS }, callbackUrl: CALLBACK }]
    for (const options of invalid) {
      expect(() => batch(options as BatchOptions)).toThrow()
      try {
        batch(options as BatchOptions)
      } catch (error) {
        expectClean((error as Error).message)
      }
    }
  })
})
