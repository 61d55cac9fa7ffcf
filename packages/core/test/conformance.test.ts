import { describe, expect, it } from 'vitest'
import { defineProvider, ErasureError, parseProviderOptions, text, type CommonProviderOptions, type ProviderResult } from '@erasekit/core'
import * as v from '@erasekit/core/schema'
import { createEmulatorKit, describeProviderConformance, json, runProviderConformance, type ConformanceOptions } from '@erasekit/core/testing'

/** A small vendor: POST /v1/forget {keys: [...]}, key in X-Api-Key (the core masks Authorization whatever is registered), 404 {error:'unknown'} for nobody. */
function createDemoEmulator(token = 'demo-token-1') {
  const people = new Set<string>()
  const kit = createEmulatorKit({
    errorResponse: (status, headers) => json(status, { error: status === 429 ? 'slow down' : 'oops' }, headers),
    handle: (request, body) => {
      if ((request.headers.get('x-api-key') ?? request.headers.get('authorization')?.replace(/^Bearer /, '')) !== token) return json(401, { error: 'bad token' })
      // Keys in the body, or comma-separated in the query (?keys=a,b).
      const url = new URL(request.url)
      const keys = (body as { keys?: string[] })?.keys ?? url.searchParams.get('keys')?.split(',')
      if (request.method !== 'POST' || url.pathname !== '/v1/forget' || !Array.isArray(keys)) return json(400, { error: 'bad request' })
      if (keys.length > 50) return json(400, { error: 'too many' })
      const known = keys.filter((key) => people.delete(key))
      return known.length ? json(200, { forgotten: known }) : json(404, { error: 'unknown' })
    },
  })
  return Object.assign(kit, { people })
}

interface DemoOptions extends CommonProviderOptions {
  token: string
}

/** Mistakes a provider author makes; the suite must catch each. */
interface Broken {
  leak?: boolean
  /** The token as a Bearer header, which the core masks whether or not it is registered. */
  bearer?: boolean
  ignoreNotFound?: boolean
  /** Every 404 read as not_found, whatever the body. */
  anyNotFound404?: boolean
  /** The vendor's per-id answer ignored: everyone deleted. */
  allDeleted?: boolean
  reversed?: boolean
  /** Its own 429 error, without the Retry-After the vendor sent. */
  ownRateLimit?: boolean
  /** Batches of more than one sent with fetch directly, past the pipeline. */
  batchBypass?: boolean
  /** The keys pasted into the query string, unencoded. */
  handBuiltQuery?: boolean
  /** Not a mistake: a request marked `retry: false`, for an operation that must not be sent twice. */
  noRetry?: boolean
}

const demo = (options: DemoOptions, broken: Broken = {}) => {
  const valid = parseProviderOptions('demo', v.object({ token: text() }), options)
  return defineProvider({
    name: 'demo',
    specificationVersion: 1,
    options,
    secrets: broken.leak ? [] : [valid.token],
    baseURL: 'https://api.demo.example',
    limits: { batchSize: 50 },
    match: (subject) => (subject.userId ? { kind: 'key', value: subject.userId } : undefined),
    erase: async (identifiers, ctx) => {
      const body = { keys: identifiers.map((i) => i.value) }
      if (broken.batchBypass && identifiers.length > 1) {
        await (options.fetch ?? fetch)('https://api.demo.example/v1/forget', { method: 'POST', headers: { 'x-api-key': valid.token }, body: JSON.stringify(body) })
        return identifiers.map(() => ({ status: 'deleted' as const }))
      }
      const spec = broken.handBuiltQuery ? { url: `/v1/forget?keys=${body.keys.join(',')}` } : { url: '/v1/forget', body }
      const headers: Record<string, string> = broken.bearer ? { authorization: `Bearer ${valid.token}` } : { 'x-api-key': valid.token }
      return ctx.request({ method: 'POST', headers, ...spec, ...(broken.noRetry && { retry: false as const }) }, (response): ProviderResult[] => {
        const data = response.data as { forgotten?: string[]; error?: string } | undefined
        if (response.status === 200 && Array.isArray(data?.forgotten)) {
          const results = identifiers.map((i): ProviderResult => ({ status: broken.allDeleted || data.forgotten!.includes(i.value) ? 'deleted' : 'not_found' }))
          return broken.reversed ? results.reverse() : results
        }
        if (response.status === 404 && (broken.anyNotFound404 || (data?.error === 'unknown' && !broken.ignoreNotFound))) return identifiers.map(() => ({ status: 'not_found' }))
        if (response.status === 429 && broken.ownRateLimit) throw new ErasureError('rate_limited', 'slow down', { provider: 'demo', retryable: true })
        throw ctx.responseError(response, { providerCode: data?.error })
      })
    },
  })
}

const options = (broken: Broken = {}): ConformanceOptions<ReturnType<typeof createDemoEmulator>> => ({
  emulator: () => createDemoEmulator(),
  provider: (overrides) => demo({ token: 'demo-token-1', ...overrides }, broken),
  providerWithBadCredentials: (overrides) => demo({ token: 'wrong-token-9', ...overrides }, broken),
  seed: (emulator, index, id = `person-${index}`) => {
    emulator.people.add(id)
    return { userId: id }
  },
  successStatus: 'deleted',
  unknownSubject: { subject: { userId: 'nobody-here' }, status: 'not_found' },
  unusableSubject: { email: 'only-email@example.com' },
  invalidOptions: [{ build: () => demo({ token: '' }), field: 'options.token' }],
  secrets: ['demo-token-1', 'wrong-token-9'],
  batchSize: 50,
  identifiersIn: (request) => (request.body as { keys: string[] }).keys.length,
})

describeProviderConformance('demo', options(), { describe, it })

describe('the conformance suite catches broken providers', () => {
  it('flags a provider that does not register its secret', async () => {
    const result = await runProviderConformance(options({ leak: true }))
    expect(result.ok).toBe(false)
    expect(result.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['never lets a secret or raw identifier reach reports, errors or hook payloads'])
  })

  it('flags a provider that does not register its secret even when it travels in Authorization (masked there whatever is registered)', async () => {
    expect((await runProviderConformance(options({ bearer: true }))).ok).toBe(true)
    const result = await runProviderConformance(options({ leak: true, bearer: true }))
    expect(result.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['never lets a secret or raw identifier reach reports, errors or hook payloads'])
    expect(result.checks.find((check) => !check.ok)!.error).toMatch(/register every credential/)
  })

  it('flags a provider that maps the vendor not-found answer to a failure', async () => {
    const result = await runProviderConformance(options({ ignoreNotFound: true }))
    expect(result.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['maps an unknown subject to not_found, alone and inside a batch of known ones'])
  })

  it.each([
    ['reads every 404 as not_found', { anyNotFound404: true }, 'never takes a bare 404 (a wrong path, a proxy) for a deletion'],
    ['ignores the per-id answer of a batch', { allDeleted: true }, 'maps an unknown subject to not_found, alone and inside a batch of known ones'],
    ['returns a batch\'s results out of order', { reversed: true }, 'maps an unknown subject to not_found, alone and inside a batch of known ones'],
    ['throws its own 429 error without the Retry-After', { ownRateLimit: true }, 'honours Retry-After on a 429'],
    ['sends batches past the pipeline', { batchBypass: true }, 'sends through the core pipeline (hooks see every request)'],
    ['pastes identifiers into the URL unencoded', { handBuiltQuery: true }, 'sends an identifier holding URL- and JSON-significant characters as itself'],
  ] as [string, Broken, string][])('flags a provider that %s', async (_, broken, check) => {
    const result = await runProviderConformance(options(broken))
    expect(result.checks.filter((item) => !item.ok).map((item) => item.name)).toContain(check)
  })

  it('takes a provider whose request is never retried when it says so (transientFaults: final), and only then', async () => {
    const declared = await runProviderConformance({ ...options({ noRetry: true }), transientFaults: 'final' })
    expect(declared.checks.filter((check) => !check.ok)).toEqual([])
    expect(declared.checks.map((check) => check.name)).toContain('does not retry 5xx')
    const undeclared = await runProviderConformance(options({ noRetry: true }))
    expect(undeclared.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(
      expect.arrayContaining(['retries 5xx to success', 'honours Retry-After on a 429', 'gives up after the retry limit with a retryable failure']),
    )
    // A provider that does retry fails when it declares it does not.
    expect((await runProviderConformance({ ...options(), transientFaults: 'final' })).ok).toBe(false)
  })

  it('leaves out the awkward-identifier check only when told the vendor\'s identifiers cannot hold such characters', async () => {
    const result = await runProviderConformance({ ...options(), awkwardIdentifiers: false })
    expect(result.checks.map((check) => check.name)).not.toContain('sends an identifier holding URL- and JSON-significant characters as itself')
    expect(result.ok).toBe(true)
  })

  it('fails, rather than passes vacuously, when the options list no secret, no invalid option or no unknown subject', async () => {
    const result = await runProviderConformance({ ...options(), secrets: [], invalidOptions: [], unknownSubject: undefined as never })
    const failed = result.checks.filter((check) => !check.ok).map((check) => check.error)
    expect(failed).toEqual(expect.arrayContaining([
      'list at least one invalid factory call in invalidOptions',
      "list the provider's credentials in secrets",
      'give unknownSubject: a subject the vendor does not know, and the status its answer maps to',
    ]))
  })

  it('reports every check by name for runners without describe/it', async () => {
    const result = await runProviderConformance(options())
    expect(result.ok).toBe(true)
    expect(result.checks.length).toBeGreaterThanOrEqual(14)
    expect(ErasureError.isInstance(new ErasureError('network', 'x'))).toBe(true)
  })
})

describe('the emulator kit', () => {
  it('takes a Request as it is when a server passes its own second argument (Bun.serve, Deno.serve); a RequestInit still applies', async () => {
    const emulator = createDemoEmulator()
    emulator.people.add('k1').add('k2').add('k3')
    const forget = (key: string) => new Request('https://demo.example/v1/forget', { method: 'POST', headers: { 'x-api-key': 'demo-token-1' }, body: JSON.stringify({ keys: [key] }) })
    // Bun passes its server (its Request would take the server's url), Deno its handler info.
    const bunServer = { url: new URL('http://127.0.0.1:3000/'), port: 3000, hostname: '127.0.0.1', fetch: () => {}, stop: () => {} }
    const denoInfo = { remoteAddr: { transport: 'tcp', hostname: '127.0.0.1', port: 50000 }, completed: Promise.resolve() }
    // Node's Request ignores what a server object holds, so what is read of it is recorded: nothing a RequestInit holds.
    const read: string[] = []
    const watched = <T extends object>(server: T) => new Proxy(server, { get: (target, key, receiver) => (read.push(String(key)), Reflect.get(target, key, receiver)) })
    expect((await emulator.fetch(forget('k1'), watched(bunServer))).status).toBe(200)
    expect((await emulator.fetch(forget('k2'), watched(denoInfo))).status).toBe(200)
    expect(read).toEqual([])
    expect(emulator.requests.map((request) => [request.method, request.path])).toEqual([['POST', '/v1/forget'], ['POST', '/v1/forget']])
    // A RequestInit over a Request applies, as with fetch.
    expect((await emulator.fetch(forget('k3'), { headers: { 'x-api-key': 'another-token' } })).status).toBe(401)
    expect(emulator.people.has('k3')).toBe(true)
  })
})
