// Checked twice: by vitest at run time, and by `pnpm typecheck` (tsc), which fails if these
// idioms stop compiling or a @ts-expect-error line stops being an error.
import { describe, expect, it } from 'vitest'
import { createEraser, createMemoryJournal, defineProvider, definePlugin, type ErrorCode, type Outcome } from '@erasekit/core'

const vendor = defineProvider({
  name: 'v',
  specificationVersion: 1,
  options: { fetch: async () => new Response(null, { status: 204 }) },
  baseURL: 'https://vendor.example',
  match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
  erase: async (identifiers, ctx) => {
    const response = await ctx.request({ method: 'DELETE', url: `/users/${identifiers[0]!.value}` }, (answer) => answer)
    return [identifiers[0]!.value === 'bad' ? { status: 'failed', error: ctx.responseError({ ...response, status: 400 }) } : { status: 'deleted', httpStatus: response.status }]
  },
})

// DESIGN's third-party snippet: a factory typing its options as its own fields only.
export const mixpanel = (options: { token: string }) =>
  defineProvider({
    name: 'mixpanel',
    specificationVersion: 1,
    options,
    secrets: [options.token],
    baseURL: 'https://mixpanel.example',
    match: (subject) => subject.userId && { kind: 'userId', value: subject.userId },
    erase: async (identifiers) => identifiers.map(() => ({ status: 'deleted' as const })),
  })
// @ts-expect-error a common option must keep its type (baseURL is a string)
export const wrongCommon = (options: { token: string; baseURL: number }) => defineProvider({ name: 'x', specificationVersion: 1, options, match: () => undefined, erase: async () => [] })

describe('public types', () => {
  it('hooks, a journal and onProgress may be one-line expressions: their value is ignored, a promise awaited', async () => {
    const rows: unknown[] = []
    let reportHookDone = 0
    const plugin = definePlugin({
      name: 'rows',
      hooks: {
        outcome: (outcome) => rows.push(outcome.status),
        report: async () => {
          await new Promise((resolve) => setTimeout(resolve, 5))
          return ++reportHookDone
        },
      },
    })
    const eraser = createEraser({ providers: [vendor], plugins: [plugin] })
    eraser.hook('beforeRequest', (ctx) => ctx.request.headers.set('x-trace', '1'))
    const memory = createMemoryJournal()
    const journal = { has: memory.has, record: (outcome: Outcome) => (memory.record(outcome), rows.length) }
    let progressEvents = 0
    for await (const report of eraser.eraseMany([{ userId: 'u1' }, { userId: 'u2' }], { journal, onProgress: () => ++progressEvents })) {
      expect(report.ok).toBe(true)
    }
    expect(rows).toEqual(['deleted', 'deleted'])
    expect(reportHookDone).toBe(2)
    expect(memory.size).toBe(2)
    expect(progressEvents).toBeGreaterThan(0)
  })

  it('a failed outcome narrows to one with its error', async () => {
    const report = await createEraser({ providers: [vendor] }).erase({ userId: 'bad' })
    const codes: ErrorCode[] = []
    for (const outcome of report.outcomes) {
      if (outcome.status === 'failed') codes.push(outcome.error.code)
      // @ts-expect-error only a failed outcome is known to have an error
      else codes.push(outcome.error.code)
    }
    expect(codes).toEqual(['invalid_request'])
  })
})
