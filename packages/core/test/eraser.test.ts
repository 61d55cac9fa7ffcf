import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEraser, createMemoryJournal, definePlugin, defineProvider, ErasureError, hashIdentifier, type Outcome, type Report, type RequestContext, type RequestSpec, type Subject } from '@erasekit/core'
import { demo, scriptedServer } from './helpers'

let server: Awaited<ReturnType<typeof scriptedServer>>
beforeEach(async () => {
  server = await scriptedServer()
})
afterEach(() => server.close())

async function collectReports(iterable: AsyncIterable<Report>) {
  const reports: Report[] = []
  for await (const report of iterable) reports.push(report)
  return reports
}

const catchError = (fn: () => unknown): ErasureError => {
  try {
    fn()
  } catch (error) {
    if (ErasureError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected an ErasureError')
}

describe('hooks and plugins', () => {
  it('runs hooks in order on a mutable context, awaiting each', async () => {
    server.reply((_, n) => (n === 1 ? new Response('{}', { status: 503 }) : Response.json({ requestId: 'r' })))
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    const order: string[] = []
    eraser.hook('beforeRequest', async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      order.push(`before#${ctx.attempt}`)
      ctx.request.headers.set('x-trace', `t${ctx.attempt}`)
    })
    eraser.hook('afterResponse', (ctx) => void order.push(`after#${ctx.attempt}:${ctx.response?.status}`))
    eraser.hook('onError', (ctx) => void order.push(`error#${ctx.attempt}:${ctx.error?.code}`))
    eraser.hook('retry', (ctx) => {
      order.push(`retry#${ctx.attempt}`)
      ctx.delayMs = 0
    })
    eraser.hook('outcome', (outcome) => void order.push(`outcome:${outcome.status}`))
    eraser.hook('report', (report) => void order.push(`report:${report.ok}`))
    await eraser.erase({ userId: 'u1' })
    expect(order).toEqual(['before#1', 'after#1:503', 'error#1:provider_unavailable', 'retry#1', 'before#2', 'after#2:200', 'outcome:deleted', 'report:true'])
    expect(server.hits.map((hit) => hit.headers['x-trace'])).toEqual(['t1', 't2'])
  })

  it('lets beforeRequest rewrite the body and onError stop retries', async () => {
    server.reply(() => new Response('{}', { status: 503 }))
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    eraser.hook('beforeRequest', (ctx) => {
      ctx.request.body = { ids: ['rewritten'] }
    })
    eraser.hook('onError', (ctx) => {
      ctx.retry = false
    })
    const report = await eraser.erase({ userId: 'u1' })
    expect(server.hits).toHaveLength(1)
    expect(server.hits[0]!.body).toEqual({ ids: ['rewritten'] })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 1 })
  })

  it('lets the retry hook veto a retry', async () => {
    server.reply(() => new Response('{}', { status: 429 }))
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    eraser.hook('retry', (ctx) => {
      ctx.retry = false
    })
    expect((await eraser.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'rate_limited' } })
  })

  it('reports an error thrown inside a request hook on the outcome', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    eraser.hook('beforeRequest', () => {
      throw new Error('signing key missing')
    })
    const report = await eraser.erase({ userId: 'u1' })
    expect(server.hits).toHaveLength(0)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'provider_error' } })
    expect(report.outcomes[0]!.error!.message).toContain('signing key missing')
  })

  it('surfaces an error thrown by an observer hook to the caller', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    eraser.hook('outcome', () => {
      throw new Error('audit sink down')
    })
    await expect(eraser.erase({ userId: 'u1' })).rejects.toThrow('audit sink down')
  })

  it('after an abort, an observer hook that never settles holds erase() at most about a second (as in eraseMany)', async () => {
    for (const name of ['outcome', 'report'] as const) {
      const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
      const controller = new AbortController()
      eraser.hook(name, () => {
        setTimeout(() => controller.abort(), 20)
        return new Promise(() => {})
      })
      const started = Date.now()
      const report = await eraser.erase({ userId: 'u1' }, { signal: controller.signal })
      // The erasure itself had finished: the report says what happened, not the abort.
      expect(report.outcomes[0]).toMatchObject({ status: 'deleted' })
      expect(Date.now() - started).toBeLessThan(5_000)
    }
  })

  it('registers plugins of both shapes; unregister removes a hook', async () => {
    const seen: string[] = []
    const withSetup = definePlugin({ name: 'a', setup: (eraser) => void eraser.hook('outcome', (o: Outcome) => void seen.push(`a:${o.status}`)) })
    const withHooks = definePlugin({ name: 'b', hooks: { beforeRequest: (ctx: RequestContext) => void seen.push(`b:${ctx.request.method}`) } })
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })], plugins: [withSetup, withHooks] })
    const off = eraser.hook('report', () => void seen.push('report'))
    await eraser.erase({ userId: 'u1' })
    off()
    await eraser.erase({ userId: 'u2' })
    expect(seen).toEqual(['b:POST', 'a:deleted', 'report', 'b:POST', 'a:deleted'])
  })

  it("a request hook's failure names the plugin it came from (both shapes, thrown or rejected); the error itself is the hook's", async () => {
    const errors: unknown[] = []
    const thrown = new TypeError('cannot read the sink for u1')
    const plugins = [
      definePlugin({ name: 'audit-sink', hooks: { beforeRequest: () => { throw thrown } } }),
      definePlugin({ name: 'metrics', setup: (eraser) => void eraser.hook('afterResponse', async () => Promise.reject(new Error('push failed'))) }),
    ]
    const outcome = async (plugin: (typeof plugins)[number]) => {
      const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })], plugins: [plugin] })
      eraser.hook('onError', (ctx) => void errors.push(ctx.error?.cause))
      return (await eraser.erase({ userId: 'u1' })).outcomes[0]!
    }
    const before = await outcome(plugins[0]!)
    expect(before).toMatchObject({ status: 'failed', error: { code: 'provider_error', retryable: false } })
    expect(before.error!.message).toMatch(/beforeRequest hook failed \(plugin "audit-sink"\): cannot read the sink for \[id:[\da-f]{8}\]$/)
    expect((await outcome(plugins[1]!)).error!.message).toMatch(/afterResponse hook failed \(plugin "metrics"\): push failed$/)
    // The cause is the hook's own error (redacted): the name is kept on the side, not written into it.
    expect(errors[0]).toMatchObject({ name: 'TypeError', message: expect.stringMatching(/^cannot read the sink for \[id:/) })
    expect(thrown.message).toBe('cannot read the sink for u1')
    // A hook registered on the eraser itself belongs to no plugin: the message is as before.
    const direct = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })], plugins: [plugins[1]!] })
    direct.hook('beforeRequest', () => {
      throw new Error('direct')
    })
    expect((await direct.erase({ userId: 'u1' })).outcomes[0]!.error!.message).toMatch(/beforeRequest hook failed: direct$/)
  })

  it('one error object thrown by several plugins and a direct hook (a cached sink error): each failure names whoever threw it', async () => {
    const closed = new Error('sink closed')
    const failing = (name: string) => definePlugin({ name, hooks: { beforeRequest: () => { throw closed } } })
    const messageOf = async (plugins: ReturnType<typeof failing>[], direct = false) => {
      const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })], plugins })
      if (direct) eraser.hook('beforeRequest', () => { throw closed })
      return (await eraser.erase({ userId: 'u1' })).outcomes[0]!.error!.message
    }
    expect(await messageOf([failing('audit-a')])).toMatch(/beforeRequest hook failed \(plugin "audit-a"\): sink closed$/)
    expect(await messageOf([failing('metrics-b')])).toMatch(/beforeRequest hook failed \(plugin "metrics-b"\): sink closed$/)
    expect(await messageOf([], true)).toMatch(/beforeRequest hook failed: sink closed$/)
  })

  it('redacts the receiptSalt like a secret, in an outcome a hook error fails', async () => {
    const receiptSalt = 'pepper-Salt-9876'
    const eraser = createEraser({ receiptSalt, providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    eraser.hook('beforeRequest', () => {
      throw new Error(`config ${receiptSalt}`)
    })
    const report = await eraser.erase({ userId: 'u1' })
    expect(report.outcomes[0]!.error!.message).toMatch(/config \*\*\*$/)
    expect(JSON.stringify(report)).not.toContain(receiptSalt)
  })

  it("a provider's own fetch and timeout win over the eraser's (those are for providers given none)", async () => {
    const used: string[] = []
    const answer = (who: string) => async () => (used.push(who), Response.json({ requestId: who }))
    const eraser = createEraser({ fetch: answer('eraser'), providers: [demo({ token: 'tok_abcdef', baseURL: server.url, fetch: answer('provider') })] })
    await eraser.erase({ userId: 'u1' })
    expect(used).toEqual(['provider'])
    // A fetch that never answers: the provider's 50 ms ends the attempt, not the eraser's 60 s.
    const hang = (_: unknown, init?: RequestInit) => new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))
    const slow = createEraser({ timeout: 60_000, retry: { limit: 0 }, providers: [demo({ token: 'tok_abcdef', baseURL: server.url, timeout: 50, fetch: hang as never })] })
    expect((await slow.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'timeout' } })
  })

  it("a plugin's setup receives the eraser (providers, erase, eraseMany, hook)", () => {
    let seen: unknown
    createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })], plugins: [definePlugin({ name: 'p', setup: (eraser) => void (seen = eraser) })] })
    expect(seen).toMatchObject({ providers: ['demo'], erase: expect.any(Function), eraseMany: expect.any(Function), hook: expect.any(Function) })
  })
})

describe('validation', () => {
  it('names the field of a bad provider option and never echoes its value', () => {
    const error = catchError(() => demo({ token: 'tok_abcdef', baseURL: 'ftp://secret-host.example' }))
    expect(error.code).toBe('invalid_config')
    expect(error.message).toContain('options.baseURL')
    expect(error.message).not.toContain('secret-host')
    expect(catchError(() => demo({ token: 'tok_abcdef', timeout: -5 })).message).toMatch(/\[demo\] options\.timeout: expected a positive/)
    expect(catchError(() => demo({ token: 'tok_abcdef', retry: { limit: 'x' as never } })).message).toContain('options.retry.limit')
    expect(catchError(() => demo({ token: 'tok_abcdef', limits: { batchSize: 0 } })).message).toContain('options.limits.batchSize')
  })

  it('refuses a batchSize above what the provider erases in one call (default: its own batchSize)', () => {
    // demo declares batchSize 1 and no maxBatchSize: erase() would get identifiers it never sends.
    expect(catchError(() => demo({ token: 'tok_abcdef', limits: { batchSize: 2 } })).message).toBe('[erasekit] [demo] options.limits.batchSize: expected at most 1')
    const capped = (limits: { batchSize: number }) =>
      defineProvider({ name: 'capped', specificationVersion: 1, options: { limits }, baseURL: 'https://x.example', limits: { batchSize: 10 }, maxBatchSize: 50, match: () => undefined, erase: async () => [] })
    expect(capped({ batchSize: 50 }).limits.batchSize).toBe(50)
    expect(catchError(() => capped({ batchSize: 51 })).message).toContain('options.limits.batchSize: expected at most 50')
    // A key left undefined keeps the value below it (the provider's, then the core default).
    expect(capped({ batchSize: undefined as never }).limits).toMatchObject({ batchSize: 10, concurrency: 8 })
    const loose = defineProvider({ name: 'loose', specificationVersion: 1, options: {}, baseURL: 'https://x.example', limits: { batchSize: undefined, concurrency: undefined }, match: () => undefined, erase: async () => [] })
    expect(loose.limits).toMatchObject({ batchSize: 1, concurrency: 8 })
  })

  it('refuses http: base URLs except loopback', () => {
    expect(catchError(() => demo({ token: 'tok_abcdef', baseURL: 'http://api.example.com' })).message).toMatch(/https/)
    for (const url of ['http://localhost:1', 'http://127.0.0.1:2', 'http://[::1]:3', 'http://localhost.:4', 'http://[::ffff:127.0.0.1]:5', 'http://[::ffff:7f01:203]:6']) {
      expect(demo({ token: 'tok_abcdef', baseURL: url }).baseURL).toBe(url)
    }
    // Not loopback: another IPv4-mapped address, the deprecated IPv4-compatible form, a name under localhost.
    for (const url of ['http://[::ffff:10.0.0.1]:7', 'http://[::127.0.0.1]:8', 'http://localhost.example:9', 'http://api.localhost:10']) {
      expect(catchError(() => demo({ token: 'tok_abcdef', baseURL: url })).message).toMatch(/must use https/)
    }
  })

  it('names the field of a bad eraser option', () => {
    expect(catchError(() => createEraser({ providers: [] })).message).toContain('options.providers')
    expect(catchError(() => createEraser({ providers: [demo({ token: 'tok_abcdef' })], timeout: 0 })).message).toContain('options.timeout')
    expect(catchError(() => createEraser({ providers: [demo({ token: 'tok_abcdef' })], retry: { limit: 'x' as never } })).message).toContain('options.retry.limit')
    const twice = catchError(() => createEraser({ providers: [demo({ token: 'tok_abcdef' }), demo({ token: 'tok_abcdef' })] }))
    expect(twice.message).toContain('configured twice')
  })

  it('rejects a malformed subject before any request, naming the field', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    await expect(eraser.erase({ userId: 42 } as never)).rejects.toMatchObject({ code: 'invalid_subject', message: expect.stringContaining('subject.userId') })
    await expect(eraser.erase({ email: '' })).rejects.toMatchObject({ message: expect.stringContaining('subject.email') })
    await expect(eraser.erase({ ids: { demo: 7 } } as never)).rejects.toMatchObject({ message: expect.stringContaining('subject.ids.demo') })
    await expect(eraser.erase('u1' as never)).rejects.toMatchObject({ code: 'invalid_subject' })
    expect(server.hits).toHaveLength(0)
  })

  it('refuses a Promise (a forgotten await), a Map or a Response as a subject: none of them would erase anything, yet report ok', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    const promise = Promise.resolve({ userId: 'u1' })
    await expect(eraser.erase(promise as never)).rejects.toMatchObject({ code: 'invalid_subject', message: '[erasekit] subject: expected an object of subject fields, got a Promise: await it first' })
    for (const subject of [new Map([['userId', 'u1']]), Response.json({ userId: 'u1' }), new Date(), { [Symbol.toStringTag]: 'alice@example.com', __proto__: { x: 1 } }]) {
      await expect(eraser.erase(subject as never)).rejects.toMatchObject({ message: '[erasekit] subject: expected an object of subject fields, got a non-plain object without any (a Map, a Date…)' })
    }
    // One that throws when looked at says so, without its text.
    const thrower = () => {
      throw new Error('alice@example.com')
    }
    // A thrown value that throws when looked at, or an ErasureError carrying the raw text: never shown either.
    const trap = new Proxy({}, { has: thrower, getPrototypeOf: thrower })
    const raw = new ErasureError('network', 'alice@example.com')
    const getters = [trap, raw].map((thrown) => ({
      get userId(): string {
        throw thrown
      },
    }))
    for (const hostile of [new Proxy({}, { getPrototypeOf: thrower }), new Proxy({}, { ownKeys: thrower }), { get userId() { return thrower() } }, ...getters]) {
      await expect(eraser.erase(hostile as never)).rejects.toMatchObject({ code: 'invalid_subject', message: '[erasekit] subject: could not be read' })
      const [report] = await collectReports(eraser.eraseMany([hostile] as never))
      expect(report!.outcomes[0]!.error).toEqual({ code: 'invalid_subject', message: '[erasekit] subject: could not be read', retryable: false })
    }
    const [report] = await collectReports(eraser.eraseMany([promise] as never))
    expect(report!.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_subject' } })
    expect(server.hits).toHaveLength(0)
    // A class instance that has the fields (a database driver's row) is read as it is.
    class Row {
      constructor(readonly userId: string) {}
    }
    expect((await eraser.erase(new Row('u1'))).ok).toBe(true)
    expect(server.hits).toHaveLength(1)
  })

  it('refuses an unknown subject field (a misspelt userId would erase nothing and report ok)', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    await expect(eraser.erase({ userID: 'u1' } as never)).rejects.toMatchObject({ code: 'invalid_subject', message: '[erasekit] subject.userID: unknown field (expected ref, userId, email, phone or ids)' })
    // A key that is not a field name is not echoed: it may be the identifier itself.
    // The keys of ids are open: one is named only when it is a plain name.
    await expect(eraser.erase({ userId: 'u1', ids: { 'jane@example.com': '' } } as never)).rejects.toMatchObject({ message: expect.stringMatching(/^\[erasekit\] subject\.ids: /) })
    const error = await eraser.erase({ userId: 'u1', 'jane@example.com': true } as never).catch((caught: ErasureError) => caught)
    expect(error).toMatchObject({ code: 'invalid_subject', message: '[erasekit] subject: unknown field (expected ref, userId, email, phone or ids)' })
    // Nor one shaped like a field name but far from every field: a map keyed by user id.
    for (const key of ['u_4711', 'cust_48213', 'jane_smith_home', 'emily', 'email\n']) {
      await expect(eraser.erase({ userId: 'u1', [key]: true } as never)).rejects.toMatchObject({ message: '[erasekit] subject: unknown field (expected ref, userId, email, phone or ids)' })
    }
    // An unknown key left undefined carries nothing to lose.
    expect((await eraser.erase({ userId: 'u1', userID: undefined } as never)).ok).toBe(true)
    const [report] = await collectReports(eraser.eraseMany([{ ref: 'r1', userID: 'u1' }] as never))
    expect(report!.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_subject' } })
    expect(server.hits).toHaveLength(1)
  })

  it('refuses a ref that holds one of the subject identifiers (a ref goes into every receipt as it is)', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    const message = '[erasekit] subject.ref: holds an identifier of the subject; receipts show refs as they are'
    for (const subject of [
      { ref: 'jane@example.com', email: 'jane@example.com' },
      { ref: 'JANE@Example.com', userId: 'u1', email: 'jane@example.com' },
      { ref: 'dsr-jane@example.com', email: 'jane@example.com' },
      { ref: 'ticket for +79001234567', phone: '+79001234567' },
      { ref: '79001234567', phone: '79001234567' },
      { ref: 'adapty cust-4711', ids: { adapty: 'cust-4711' } },
      { ref: '42', userId: '42' },
      { ref: '79001234567', phone: '+79001234567' },
      { ref: '+7 (900) 123-45-67', phone: '+79001234567' },
      { ref: 'dsr 79001234567', phone: '+79001234567' },
      { ref: 'call +7 900 123-45-67', phone: '+79001234567' },
      { ref: 'call 8 900 123 45 67', phone: '+79001234567' },
      { ref: 'dsr 9001234567', phone: '+79001234567' },
      { ref: 'tg-123456789', userId: '123456789' },
      { ref: 'refund u_12345', userId: 'u_12345' },
    ]) {
      await expect(eraser.erase(subject), subject.ref).rejects.toMatchObject({ code: 'invalid_subject', message })
    }
    // A short or numeric id inside a longer ref is a coincidence more often than not: dsr-42 for
    // user 42, a line number, a hash (erasekit run's refs end with one).
    for (const [ref, userId] of [['dsr-42', '42'], ['line:1234567', '1234567'], ['dsr-1~2587231992fd5d38', '231992'], ['dsr-1~a1b2c3d4e5f60718', 'a1b2c3'], ['ticket 7900 123', '+79001234567']]) {
      expect((await eraser.erase(userId!.startsWith('+') ? { ref: ref!, phone: userId! } : { ref: ref!, userId: userId! })).ok, ref).toBe(true)
    }
    // In a run: failed as invalid_subject, reported under the run's own ref, the raw one nowhere.
    const reports = await collectReports(eraser.eraseMany([{ userId: 'u2' }, { ref: 'jane@example.com', email: 'jane@example.com' }]))
    const refused = reports.find((report) => !report.ok)!
    expect(refused).toMatchObject({ subjectRef: '#2', outcomes: [{ status: 'failed', error: { code: 'invalid_subject', message } }] })
    expect(JSON.stringify(reports)).not.toContain('jane')
    // A subject refused for a field of the wrong type keeps its ref in its report.
    const [typed] = await collectReports(eraser.eraseMany([{ ref: 'dsr-1', userId: 42 }] as never))
    expect(typed).toMatchObject({ subjectRef: 'dsr-1', outcomes: [{ status: 'failed', error: { code: 'invalid_subject' } }] })
    // The demo provider uses userId only: the phone-only subject sent nothing.
    expect(server.hits).toHaveLength(5)
  })

  it('refuses "null", "undefined", "None", "NaN" and "[object Object]" as identifiers: a missing value turned to text', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    for (const userId of ['null', 'undefined', 'NULL', 'NaN', '[object Object]', 'None']) {
      const report = await eraser.erase({ userId })
      expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_subject', message: '[erasekit] [demo] subject.userId: identifier is a missing value written as text (a bug upstream)' } })
    }
    // Only the whole value: a name that contains one is a name.
    expect((await eraser.erase({ userId: 'nullable-nancy' })).ok).toBe(true)
    expect(server.hits).toHaveLength(1)
  })

  it('checks eraseMany() input and options, and erase() options, before anything is read or sent', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    for (const input of [5, null, {}, 'u1'] as never[]) {
      expect(catchError(() => eraser.eraseMany(input)).message).toBe('[erasekit] subjects: expected an Iterable or AsyncIterable of subjects')
    }
    let read = 0
    const counted = (function* () {
      read++
      yield { userId: 'u1' }
    })()
    expect(catchError(() => eraser.eraseMany(counted, { window: 'x' as never })).message).toContain('options.window: expected a positive integer')
    expect(catchError(() => eraser.eraseMany(counted, { journal: {} as never })).message).toContain('options.journal: expected a Journal')
    expect(catchError(() => eraser.eraseMany(counted, { onProgress: 1 as never })).message).toContain('options.onProgress')
    expect(catchError(() => eraser.eraseMany(counted, { signal: 'x' as never })).message).toContain('options.signal: expected an AbortSignal')
    await expect(eraser.erase({ userId: 'u1' }, { signal: 'x' as never })).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringContaining('options.signal') })
    await expect(eraser.erase({ userId: 'u1' }, { dryRun: 'yes' as never })).rejects.toMatchObject({ message: expect.stringContaining('options.dryRun') })
    expect(read).toBe(0)
    expect(server.hits).toHaveLength(0)
  })

  it('never echoes a value a third-party schema quotes in its message', () => {
    // valibot's wording: "Invalid type: Expected string but received 123456789".
    const quoting = {
      '~standard': {
        version: 1 as const,
        vendor: 'quoting',
        validate: (input: unknown) => ({ issues: [{ message: `Invalid type: Expected string but received ${JSON.stringify((input as { token: unknown }).token)}`, path: [{ key: 'token' }] }] }),
      },
    }
    for (const token of [123456789, 'SECRET_TYPO_VALUE']) {
      const error = catchError(() => defineProvider({ name: 'q', specificationVersion: 1, options: { token } as never, schema: quoting, baseURL: 'https://q.example', match: () => undefined, erase: async () => [] }))
      expect(error.message).toBe('[erasekit] [q] options.token: Invalid type: Expected string')
    }
  })

  it('never echoes a value a third-party schema quotes in other words ("token tok-… is not valid")', () => {
    const quoting = {
      '~standard': { version: 1 as const, vendor: 'custom', validate: (input: unknown) => ({ issues: [{ message: `token ${(input as { token: string }).token} is not valid`, path: ['token'] }] }) },
    }
    const error = catchError(() => defineProvider({ name: 'q', specificationVersion: 1, options: { token: 'tok-SUPERSECRET' } as never, schema: quoting, baseURL: 'https://q.example', match: () => undefined, erase: async () => [] }))
    expect(error.message).toBe('[erasekit] [q] options.token: token *** is not valid')
  })

  it.each(['evil\r\nx-injected: 1', 'nul\u0000', 'del\u007f', 'nel\u0085line', 'csi\u009b', 'ls\u2028'])('fails an identifier with control characters (%j) as invalid_subject and sends nothing', async (userId) => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    const report = await eraser.erase({ userId })
    expect(server.hits).toHaveLength(0)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_subject', message: '[erasekit] [demo] subject.userId: identifier contains control characters' } })
  })

  it.each([' cust-6', 'cust-6 ', '\u00a0cust-6'])('fails an identifier with surrounding whitespace (%j), another id to a vendor, as invalid_subject and sends nothing', async (userId) => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    const report = await eraser.erase({ userId })
    expect(server.hits).toHaveLength(0)
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'invalid_subject', message: '[erasekit] [demo] subject.userId: identifier starts or ends with whitespace' } })
  })

  it('names the subject field a refused identifier came from, never a value or an odd ids key', async () => {
    const fromField = (match: (subject: Subject) => string | undefined) =>
      defineProvider({
        name: 'picky',
        specificationVersion: 1,
        options: {},
        baseURL: server.url,
        match: (subject) => {
          const value = match(subject)
          return value === undefined ? undefined : { kind: 'id', value }
        },
        erase: async (identifiers) => identifiers.map(() => ({ status: 'deleted' as const })),
      })
    const message = async (match: (subject: Subject) => string | undefined, subject: Subject) =>
      (await createEraser({ providers: [fromField(match)] }).erase(subject)).outcomes[0]!.error?.message
    const bad = 'x\u0000y'
    expect(await message((s) => s.email, { userId: 'u1', email: bad })).toBe('[erasekit] [picky] subject.email: identifier contains control characters')
    expect(await message((s) => s.phone, { phone: bad })).toBe('[erasekit] [picky] subject.phone: identifier contains control characters')
    expect(await message((s) => s.ids?.picky, { ids: { other: 'fine', picky: bad } })).toBe('[erasekit] [picky] subject.ids.picky: identifier contains control characters')
    // A value the provider derived (no field holds it), or an ids key that is no name: the problem alone.
    expect(await message((s) => `${s.userId}\u0000`, { userId: 'u1' })).toBe('[erasekit] [picky] identifier contains control characters')
    expect(await message((s) => s.ids?.['a b'], { ids: { 'a b': bad } })).toBe('[erasekit] [picky] identifier contains control characters')
    expect(server.hits).toHaveLength(0)
  })

  it("fails an identifier the provider's check refuses, with its hash, and never calls erase", async () => {
    let erased = 0
    const picky = defineProvider({
      name: 'picky',
      specificationVersion: 1,
      options: {},
      baseURL: server.url,
      limits: { batchSize: 10 },
      match: (subject) => subject.userId && { kind: 'userId', value: subject.userId },
      check: ({ value }) => (value.startsWith('bad') ? 'userId is not a picky id' : undefined),
      erase: async (identifiers) => identifiers.map(() => (erased++, { status: 'deleted' as const })),
    })
    const eraser = createEraser({ providers: [picky] })
    const single = await eraser.erase({ userId: 'bad-1' })
    expect(single.outcomes[0]).toEqual(expect.objectContaining({
      status: 'failed',
      attempts: 0,
      identifier: { kind: 'userId', hash: await sha256Hex('bad-1') },
      error: { code: 'invalid_subject', message: '[erasekit] [picky] subject.userId: userId is not a picky id', retryable: false },
    }))
    const reports = await collectReports(eraser.eraseMany([{ userId: 'bad-2' }, { userId: 'good-1' }]))
    expect(reports.map((report) => report.outcomes[0]!.status).sort()).toEqual(['deleted', 'failed'])
    expect(erased).toBe(1)
  })

  it('reports skipped when a provider has no identifier it can use', async () => {
    const report = await createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] }).erase({ email: 'a@example.com' })
    expect(report.ok).toBe(true)
    expect(report.outcomes[0]).toMatchObject({ status: 'skipped', reason: 'no_identifier', attempts: 0 })
    expect(report.outcomes[0]!.identifier).toBeUndefined()
  })

  it('rejects providers of an unknown specification version with a clear message', () => {
    const provider = { ...demo({ token: 'tok_abcdef' }), specificationVersion: 2 }
    expect(catchError(() => createEraser({ providers: [provider] })).message).toMatch(/specificationVersion 2.*implements provider specification 1/)
    const unversioned = { ...demo({ token: 'tok_abcdef' }), specificationVersion: undefined as never }
    expect(catchError(() => createEraser({ providers: [unversioned] })).message).toMatch(/no specificationVersion/)
    expect(() => defineProvider({ name: 'x', specificationVersion: 0 } as never)).toThrow(/specification/)
  })
})

describe('receipts, dry run and redaction', () => {
  it('hashes identifiers with SHA-256, salted when receiptSalt is given', async () => {
    const plain = await createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] }).erase({ userId: 'user-1' })
    expect(plain.outcomes[0]!.identifier).toEqual({ kind: 'userId', hash: await sha256Hex('user-1') })
    expect(await hashIdentifier('user-1')).toBe(await sha256Hex('user-1'))
    const salted = await createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })], receiptSalt: 'pepper-123' }).erase({ userId: 'user-1' })
    expect(salted.outcomes[0]!.identifier!.hash).toBe(await sha256Hex('pepper-123user-1'))
  })

  it('stamps each outcome with the ISO time it settled, whatever the clock says', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    const clock = vi.spyOn(Date, 'now')
    // Milliseconds in a second seen before, the next second, and years whose ISO form is not 24 characters.
    for (const ms of [Date.UTC(2026, 10, 23, 8, 59, 59, 7), Date.UTC(2026, 10, 23, 8, 59, 59, 998), Date.UTC(2026, 10, 23, 9, 0, 0, 0), Date.UTC(1960, 0, 1, 0, 0, 0, 250), Date.UTC(10000, 0, 1)]) {
      clock.mockReturnValue(ms)
      const [outcome] = (await eraser.erase({ userId: 'user-1' })).outcomes
      expect(outcome!.at).toBe(new Date(ms).toISOString())
    }
    clock.mockRestore()
  })

  it('dry run builds the exact requests, redacted, and sends nothing', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    const report = await eraser.erase({ ref: 'case-9', userId: 'user-1' }, { dryRun: true })
    expect(server.hits).toHaveLength(0)
    const hash = await sha256Hex('user-1')
    expect(report).toMatchObject({ subjectRef: 'case-9', ok: true, dryRun: true })
    expect(report.outcomes[0]).toMatchObject({ status: 'skipped', reason: 'dry_run', identifier: { kind: 'userId', hash } })
    expect(report.requests).toEqual([
      {
        provider: 'demo',
        method: 'POST',
        url: `${server.url}/users/delete`,
        headers: { authorization: 'Bearer ***', 'content-type': 'application/json' },
        body: { ids: [`[id:${hash.slice(0, 8)}]`] },
      },
    ])
  })

  /** A provider on the scripted server that sends `spec` and reports deleted. */
  const sending = (spec: RequestSpec) =>
    defineProvider({
      name: 'sending',
      specificationVersion: 1,
      options: {},
      baseURL: server.url,
      match: (subject) => subject.userId && { kind: 'userId', value: subject.userId },
      erase: async (identifiers, ctx) => {
        await ctx.request(spec)
        return identifiers.map(() => ({ status: 'deleted' as const }))
      },
    })

  it('shows only the scheme of credential headers in plans, whatever their encoding (Basic is base64)', async () => {
    const basic = sending({ method: 'DELETE', url: '/u', headers: { authorization: `Basic ${btoa('account:KEY_PLANTED')}`, cookie: 'session=PLANTED; lang=en', 'proxy-authorization': 'PLANTED' } })
    const report = await createEraser({ providers: [basic] }).erase({ userId: 'u1' }, { dryRun: true })
    expect(report.requests![0]!.headers).toEqual({ authorization: 'Basic ***', cookie: '***', 'proxy-authorization': '***' })
    // A credential where the scheme would be is still a secret.
    const schemeless = sending({ method: 'DELETE', url: '/u', headers: { authorization: 'sess_PLANTED_9f8e v2' } })
    const plan = await createEraser({ providers: [schemeless], secrets: ['sess_PLANTED_9f8e'] }).erase({ userId: 'u1' }, { dryRun: true })
    expect(plan.requests![0]!.headers.authorization).toBe('*** ***')
  })

  /** A provider sending its two requests at once, as Promise.all does. */
  const twoAtOnce = () =>
    defineProvider({
      name: 'two',
      specificationVersion: 1,
      options: {},
      baseURL: server.url,
      match: (subject) => subject.userId && { kind: 'userId', value: subject.userId },
      erase: async (identifiers, ctx) => {
        await Promise.all(['/profile', '/events'].map((url) => ctx.request({ method: 'DELETE', url })))
        return identifiers.map(() => ({ status: 'deleted' as const }))
      },
    })

  it('a dry run plans every request a provider sends in parallel, even when a hook makes the first plan settle early', async () => {
    const eraser = createEraser({ providers: [twoAtOnce()] })
    eraser.hook('beforeRequest', (ctx) => new Promise((resolve) => setTimeout(resolve, ctx.request.url.endsWith('/profile') ? 1 : 30)))
    const report = await eraser.erase({ userId: 'alice' }, { dryRun: true })
    expect(report.requests!.map((request) => new URL(request.url).pathname).sort()).toEqual(['/events', '/profile'])
    expect(report.outcomes[0]).toMatchObject({ status: 'skipped', reason: 'dry_run' })
    expect(server.hits).toHaveLength(0)
  })

  it('a dry run still ends when a hook holds a parallel request until a response that a dry run never gets', async () => {
    const eraser = createEraser({ providers: [twoAtOnce()] })
    // A lock: taken before each request, given back on its response or error.
    let tail = Promise.resolve()
    let release = () => {}
    eraser.hook('beforeRequest', async () => {
      const previous = tail
      tail = new Promise((resolve) => (release = resolve))
      await previous
    })
    eraser.hook('afterResponse', () => release())
    eraser.hook('onError', () => release())
    const report = await eraser.erase({ userId: 'alice' }, { dryRun: true })
    expect(report.outcomes[0]).toMatchObject({ status: 'skipped', reason: 'dry_run' })
    expect(report.requests).toHaveLength(1)
  })

  it('an aborted dry run leaves no timer behind while a parallel request is still held', async () => {
    const eraser = createEraser({ providers: [twoAtOnce()] })
    eraser.hook('beforeRequest', (ctx) => (ctx.request.url.endsWith('/events') ? new Promise(() => {}) : undefined))
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const controller = new AbortController()
      const erasing = eraser.erase({ userId: 'alice' }, { dryRun: true, signal: controller.signal })
      for (let i = 0; i < 100; i++) await Promise.resolve()
      // The wait for /events to plan is under way, on its 1 s timer.
      expect(vi.getTimerCount()).toBe(1)
      controller.abort()
      const report = await erasing
      expect(report.requests).toHaveLength(1)
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('a dry-run stop a provider kept and throws in a real run fails that run as provider_error', async () => {
    let kept: unknown
    const keeping = defineProvider({
      name: 'keeping',
      specificationVersion: 1,
      options: {},
      baseURL: server.url,
      match: (subject) => subject.userId && { kind: 'userId', value: subject.userId },
      erase: async (identifiers, ctx) => {
        if (kept) throw kept
        await ctx.request({ method: 'DELETE', url: '/u' }).catch((error: unknown) => (kept = error))
        return identifiers.map(() => ({ status: 'deleted' as const }))
      },
    })
    const eraser = createEraser({ providers: [keeping] })
    expect((await eraser.erase({ userId: 'alice' }, { dryRun: true })).outcomes[0]).toMatchObject({ status: 'skipped', reason: 'dry_run' })
    const real = await eraser.erase({ userId: 'alice' })
    expect(real.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'provider_error', message: '[erasekit] [keeping] unexpected error: dry run' } })
  })

  it('a provider that edits the dry-run stop it rethrows changes no later dry run', async () => {
    const rethrowing = (name: string, rethrow: (error: Error, value: string) => Error) =>
      defineProvider({
        name,
        specificationVersion: 1,
        options: {},
        baseURL: server.url,
        match: (subject) => subject.userId && { kind: 'userId', value: subject.userId },
        erase: async (identifiers, ctx) => {
          try {
            await ctx.request({ method: 'DELETE', url: '/u' })
          } catch (error) {
            throw rethrow(error as Error, identifiers[0]!.value)
          }
          return identifiers.map(() => ({ status: 'deleted' as const }))
        },
      })
    // One tags the stop with its subject; another, later, wraps what it caught (and so fails).
    const tagging = rethrowing('tagging', (error, value) => ((error.message += ` (user ${value})`), error))
    expect((await createEraser({ providers: [tagging] }).erase({ userId: 'alice' }, { dryRun: true })).outcomes[0]).toMatchObject({ status: 'skipped', reason: 'dry_run' })
    const wrapping = rethrowing('wrapping', (error) => new Error(`delete failed: ${error.message}`))
    const report = await createEraser({ providers: [wrapping] }).erase({ userId: 'bob' }, { dryRun: true })
    expect(report.outcomes[0]!.error!.message).not.toContain('alice')
    expect(server.hits).toHaveLength(0)
  })

  it('refuses a baseURL holding credentials, a query or a fragment, without echoing it', () => {
    for (const baseURL of ['https://proxyuser:PLANTED@api.example.com', 'https://api.example.com/v1?access_token=PLANTED', 'https://api.example.com/#PLANTED', 'https://api.example.com/v1?', 'https://api.example.com/v1#']) {
      const error = catchError(() => demo({ token: 'tok_abcdef', baseURL }))
      expect(error.message).toMatch(/options\.baseURL: must not hold credentials, a query or a fragment/)
      expect(error.message).not.toContain('PLANTED')
    }
  })

  it('sends credentials to the provider origin only: an absolute URL elsewhere fails before any request', async () => {
    const elsewhere = (url: string) => sending({ method: 'DELETE', url, headers: { authorization: 'Bearer tok' } })
    const away = await createEraser({ providers: [elsewhere('http://127.0.0.2:9/steal')] }).erase({ userId: 'u1' })
    expect(away.outcomes[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'provider_error', message: expect.stringContaining("outside the provider's baseURL origin") } })
    const home = await createEraser({ providers: [elsewhere(`${server.url}/u`)] }).erase({ userId: 'u1' })
    expect(home.outcomes[0]).toMatchObject({ status: 'deleted' })
    expect(server.hits).toHaveLength(1)
  })

  it('redacts every identifier value of the subject, not only the one a provider sends, in any letter case', async () => {
    // The vendor echoes the profile it found: the lane sent userId, the body names the email too.
    server.reply(() => Response.json({ code: 'conflict: profile user_12345 has email jane.doe@example.com' }, { status: 409 }))
    const echoing = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    const report = await echoing.erase({ userId: 'user_12345', email: 'Jane.Doe@Example.com', ids: { other: 'other-id-77' } })
    const hash = await sha256Hex('user_12345')
    expect(report.outcomes[0]!.error!.providerCode).toBe(`conflict: profile [id:${hash.slice(0, 8)}] has email [id]`)
    // A match() that throws with a subject value in its message.
    const throwing = defineProvider({
      name: 'throwing',
      specificationVersion: 1,
      options: {},
      baseURL: server.url,
      match: (subject) => {
        throw new Error(`cannot use ${subject.email}`)
      },
      erase: async () => [],
    })
    const failed = await createEraser({ providers: [throwing] }).erase({ email: 'zed@example.com' })
    expect(failed.outcomes[0]!.error!.message).toBe('[erasekit] [throwing] unexpected error: cannot use [id]')
  })

  it('never lets a secret or raw identifier reach errors, reports, hook payloads or progress', async () => {
    const secret = 'sk_live_PLANTED_SECRET_9f8e7d'
    const identifier = 'planted.person+tag@example.org'
    const salt = 'PLANTED_SALT_55'
    // The vendor echoes everything back in its error bodies and headers.
    server.reply((hit, n) => {
      if (n % 2) return Response.json({ code: 'E', echo: `${hit.headers.authorization} ${JSON.stringify(hit.body)}` }, { status: 503, headers: { 'x-echo': secret } })
      return Response.json({ code: `no user ${identifier} for ${secret}` }, { status: 400 })
    })
    const seen: unknown[] = []
    const eraser = createEraser({
      providers: [demo({ token: secret, baseURL: server.url, retry: { limit: 1, delayMs: 0 } })],
      receiptSalt: salt,
      plugins: [{ name: 'spy', hooks: { beforeRequest: (c) => void seen.push(c.toJSON(), inspect(c)), onError: (c) => void seen.push(c.toJSON(), c.error, inspect(c, { depth: 8 })), retry: (c) => void seen.push(c.toJSON()), outcome: (o) => void seen.push(o), report: (r) => void seen.push(r), progress: (p) => void seen.push(p) } }],
    })
    const report = await eraser.erase({ userId: identifier, ref: 'ref-1' })
    const dry = await eraser.erase({ userId: identifier }, { dryRun: true })
    const many: unknown[] = []
    for await (const item of eraser.eraseMany([{ userId: identifier }, { userId: `${identifier}\n` }], { onProgress: (p) => void many.push(p) })) many.push(item)
    const thrown = await eraser.erase({ userId: identifier, phone: 5 } as never).catch((error: unknown) => error)
    expect(report.outcomes[0]!.status).toBe('failed')
    const everything = [report, dry, many, seen, thrown]
    const text = JSON.stringify(everything) + inspect(everything, { depth: 12 }) + (thrown as Error).message
    for (const planted of [secret, identifier, encodeURIComponent(identifier), salt]) expect(text).not.toContain(planted)
    expect(text).toContain('***')
    // A hook's ctx, inspected as console.log does, is its redacted copy.
    expect(seen.find((item) => typeof item === 'string')).toMatch(/provider: 'demo'/)
  })
})

async function sha256Hex(value: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

describe('erase() with a journal', () => {
  /** A second provider, on its own path of the same server. */
  const other = (baseURL: string) =>
    defineProvider({
      name: 'other',
      specificationVersion: 1,
      options: {},
      baseURL,
      match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
      erase: (identifiers, ctx) =>
        ctx.request({ method: 'POST', url: '/other/delete' }, (response) => {
          if (response.status !== 200) throw ctx.responseError(response)
          return identifiers.map(() => ({ status: 'deleted' as const }))
        }),
    })

  it('erasing the subject again sends only to the provider that failed; the failure stays retryable with the vendor Retry-After', async () => {
    let otherDown = true
    server.reply((hit) => (hit.path === '/other/delete' && otherDown ? new Response('{}', { status: 429, headers: { 'retry-after': '7' } }) : Response.json({ requestId: 'r-1' })))
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url }), other(server.url)], retry: { limit: 0 } })
    const journal = createMemoryJournal()
    const first = await eraser.erase({ ref: 'dsr-1', userId: 'u1' }, { journal })
    expect(first.outcomes.map((outcome) => outcome.status)).toEqual(['deleted', 'failed'])
    // A scheduler re-queues by these: retryable, and when.
    expect(first.outcomes[1]!.error).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 7000 })
    expect(server.hits.map((hit) => hit.path)).toEqual(['/users/delete', '/other/delete'])

    otherDown = false
    const second = await eraser.erase({ ref: 'dsr-1', userId: 'u1' }, { journal })
    expect(second.outcomes.map((outcome) => [outcome.status, outcome.reason])).toEqual([['skipped', 'journaled'], ['deleted', undefined]])
    expect(second.ok).toBe(true)
    expect(server.hits.map((hit) => hit.path)).toEqual(['/users/delete', '/other/delete', '/other/delete'])
    expect(await eraser.erase({ ref: 'dsr-1', userId: 'u1' }, { journal })).toMatchObject({ ok: true, outcomes: [{ reason: 'journaled' }, { reason: 'journaled' }] })
    expect(server.hits).toHaveLength(3)
  })

  it('an already-aborted signal: a report with every target aborted, nothing sent or journaled; no progress events either way', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url }), other(server.url)] })
    const progress: unknown[] = []
    eraser.hook('progress', (event) => void progress.push(event))
    const journal = createMemoryJournal()
    const report = await eraser.erase({ ref: 'dsr-2', userId: 'u2' }, { journal, signal: AbortSignal.abort() })
    expect(report.outcomes.map((outcome) => [outcome.status, outcome.error?.code, outcome.error?.retryable])).toEqual([['failed', 'aborted', true], ['failed', 'aborted', true]])
    expect(server.hits).toHaveLength(0)
    expect(journal.size).toBe(0)
    expect((await eraser.erase({ ref: 'dsr-2', userId: 'u2' }, { journal })).ok).toBe(true)
    expect(progress).toEqual([])
  })

  it('a journal that is not one is refused before any request, naming the option', async () => {
    const eraser = createEraser({ providers: [demo({ token: 'tok_abcdef', baseURL: server.url })] })
    await expect(eraser.erase({ userId: 'u1' }, { journal: { record() {} } as never })).rejects.toThrow(/journal: expected a Journal \{ record, has \}/)
    expect(server.hits).toHaveLength(0)
  })
})
