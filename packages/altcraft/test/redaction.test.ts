// No token and no identifier may appear in reports, outcomes, error messages or hook payloads,
// even when Altcraft echoes them back in error_text.
import { createEraser, type Report, type Subject } from '@erasekit/core'
import { serve } from '@erasekit/core/testing/node'
import { describe, expect, it } from 'vitest'
import { createAltcraftEmulator } from '../src/emulator'
import { altcraft, type AltcraftOptions } from '../src/index'

const TOKEN = 'tok-PLANTED-7c1e9b2f44'
const EMAIL = 'planted.victim.4821@example.org'
const PHONE = '+79991234567'
const CRM = 'crm-PLANTED-5519'
const PROFILE = 'abcdef0123456789abcdef01'
const PLANTED = [TOKEN, EMAIL, PHONE, CRM, PROFILE, encodeURIComponent(EMAIL)]

function expectClean(value: unknown) {
  const text = JSON.stringify(value)
  for (const planted of PLANTED) expect(text).not.toContain(planted)
}

function setup(options: Partial<AltcraftOptions> = {}) {
  const emulator = createAltcraftEmulator({ token: TOKEN })
  const provider = altcraft({
    baseURL: 'https://ru.altkraft.com',
    token: TOKEN,
    dbId: 1,
    custom: { field: 'CRM_ID', from: 'userId' },
    fetch: emulator.fetch,
    ...options,
  })
  const eraser = createEraser({ providers: [provider], retry: { delayMs: 1, limit: 1 } })
  const seen: unknown[] = []
  eraser.hook('onError', (ctx) => {
    seen.push(ctx.toJSON(), ctx.error?.message)
  })
  eraser.hook('afterResponse', (ctx) => {
    seen.push(ctx.toJSON())
  })
  return { emulator, eraser, seen }
}

const subjects: Subject[] = [
  { ref: 'r1', email: EMAIL },
  { ref: 'r2', phone: PHONE },
  { ref: 'r3', userId: CRM },
  { ref: 'r4', ids: { altcraft: PROFILE } },
]

describe.each(['body', 'header'] as const)('altcraft redaction (token in %s)', (tokenIn) => {
  it('success paths', async () => {
    const { emulator, eraser, seen } = setup({ tokenIn })
    emulator.store.add(1, { email: EMAIL })
    emulator.store.add(1, { phone: PHONE })
    emulator.store.add(1, { fields: { CRM_ID: CRM } })
    const reports: Report[] = []
    for await (const report of eraser.eraseMany(subjects)) reports.push(report)
    // The profile_id subject is not in the store, so r4 is not found: an answer with an error envelope too.
    expect(reports.map((report) => report.outcomes[0]!.status).sort()).toEqual(['deleted', 'deleted', 'deleted', 'not_found'])
    expectClean(reports)
    expectClean(seen)
  })

  it('failure paths where Altcraft echoes the token and the identifier', async () => {
    const { emulator, eraser, seen } = setup({ tokenIn })
    for (const subject of subjects) {
      const value = subject.email ?? subject.phone ?? subject.userId ?? PROFILE
      emulator.failWith(400, `Bad value ${value} for token ${TOKEN}`)
      const report = await eraser.erase(subject)
      expect(report.outcomes[0]!.status).toBe('failed')
      expect(report.outcomes[0]!.error!.message).toContain('***')
      expectClean(report)
    }
    // A phone echoed in another format (+7 999 123-45-67 for +79991234567).
    emulator.failWith(400, 'Bad phone +7 (999) 123-45-67')
    const phone = await eraser.erase({ phone: PHONE })
    expect(phone.outcomes[0]!.error!.message).toMatch(/: Bad phone \+\[id:[0-9a-f]{8}\]$/)
    emulator.inject({ kind: 'server_error', status: 500 }, { times: 2 })
    expectClean(await eraser.erase(subjects[0]!))
    expectClean(seen)
  })

  it('dry run shows redacted requests', async () => {
    const { emulator, eraser } = setup({ tokenIn })
    const report = await eraser.erase({ email: EMAIL }, { dryRun: true })
    expect(emulator.requests).toHaveLength(0)
    expectClean(report)
    const [request] = report.requests!
    expect(request!.url).toBe('https://ru.altkraft.com/api/v1.1/profiles/delete')
    if (tokenIn === 'header') expect(request!.headers.authorization).toBe('Bearer ***')
    else expect(request!.body).toMatchObject({ token: '***' })
    expect((request!.body as { email: string }).email).toMatch(/^\[id:[0-9a-f]{8}\]$/)
  })
})

describe('altcraft redaction over the wire', () => {
  it('an error page quoting the token and the email is redacted', async () => {
    const server = await serve(() =>
      new Response(JSON.stringify({ error: 999, error_text: `token=${TOKEN}&email=${encodeURIComponent(EMAIL)} ${EMAIL}` }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      }),
    )
    try {
      const eraser = createEraser({ providers: [altcraft({ baseURL: server.url, token: TOKEN, dbId: 1 })] })
      const report = await eraser.erase({ email: EMAIL })
      expect(report.outcomes[0]!.error).toMatchObject({ code: 'provider_error', providerCode: '999' })
      expectClean(report)
    } finally {
      await server.close()
    }
  })
})
