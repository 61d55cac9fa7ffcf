// No credential or identifier may leak into reports, outcomes, error messages or hook contexts.
import { createEraser, type Report } from '@erasekit/core'
import { describe, expect, it } from 'vitest'
import { createCleverTapEmulator } from '../src/emulator'
import { clevertap } from '../src/index'

const ACCOUNT = 'ACCT-7f3c9e21-LEAKCHECK'
const PASSCODE = 'PASS-b4d1e0aa-LEAKCHECK'
const USER = 'user-9d8c7b6a-LEAKCHECK'
const GUID = 'guid-1a2b3c4d-LEAKCHECK'
const EMAIL = 'leak.check.5e6f@example.com'
const planted = [ACCOUNT, PASSCODE, USER, GUID, EMAIL]

async function run(fetch: typeof globalThis.fetch, extra: Record<string, unknown> = {}) {
  const eraser = createEraser({ providers: [clevertap({ accountId: ACCOUNT, passcode: PASSCODE, fetch, retry: { delayMs: 1, limit: 1 }, ...extra })] })
  const seen: string[] = []
  eraser.hook('onError', (ctx) => {
    seen.push(JSON.stringify(ctx.toJSON()))
  })
  const reports: Report[] = []
  for await (const report of eraser.eraseMany([
    { ref: 'r-guid', ids: { clevertap: GUID }, email: EMAIL },
    { ref: 'r-user', userId: USER, email: EMAIL },
  ])) {
    reports.push(report)
  }
  return { reports, text: JSON.stringify(reports) + seen.join('') }
}

/** A vendor that echoes everything it received in its error text. */
const echo = (status: number, body: (text: string, request: Request) => unknown) => async (input: Request | string | URL, init?: RequestInit) => {
  const request = new Request(input, init)
  const text = await request.text()
  return new Response(JSON.stringify(body(text, request)), { status, headers: { 'content-type': 'application/json' } })
}

const echoError = (text: string, request: Request) => ({
  status: 'fail',
  error: `got ${text} for ${request.headers.get('x-clevertap-account-id')} / ${request.headers.get('x-clevertap-passcode')}`,
  code: 999,
})

describe('redaction', () => {
  it('success path', async () => {
    const emulator = createCleverTapEmulator({ accountId: ACCOUNT, passcode: PASSCODE })
    const { reports, text } = await run(emulator.fetch)
    expect(reports.flatMap((report) => report.outcomes.map((outcome) => outcome.status))).toEqual(['accepted', 'accepted'])
    for (const value of planted) expect(text).not.toContain(value)
  })

  it.each([400, 401, 403, 429, 500])('vendor error %i that echoes the request', async (status) => {
    const { reports, text } = await run(echo(status, echoError))
    expect(reports.every((report) => report.outcomes[0]!.status === 'failed')).toBe(true)
    // The vendor text is kept, with the values replaced.
    expect(reports[0]!.outcomes[0]!.error!.message).toMatch(/got .*\*\*\* \/ \*\*\*/)
    expect(reports[0]!.outcomes[0]!.error!.message).toMatch(/\[id:[0-9a-f]{8}\]/)
    for (const value of planted) expect(text).not.toContain(value)
  })

  it('HTTP 200 with a non-success status that echoes the request', async () => {
    const { reports, text } = await run(echo(200, (body, request) => ({ ...echoError(body, request), status: 'partial' })))
    expect(reports[0]!.outcomes[0]!.error!.code).toBe('provider_error')
    for (const value of planted) expect(text).not.toContain(value)
  })

  it('a network error whose message quotes the credentials', async () => {
    const fetch = async () => {
      throw new TypeError(`fetch failed: ${ACCOUNT} ${PASSCODE} ${USER} ${GUID}`)
    }
    const { reports, text } = await run(fetch)
    expect(reports[0]!.outcomes[0]!.error!.code).toBe('network')
    for (const value of planted) expect(text).not.toContain(value)
  })

  it('dry run: planned requests carry no credential or identifier', async () => {
    const eraser = createEraser({ providers: [clevertap({ accountId: ACCOUNT, passcode: PASSCODE })] })
    const report = await eraser.erase({ userId: USER, ids: { clevertap: GUID } }, { dryRun: true })
    expect(report.requests).toHaveLength(1)
    const text = JSON.stringify(report)
    for (const value of planted) expect(text).not.toContain(value)
  })
})
