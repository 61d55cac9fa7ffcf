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
      if (request.headers.get('x-api-key') !== token) return json(401, { error: 'bad token' })
      const keys = (body as { keys?: string[] })?.keys
      if (request.method !== 'POST' || new URL(request.url).pathname !== '/v1/forget' || !Array.isArray(keys)) return json(400, { error: 'bad request' })
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

const demo = (options: DemoOptions, broken: { leak?: boolean; ignoreNotFound?: boolean } = {}) => {
  const valid = parseProviderOptions('demo', v.object({ token: text() }), options)
  return defineProvider({
    name: 'demo',
    specificationVersion: 1,
    options,
    secrets: broken.leak ? [] : [valid.token],
    baseURL: 'https://api.demo.example',
    limits: { batchSize: 50 },
    match: (subject) => (subject.userId ? { kind: 'key', value: subject.userId } : undefined),
    erase: (identifiers, ctx) =>
      ctx.request({ method: 'POST', url: '/v1/forget', headers: { 'x-api-key': valid.token }, body: { keys: identifiers.map((i) => i.value) } }, (response): ProviderResult[] => {
        const data = response.data as { forgotten?: string[]; error?: string } | undefined
        if (response.status === 200 && Array.isArray(data?.forgotten)) {
          return identifiers.map((i) => ({ status: data.forgotten!.includes(i.value) ? 'deleted' : 'not_found' }))
        }
        if (response.status === 404 && data?.error === 'unknown' && !broken.ignoreNotFound) return identifiers.map(() => ({ status: 'not_found' }))
        throw ctx.responseError(response, { providerCode: data?.error })
      }),
  })
}

const options = (broken: Parameters<typeof demo>[1] = {}): ConformanceOptions<ReturnType<typeof createDemoEmulator>> => ({
  emulator: () => createDemoEmulator(),
  provider: (overrides) => demo({ token: 'demo-token-1', ...overrides }, broken),
  providerWithBadCredentials: (overrides) => demo({ token: 'wrong-token-9', ...overrides }, broken),
  seed: (emulator, index) => {
    emulator.people.add(`person-${index}`)
    return { userId: `person-${index}` }
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

  it('flags a provider that maps the vendor not-found answer to a failure', async () => {
    const result = await runProviderConformance(options({ ignoreNotFound: true }))
    expect(result.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['maps an unknown subject to not_found'])
  })

  it('reports every check by name for runners without describe/it', async () => {
    const result = await runProviderConformance(options())
    expect(result.ok).toBe(true)
    expect(result.checks.length).toBeGreaterThanOrEqual(14)
    expect(ErasureError.isInstance(new ErasureError('network', 'x'))).toBe(true)
  })
})
