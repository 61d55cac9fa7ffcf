/**
 * What the core guarantees whatever a third-party provider or plugin does: bad limits refused at
 * factory time, results that are not results never read as success, the closed error-code set,
 * causes scrubbed, plugins installed whole and synchronously, mistakes named.
 */
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createEraser, defineProvider, ErasureError, headerProblem, headerValue, pathSegment, type Plugin, type ProviderDefinition, type ProviderResult, type Report } from '@erasekit/core'

type Erase = ProviderDefinition['erase']
const provider = (erase: Erase, extra: Partial<ProviderDefinition> = {}) =>
  defineProvider({
    name: 'vendor',
    specificationVersion: 1,
    options: {},
    secrets: ['SECRET-token-1'],
    baseURL: 'https://api.vendor.example',
    match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
    erase,
    ...extra,
  })

const configError = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    expect(ErasureError.isInstance(error) && error.code).toBe('invalid_config')
    return (error as Error).message
  }
  throw new Error('expected an invalid_config error')
}

describe('provider contract, enforced', () => {
  it('refuses limits that could never finish a run, naming the field', () => {
    const erase: Erase = async (ids) => ids.map(() => ({ status: 'deleted' }))
    expect(configError(() => provider(erase, { limits: { batchSize: 0 } }))).toBe('[erasekit] [vendor] limits.batchSize: expected a positive integer')
    expect(configError(() => provider(erase, { limits: { concurrency: 0 } }))).toBe('[erasekit] [vendor] limits.concurrency: expected a positive integer')
    expect(configError(() => provider(erase, { limits: { rate: { requests: 0, perMs: 1000 } } }))).toBe('[erasekit] [vendor] limits.rate.requests: expected a positive integer')
  })

  it('checks its own retry policy, and a user key left undefined keeps the provider\'s (limit 0: never repeated)', async () => {
    const erase: Erase = async (ids) => ids.map(() => ({ status: 'deleted' }))
    expect(configError(() => provider(erase, { retry: { limit: -5 } }))).toBe('[erasekit] [vendor] retry.limit: expected an integer, 0 or more')
    let calls = 0
    const once = defineProvider({
      name: 'once',
      specificationVersion: 1,
      options: { retry: { limit: undefined } },
      baseURL: 'https://api.vendor.example',
      retry: { limit: 0 },
      match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
      erase: async (ids, ctx) => (await ctx.request({ method: 'POST', url: '/delete' }), ids.map(() => ({ status: 'deleted' as const }))),
    })
    const fetch = async () => (calls++, new Response(null, { status: 503 }))
    const { outcomes } = await createEraser({ providers: [once], fetch, retry: { delayMs: 1 } }).erase({ userId: 'u1' })
    expect(outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'provider_unavailable' } })
    expect(calls).toBe(1)
  })

  it('takes its origin from options.baseURL when the definition has none (a self-hosted vendor)', () => {
    const erase: Erase = async (ids) => ids.map(() => ({ status: 'deleted' }))
    const selfHosted = (options: { baseURL?: string }) => defineProvider({ name: 'hosted', specificationVersion: 1, options, match: () => undefined, erase })
    expect(selfHosted({ baseURL: 'https://crm.example.com/' }).baseURL).toBe('https://crm.example.com')
    expect(configError(() => selfHosted({ baseURL: 'crm.example.com' }))).toBe('[erasekit] [hosted] options.baseURL: expected an absolute URL')
  })

  it('without any baseURL (the DESIGN.md contract has none), requests give absolute URLs, held to a baseURL\'s rules', async () => {
    const sent: string[] = []
    const fetch: typeof globalThis.fetch = async (input) => (sent.push(String(input)), Response.json({}))
    const erasing = (url: string) => async (ids: Parameters<Erase>[0], ctx: Parameters<Erase>[1]) => (await ctx.request({ method: 'POST', url, body: {} }), ids.map(() => ({ status: 'deleted' as const })))
    const eraser = (url: string) => createEraser({ providers: [defineProvider({ name: 'mixpanel', specificationVersion: 1, options: { fetch }, match: (subject) => subject.userId && { kind: 'userId', value: subject.userId }, erase: erasing(url) })] })
    expect((await eraser('https://api.mixpanel.example/v1/forget?project=1').erase({ userId: 'u1' })).ok).toBe(true)
    expect(sent).toEqual(['https://api.mixpanel.example/v1/forget?project=1'])
    const refused = async (url: string) => (await eraser(url).erase({ userId: 'u1' })).outcomes[0]!.error
    const required = { code: 'invalid_config', message: '[erasekit] [mixpanel] options.baseURL: required for a relative request URL' }
    // Forms a URL parser reads as absolute, but not as written: never glued onto themselves as a path.
    for (const url of ['/v1/forget', ' https://api.mixpanel.example/v1', 'https:api.mixpanel.example/v1', 'HTTPS:/api.mixpanel.example']) expect(await refused(url)).toMatchObject(required)
    expect(await refused('http://api.mixpanel.example/v1/forget')).toMatchObject({ code: 'invalid_config', message: '[erasekit] [mixpanel] request URL: must use https (http is allowed for loopback hosts only)' })
    expect(await refused('https://user:pw@api.mixpanel.example/v1/forget')).toMatchObject({ code: 'provider_error', message: '[erasekit] [mixpanel] request URL holds credentials' })
    expect((await eraser('http://127.0.0.1:9/v1/forget').erase({ userId: 'u1' })).ok).toBe(true)
    expect(sent).toHaveLength(2)
  })

  it('a result that is not one (unknown status, missing entry, nothing) is a failed outcome, never ok', async () => {
    const results: unknown[][] = [[{ status: 'done' }], [{}], [undefined], [null], [{ status: 'skipped' }]]
    for (const result of results) {
      const eraser = createEraser({ providers: [provider(async () => result as ProviderResult[])] })
      const report = await eraser.erase({ userId: 'user-1' })
      expect(report.ok, JSON.stringify(result)).toBe(false)
      expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'provider_error', retryable: false } })
    }
    // eraseMany: one bad entry in a batch fails that subject only, and the run goes on.
    const batch = provider(async (ids) => ids.map((id) => (id.value === 'user-2' ? (undefined as never) : { status: 'deleted' })), { limits: { batchSize: 10 } })
    const reports = []
    for await (const report of createEraser({ providers: [batch] }).eraseMany([{ userId: 'user-1' }, { userId: 'user-2' }, { userId: 'user-3' }])) reports.push(report)
    expect(reports.map((report) => report.ok)).toEqual([true, false, true])
  })

  it('a batch answered with more or fewer results than identifiers fails whole: which result is whose cannot be known', async () => {
    for (const extra of [1, -1]) {
      const uneven = provider(async (ids) => [...ids, ...ids].slice(0, ids.length + extra).map(() => ({ status: 'deleted' as const })), { limits: { batchSize: 10 } })
      const reports = []
      for await (const report of createEraser({ providers: [uneven] }).eraseMany([{ userId: 'user-1' }, { userId: 'user-2' }], { lingerMs: 50 })) reports.push(report)
      expect(reports.map((report) => report.outcomes[0]!.status), `extra ${extra}`).toEqual(['failed', 'failed'])
      expect(reports[0]!.outcomes[0]!.error).toMatchObject({ code: 'provider_error', retryable: false })
    }
  })

  it('keeps error codes to the closed set at runtime, and scrubs a provider error cause of secrets and identifiers', async () => {
    expect(new ErasureError('quota_exceeded' as never, 'over quota').code).toBe('provider_error')
    const leaky = provider(async () => {
      throw new ErasureError('invalid_request' as const, 'rejected', { cause: { echo: '{"ids":["PLANTED-user-7"]}', auth: 'SECRET-token-1' } })
    })
    const seen: unknown[] = []
    const eraser = createEraser({ providers: [leaky] })
    eraser.hook('outcome', (outcome) => void seen.push(outcome.error))
    const report = await eraser.erase({ userId: 'PLANTED-user-7' })
    expect(report.outcomes[0]!.error!.code).toBe('invalid_request')
    const errors: unknown[] = []
    const withHook = createEraser({
      providers: [
        provider(async (ids, ctx) =>
          ctx.request({ method: 'GET', url: '/x' }, () => {
            throw new ErasureError('invalid_request', 'rejected', { cause: { body: `user ${ids[0]!.value} token SECRET-token-1` } })
          }),
        ),
      ],
      fetch: async () => new Response('{}'),
    })
    withHook.hook('onError', (ctx) => void errors.push(ctx.error))
    await withHook.erase({ userId: 'PLANTED-user-7' })
    const text = inspect(errors, { depth: 5 })
    expect(text).toContain('ErasureError')
    expect(text).not.toContain('PLANTED-user-7')
    expect(text).not.toContain('SECRET-token-1')
  })
})

describe('a provider object in a log', () => {
  it('console.log and JSON.stringify show its secrets as ***, also through a provider that spreads it', async () => {
    const inner = provider(async (ids) => ids.map(() => ({ status: 'deleted' as const })))
    const wrapped = { ...inner, name: 'vendor-eu' }
    for (const shown of [inspect(inner, { depth: 5 }), JSON.stringify(inner), inspect(wrapped), JSON.stringify({ wrapped }), `${inner.secrets}`, String(wrapped.secrets), wrapped.secrets.toLocaleString()]) {
      expect(shown).not.toContain('SECRET-token-1')
      expect(shown).toContain('***')
    }
    // The core still reads the values: the wrapper's requests are redacted.
    const leaky = { ...provider(async (_, ctx) => [await ctx.request({ method: 'GET', url: '/x', headers: { 'x-key': 'SECRET-token-1' } }, () => ({ status: 'deleted' as const }))]), name: 'vendor-eu' }
    const report = await createEraser({ providers: [leaky], fetch: async () => new Response('{}') }).erase({ userId: 'user-1' }, { dryRun: true })
    expect(JSON.stringify(report.requests)).toContain('"x-key":"***"')
  })
})

describe('error messages', () => {
  it('a message written in the documented style ([erasekit] [name] ...) gets its prefix once, with or without the provider', async () => {
    expect(new ErasureError('rate_limited', '[erasekit] [vendor] over quota', { provider: 'vendor' }).message).toBe('[erasekit] [vendor] over quota')
    expect(new ErasureError('rate_limited', '[vendor] over quota', { provider: 'vendor' }).message).toBe('[erasekit] [vendor] over quota')
    expect(new ErasureError('rate_limited', '[erasekit] over quota').message).toBe('[erasekit] over quota')
    // A redaction marker where the name would be is text.
    expect(new ErasureError('invalid_request', '[id] was refused', { provider: 'vendor' }).message).toBe('[erasekit] [vendor] [id] was refused')
    // Thrown by a provider without naming itself: the core names it, once.
    const thrown = [new ErasureError('rate_limited', '[erasekit] [vendor] over quota'), new ErasureError('rate_limited', 'over quota'), new ErasureError('rate_limited', '[erasekit] [id] over quota')]
    const messages = []
    for (const error of thrown) {
      const eraser = createEraser({ providers: [provider(async () => { throw error })] })
      messages.push((await eraser.erase({ userId: 'u1' })).outcomes[0]!.error!.message)
    }
    expect(messages).toEqual(['[erasekit] [vendor] over quota', '[erasekit] [vendor] over quota', '[erasekit] [vendor] [id] over quota'])
  })

  it('an identifier that begins like the prefix is still redacted whole: no text is cut from a message before redaction', async () => {
    const id = '[erasekit] user-12345'
    const messages = []
    for (const options of [{ provider: 'vendor' }, {}]) {
      const eraser = createEraser({ providers: [provider(async (ids) => { throw new ErasureError('invalid_request', `${ids[0]!.value} was refused`, options) })] })
      messages.push((await eraser.erase({ userId: id })).outcomes[0]!.error!.message)
    }
    expect(messages).toEqual([expect.stringMatching(/^\[erasekit\] \[vendor\] \[id:[0-9a-f]{8}\] was refused$/), expect.stringMatching(/^\[erasekit\] \[vendor\] \[id:[0-9a-f]{8}\] was refused$/)])
  })
})

describe('plugins, enforced', () => {
  const ok = provider(async (ids) => ids.map(() => ({ status: 'deleted' })))

  it('a plugin with both setup and hooks gets both', async () => {
    const ran: string[] = []
    const plugin: Plugin = { name: 'both', setup: (eraser) => void eraser.hook('report', () => void ran.push('setup')), hooks: { report: () => void ran.push('hooks') } }
    await createEraser({ providers: [ok], plugins: [plugin] }).erase({ userId: 'u-1' })
    expect(ran.sort()).toEqual(['hooks', 'setup'])
  })

  it('an async setup is refused at once (its failure could never be reported), and cannot crash the process later', async () => {
    const plugin = { name: 'audit-sink', setup: async () => Promise.reject(new Error('audit sink unreachable')) }
    expect(configError(() => createEraser({ providers: [ok], plugins: [plugin] }))).toBe(
      '[erasekit] plugin "audit-sink": setup must be synchronous (register hooks in it; do async work inside the hooks)',
    )
    await new Promise((resolve) => setTimeout(resolve, 10)) // an unhandled rejection would fail the test run
  })

  it('a misspelt hook names the hook and the plugin', () => {
    expect(configError(() => createEraser({ providers: [ok], plugins: [{ name: 'my-metrics', hooks: { onEror: () => {} } as never }] }))).toBe(
      '[erasekit] plugin "my-metrics": hook "onEror": expected one of beforeRequest, afterResponse, onError, retry, outcome, report, progress',
    )
    expect(configError(() => createEraser({ providers: [ok] }).hook('onEror' as never, (() => {}) as never))).toContain('hook "onEror": expected one of')
  })
})

describe('identifiers and vendor text that could break a run or a log', () => {
  it('half a surrogate pair (a string cut mid-emoji): invalid_subject before any request, in another field harmless, every report delivered', async () => {
    const sent: string[][] = []
    const bulk = provider(async (ids) => (sent.push(ids.map((id) => id.value)), ids.map(() => ({ status: 'deleted' }))), { limits: { batchSize: 10 } })
    const eraser = createEraser({ providers: [bulk] })
    const cut = 'bob-😀'.slice(0, -1)
    const reports = []
    for await (const report of eraser.eraseMany([{ userId: 'alice-1' }, { userId: cut }, { userId: 'carol-3', email: `x\uDC00y@example.com` }])) reports.push(report)
    expect(reports).toHaveLength(3)
    expect(sent.flat().sort()).toEqual(['alice-1', 'carol-3'])
    const bad = reports.find((report) => !report.ok)!
    expect(bad.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_subject', message: '[erasekit] [vendor] subject.userId: identifier is not valid Unicode (half of a surrogate pair)' } })
    expect((await eraser.erase({ userId: cut })).outcomes[0]!.error!.code).toBe('invalid_subject')
  })

  it('control characters in a vendor message become spaces: a response cannot forge log lines', async () => {
    const echo = provider(async (_ids, ctx) =>
      ctx.request({ method: 'POST', url: '/delete' }, (response) => {
        throw ctx.responseError(response, { message: 'bad\r\n[erasekit] [vendor] deleted\u001b[2K', providerCode: 'E\n1' })
      }),
    )
    const report = await createEraser({ providers: [echo], fetch: async () => new Response('{}', { status: 400 }) }).erase({ userId: 'user-1' })
    expect(report.outcomes[0]!.error).toMatchObject({ message: '[erasekit] [vendor] HTTP 400 E 1: bad  [erasekit] [vendor] deleted [2K', providerCode: 'E 1' })
  })
})

describe('helpers for identifiers in headers', () => {
  it('headerProblem takes printable ASCII only: runtimes send other characters as different bytes (Latin-1 in Node, Deno, Bun and browsers; UTF-8 in workerd)', () => {
    expect(headerProblem('cust-6_A.b@example.com')).toBeUndefined()
    expect(headerProblem('jos\u00e9')).toBe('identifier has non-ASCII characters, which runtimes send as different bytes in a header')
    expect(headerProblem('\u00ff')).toBeDefined()
    for (const value of ['a\r\nset-cookie: x', 'a\tb', '\u007f', ' 42', '42 ']) expect(headerProblem(value)).toBe('identifier is not a valid HTTP header value')
    expect(headerValue('cust-6', 'vendor')).toBe('cust-6')
    expect(() => headerValue('jos\u00e9', 'vendor')).toThrow(expect.objectContaining({ code: 'invalid_subject', provider: 'vendor' }))
  })

  it('pathSegment percent-encodes one segment and refuses . and .. (URL parsers resolve them, even encoded)', () => {
    expect(pathSegment('a/b?c#d e', 'vendor')).toBe('a%2Fb%3Fc%23d%20e')
    for (const value of ['.', '..']) expect(() => pathSegment(value, 'vendor')).toThrow(expect.objectContaining({ code: 'invalid_subject', message: '[erasekit] [vendor] identifier cannot be a path segment' }))
    expect(pathSegment('...', 'vendor')).toBe('...')
  })
})

describe('limits per provider object', () => {
  /** The most requests in flight while two erasers run at once, each on the provider object `build` gives it. */
  async function peakOf(build: (erase: Erase) => ReturnType<typeof provider>[]) {
    let inFlight = 0
    let peak = 0
    const erase: Erase = async (ids) => {
      peak = Math.max(peak, ++inFlight)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight--
      return ids.map(() => ({ status: 'deleted' as const }))
    }
    const subjects = (prefix: string) => Array.from({ length: 12 }, (_, i) => ({ userId: `${prefix}-${i}` }))
    const drain = async (iterable: AsyncIterable<unknown>) => {
      for await (const _ of iterable) void _
    }
    await Promise.all(build(erase).map((one, i) => drain(createEraser({ providers: [one] }).eraseMany(subjects(`e${i}`)))))
    return peak
  }
  const limits = { concurrency: 3 }

  it('two erasers built on one provider share its concurrency cap (one vendor account, one cap)', async () => {
    expect(await peakOf((erase) => {
      const one = provider(erase, { limits })
      return [one, one]
    })).toBe(3)
  })

  it('another provider object has a cap of its own, even for the same account: a Worker request never waits on another request', async () => {
    expect(await peakOf((erase) => [provider(erase, { limits }), provider(erase, { limits })])).toBe(6)
  })
})

describe('batches', () => {
  it('an identifier listed twice in a batch is sent once; each subject gets its result', async () => {
    const sent: string[][] = []
    const bulk = provider(async (ids) => (sent.push(ids.map((id) => id.value)), ids.map((id) => ({ status: 'accepted' as const, requestId: id.value === 'alice-1' ? 'token-A' : 'token-B' }))), { limits: { batchSize: 10 } })
    const reports: Report[] = []
    for await (const report of createEraser({ providers: [bulk] }).eraseMany([{ ref: 'a', userId: 'alice-1' }, { ref: 'b', userId: 'bob-2' }, { ref: 'c', userId: 'alice-1' }])) reports.push(report)
    expect(sent).toEqual([['alice-1', 'bob-2']])
    const outcome = (ref: string) => reports.find((report) => report.subjectRef === ref)!.outcomes[0]!
    expect(['a', 'b', 'c'].map((ref) => [outcome(ref).status, outcome(ref).requestId])).toEqual([['accepted', 'token-A'], ['accepted', 'token-B'], ['accepted', 'token-A']])
    expect(outcome('c').identifier).toEqual(outcome('a').identifier)
  })
})
