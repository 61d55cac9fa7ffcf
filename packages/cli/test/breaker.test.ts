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

describe('credentialBreaker', () => {
  const status = (code: number) => Promise.resolve(new Response('{}', { status: code }))

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
