/** The run's breakers: an unreachable provider stops being retried, refused credentials stop being sent. */
import { describe, expect, test } from 'vitest'
import { createEraser, defineProvider } from '@erasekit/core'
import { circuitBreaker, credentialBreaker } from '../src/breaker'

/** One provider over an injected fetch that answers each call with `answer(call)`. */
const setUp = (answer: (call: number, init?: RequestInit) => Promise<Response>, breaker: typeof circuitBreaker) => {
  let calls = 0
  const provider = defineProvider({
    name: 'vendor',
    specificationVersion: 1,
    options: { fetch: (_: unknown, init?: RequestInit) => answer(++calls, init), timeout: 30 },
    baseURL: 'https://api.vendor.example',
    match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
    // The default mapping: an error status throws (401 → unauthorized).
    erase: async (ids, ctx) => (await ctx.request({ method: 'POST', url: '/delete' }), ids.map(() => ({ status: 'deleted' as const }))),
  })
  const eraser = createEraser({ providers: [provider], retry: { limit: 2, delayMs: 1, maxDelayMs: 1 } })
  const warnings: string[] = []
  breaker(eraser, (message) => warnings.push(message), 3)
  const attempts = async (count: number) => {
    const seen: number[] = []
    for (let i = 0; i < count; i++) seen.push((await eraser.erase({ userId: `u${i}` })).outcomes[0]!.attempts)
    return seen
  }
  return { attempts, warnings }
}
const refuse = () => Promise.reject(new TypeError('fetch failed'))
const hang = (_: number, init?: RequestInit) => new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))

describe('circuitBreaker', () => {
  test('after 3 network errors in a row, attempts to the provider are not retried until it answers again', async () => {
    const { attempts, warnings } = setUp(refuse, circuitBreaker)
    expect(await attempts(3)).toEqual([3, 1, 1])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^vendor: 3 network errors in a row/)
  })

  test('timeouts count as well', async () => {
    const { attempts } = setUp(hang, circuitBreaker)
    expect(await attempts(2)).toEqual([3, 1])
  })

  test('an answer in between resets the count', async () => {
    // Two failures, then an answer: never three in a row.
    const { attempts, warnings } = setUp((call) => (call % 3 === 0 ? Promise.resolve(Response.json({})) : refuse()), circuitBreaker)
    expect(await attempts(4)).toEqual([3, 3, 3, 3])
    expect(warnings).toEqual([])
  })
})

describe('circuitBreaker default', () => {
  test('opens after 20 network errors in a row', async () => {
    let calls = 0
    const provider = defineProvider({
      name: 'vendor',
      specificationVersion: 1,
      options: { fetch: () => (calls++, refuse()) },
      baseURL: 'https://api.vendor.example',
      match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
      erase: async (ids, ctx) => (await ctx.request({ method: 'POST', url: '/delete' }), ids.map(() => ({ status: 'deleted' as const }))),
    })
    const eraser = createEraser({ providers: [provider], retry: { limit: 4, delayMs: 1, maxDelayMs: 1 } })
    const warnings: string[] = []
    circuitBreaker(eraser, (message) => warnings.push(message))
    for (let i = 0; i < 5; i++) await eraser.erase({ userId: `u${i}` })
    // 4 subjects × 5 attempts reach 20; after that one attempt each.
    expect(calls).toBe(21)
    expect(warnings[0]).toMatch(/^vendor: 20 network errors in a row/)
  })
})

describe('credentialBreaker', () => {
  const status = (code: number) => Promise.resolve(new Response('{}', { status: code }))

  test('counts per provider target: a target whose key is refused stops, the others go on', async () => {
    const sent: string[] = []
    const provider = defineProvider({
      name: 'vendor',
      specificationVersion: 1,
      options: { fetch: (url: unknown) => (sent.push(String(url).slice(-1)), status(String(url).endsWith('/a') ? 401 : 200)) },
      baseURL: 'https://api.vendor.example',
      targets: ['a', 'b'],
      match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
      erase: async (ids, ctx) => (await ctx.request({ method: 'POST', url: `/delete/${ctx.target}` }), ids.map(() => ({ status: 'deleted' as const }))),
    })
    const eraser = createEraser({ providers: [provider] })
    const warnings: string[] = []
    credentialBreaker(eraser, (message) => warnings.push(message), 3)
    for (let i = 0; i < 5; i++) await eraser.erase({ userId: `u${i}` })
    expect(sent.filter((target) => target === 'a')).toHaveLength(3)
    expect(sent.filter((target) => target === 'b')).toHaveLength(5)
    expect(warnings).toEqual(['vendor/a: 3 requests in a row refused (unauthorized); nothing more is sent to it in this run'])
  })

  test('after 3 refusals in a row nothing more is sent; a success in between resets the count', async () => {
    let sent = 0
    const stopped = setUp(() => (sent++, status(401)), credentialBreaker)
    await stopped.attempts(5)
    expect(sent).toBe(3)
    expect(stopped.warnings).toEqual(['vendor: 3 requests in a row refused (unauthorized); nothing more is sent to it in this run'])
    // Refused, refused, deleted, refused, refused, ...: never 3 in a row.
    const mended = setUp((call) => status(call % 3 === 0 ? 200 : 401), credentialBreaker)
    await mended.attempts(6)
    expect(mended.warnings).toEqual([])
  })
})
