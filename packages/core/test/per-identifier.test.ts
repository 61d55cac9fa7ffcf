/**
 * A vendor that answers per identifier (docs/writing-a-provider.md, "Vendors that answer per
 * identifier"): each value sent once, results found by id, a missing one failed, a per-id failure
 * final, a 2xx without the list retried as a whole. The region below is quoted in the guide.
 */
import { describe, expect, it } from 'vitest'
import { createEraser, defineProvider, ErasureError, type FetchFunction, type ProviderResult, type Report, type Subject } from '@erasekit/core'

// #region per-identifier
/**
 * "Zeta": `POST /v1/users/delete` with `{ ids }` (up to 50) answers
 * `{ results: [{ id, status: 'deleted' | 'not_found' | 'error' }] }`, in any order.
 */
export const zeta = (options: { token: string; fetch?: FetchFunction | undefined }) =>
  defineProvider({
    name: 'zeta',
    specificationVersion: 1,
    options,
    secrets: [options.token],
    baseURL: 'https://api.zeta.example',
    limits: { batchSize: 50, concurrency: 2 },
    match: (subject) =>
      subject.ids?.zeta ? { kind: 'zeta_id', value: subject.ids.zeta } : subject.userId ? { kind: 'user_id', value: subject.userId } : undefined,
    erase: (identifiers, ctx) => {
      // Each value once: the core sends each kind and value once, and two kinds may share a value.
      const ids = [...new Set(identifiers.map((identifier) => identifier.value))]
      const headers = { authorization: `Bearer ${options.token}` }
      return ctx.request({ method: 'POST', url: '/v1/users/delete', headers, body: { ids } }, (response) => {
        const results = (response.data as { results?: unknown } | undefined)?.results
        // Not a 2xx, or a 2xx without the list (invalid_response, retried): the whole request.
        if (response.status !== 200 || !Array.isArray(results)) throw ctx.responseError(response)
        const byId = new Map((results as { id?: unknown; status?: unknown }[]).map((result) => [result?.id, result?.status]))
        // One result per identifier, in the order given, found by id: never by position.
        return identifiers.map((identifier): ProviderResult => {
          const status = byId.get(identifier.value)
          if (status === 'deleted' || status === 'not_found') return { status, httpStatus: 200 }
          const reason = status === undefined ? 'no result for this identifier' : 'the vendor did not delete it'
          return { status: 'failed', httpStatus: 200, error: new ErasureError('provider_error', reason, { provider: 'zeta', status: 200 }) }
        })
      })
    },
  })
// #endregion per-identifier

/** A Zeta stand-in: answers each call with `answer(ids)`, and records the ids of every call. */
function vendor(answer: (ids: string[], call: number) => Response) {
  const calls: string[][] = []
  const fetch: FetchFunction = async (_url, init) => {
    const { ids } = JSON.parse(String(init?.body)) as { ids: string[] }
    calls.push(ids)
    return answer(ids, calls.length)
  }
  return { calls, eraser: createEraser({ providers: [zeta({ token: 'zeta-SECRET-token', fetch })], retry: { delayMs: 1, maxDelayMs: 2 } }) }
}

async function run(eraser: ReturnType<typeof createEraser>, subjects: Subject[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const reports: Report[] = []
  for await (const report of eraser.eraseMany(subjects)) reports.push(report)
  for (const { subjectRef, outcomes } of reports) out[subjectRef] = outcomes.map((o) => (o.error ? `${o.status}: ${o.error.message} (${o.attempts})` : `${o.status} (${o.attempts})`)).join()
  return out
}

const results = (list: [string, string][]) => Response.json({ results: list.map(([id, status]) => ({ id, status })) })

describe('a vendor that answers per identifier', () => {
  it('sends a value shared by two kinds once, and reads results by id in any order', async () => {
    const { calls, eraser } = vendor((ids) => results(ids.map((id) => [id, id === 'u-2' ? 'not_found' : 'deleted'] as [string, string]).reverse()))
    const out = await run(eraser, [
      { ref: 'a', ids: { zeta: 'X-1' } },
      { ref: 'b', userId: 'X-1' },
      { ref: 'c', userId: 'u-2' },
      { ref: 'd', userId: 'u-3' },
    ])
    expect(calls).toEqual([['X-1', 'u-2', 'u-3']])
    expect(out).toEqual({ a: 'deleted (1)', b: 'deleted (1)', c: 'not_found (1)', d: 'deleted (1)' })
  })

  it('fails an identifier the answer leaves out or refuses, without sending it again', async () => {
    const { calls, eraser } = vendor(() => results([['u-1', 'deleted'], ['u-3', 'error']]))
    const out = await run(eraser, [{ ref: 'a', userId: 'u-1' }, { ref: 'b', userId: 'u-2' }, { ref: 'c', userId: 'u-3' }])
    expect(calls).toHaveLength(1)
    expect(out).toEqual({
      a: 'deleted (1)',
      b: 'failed: [erasekit] [zeta] no result for this identifier (1)',
      c: 'failed: [erasekit] [zeta] the vendor did not delete it (1)',
    })
  })

  it('retries the whole request when a 2xx lacks the list', async () => {
    const { calls, eraser } = vendor((ids, call) => (call === 1 ? Response.json({ ok: true }) : results(ids.map((id) => [id, 'deleted']))))
    const out = await run(eraser, [{ ref: 'a', userId: 'u-1' }, { ref: 'b', userId: 'u-2' }])
    expect(calls).toEqual([['u-1', 'u-2'], ['u-1', 'u-2']])
    expect(out).toEqual({ a: 'deleted (2)', b: 'deleted (2)' })
  })
})
