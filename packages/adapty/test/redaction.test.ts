/** No raw key or identifier in any report, outcome, error message or hook log, on success and failure paths. */
import { createEraser, ErasureError, type Report } from '@erasekit/core'
import { serve } from '@erasekit/core/testing/node'
import { describe, expect, it } from 'vitest'
import { adapty, createAdaptyClient } from '../src/index'
import { createAdaptyEmulator } from '../src/emulator'

const KEY = 'secret_live_PLANTEDkey.zQx9TOPSECRET'
const CUSTOMER = 'cust-PLANTED-7a9f'
const EMAIL = 'planted.person@example.org'
const PROFILE = '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f'
const PLANTED = [KEY, CUSTOMER, EMAIL, PROFILE, 'PLANTEDkey', 'TOPSECRET', 'PLANTED-7a9f']

function expectClean(text: string) {
  for (const value of PLANTED) expect(text).not.toContain(value)
}

/** A hostile vendor: echoes the key and the identity back in error texts and headers. */
const echo = (status: number) => (request: Request) => {
  const said = [request.headers.get('authorization'), request.headers.get('adapty-customer-user-id'), request.headers.get('adapty-profile-id')].join(' | ')
  return new Response(JSON.stringify({ errors: [{ source: null, errors: [`you sent ${said}`] }], error_code: `code ${said}`, status_code: status }), {
    status,
    headers: { 'content-type': 'application/json', 'request-id': `rid-${said}` },
  })
}

describe('redaction', () => {
  it('success and not_found paths through the emulator', async () => {
    const emulator = createAdaptyEmulator({ apiKey: KEY })
    emulator.store.add({ customerUserId: CUSTOMER })
    const logs: string[] = []
    const eraser = createEraser({ providers: [adapty({ apiKey: KEY, fetch: emulator.fetch, verify: true })] })
    eraser.hook('afterResponse', (ctx) => void logs.push(JSON.stringify(ctx)))
    const reports: Report[] = [await eraser.erase({ userId: CUSTOMER, email: EMAIL }), await eraser.erase({ ids: { adapty: PROFILE } })]
    expect(reports.map((r) => r.outcomes[0]!.status)).toEqual(['deleted', 'not_found'])
    expectClean(JSON.stringify(reports))
    expectClean(logs.join('\n'))
    expect(logs.join('\n')).toContain('Api-Key ***')
  })

  it('failure paths: 401, 400, 404 and 429 with echoed values, retries and dry runs', async () => {
    for (const status of [401, 400, 404, 429, 500]) {
      const server = await serve(echo(status))
      try {
        const logs: string[] = []
        const eraser = createEraser({ providers: [adapty({ apiKey: KEY, baseURL: server.url, retry: { limit: 1, delayMs: 1 } })] })
        eraser.hook('onError', (ctx) => void logs.push(JSON.stringify(ctx)))
        const report = await eraser.erase({ userId: CUSTOMER })
        expect(report.outcomes[0]!.status).toBe('failed')
        expect(report.outcomes[0]!.error!.message).toContain('you sent Api-Key ***')
        expectClean(JSON.stringify(report))
        expectClean(logs.join('\n'))
        const dry = await eraser.erase({ ids: { adapty: PROFILE } }, { dryRun: true })
        expectClean(JSON.stringify(dry))
      } finally {
        await server.close()
      }
    }
  })

  it('invalid subjects and invalid options never quote the value', async () => {
    const eraser = createEraser({ providers: [adapty({ apiKey: KEY })] })
    const report = await eraser.erase({ userId: `${CUSTOMER}\r\n` })
    expect(report.outcomes[0]!.error!.code).toBe('invalid_subject')
    expectClean(JSON.stringify(report))
    const bad = await eraser.erase({ ids: { adapty: CUSTOMER } })
    expectClean(JSON.stringify(bad))
    try {
      adapty({ apiKey: `${KEY}\n` })
      expect.unreachable()
    } catch (error) {
      expectClean((error as Error).message)
    }
  })

  it('client errors hide the key and the identity', async () => {
    const server = await serve(echo(400))
    try {
      const client = createAdaptyClient({ apiKey: KEY, baseURL: server.url })
      const calls = [
        () => client.getProfile({ customerUserId: CUSTOMER }),
        () => client.updateProfile({ profileId: PROFILE }, { email: EMAIL }),
        () => client.createProfile({ customerUserId: CUSTOMER, profileId: PROFILE }),
        () => client.deleteProfile({ customerUserId: CUSTOMER }),
        () => client.getProfile({ customerUserId: `${CUSTOMER}\n` }),
      ]
      for (const call of calls) {
        const error = await call().then(() => undefined, (caught: unknown) => caught)
        expect(ErasureError.isInstance(error)).toBe(true)
        expectClean((error as ErasureError).message)
        expectClean(JSON.stringify(error))
      }
    } finally {
      await server.close()
    }
  })
})
