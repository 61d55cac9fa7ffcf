// Randomised eraseMany runs (seeded, so a failure replays): mixes of batching and single-request
// providers, latencies, windows, lingers, sync and async inputs, and aborts at random times. Each
// run must end, report every subject read exactly once, and keep every lane within its limits.
import { describe, expect, it } from 'vitest'
import { createEraser, defineProvider, type Report } from '@erasekit/core'

/** mulberry32: a small seeded PRNG. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Lane {
  name: string
  batchSize: number
  concurrency: number
  latencyMs: number
  sent: string[]
  sizes: number[]
  inFlight: number
  peak: number
}

function lane(rand: () => number, index: number): Lane {
  const batching = rand() < 0.5
  return {
    name: `p${index}`,
    batchSize: batching ? 2 + Math.floor(rand() * 40) : 1,
    concurrency: 1 + Math.floor(rand() * 3),
    latencyMs: Math.floor(rand() * 4),
    sent: [],
    sizes: [],
    inFlight: 0,
    peak: 0,
  }
}

/** A provider whose fetch is the vendor: it records what each request carried and how many overlapped. */
const providerFor = (spec: Lane) =>
  defineProvider({
    name: spec.name,
    specificationVersion: 1,
    options: {
      fetch: async (_input: RequestInfo | URL, init?: RequestInit) => {
        const { ids } = JSON.parse(String(init!.body)) as { ids: string[] }
        spec.sent.push(...ids)
        spec.sizes.push(ids.length)
        spec.peak = Math.max(spec.peak, ++spec.inFlight)
        await sleep(spec.latencyMs)
        spec.inFlight--
        return Response.json({ ok: true })
      },
    },
    baseURL: 'https://vendor.example',
    limits: { batchSize: spec.batchSize, concurrency: spec.concurrency },
    match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
    erase: async (identifiers, ctx) => {
      await ctx.request({ method: 'POST', url: '/delete', body: { ids: identifiers.map((identifier) => identifier.value) } })
      return identifiers.map(() => ({ status: 'deleted' as const }))
    },
  })

async function run(seed: number) {
  const rand = random(seed)
  const specs = Array.from({ length: 1 + Math.floor(rand() * 4) }, (_, index) => lane(rand, index))
  const providers = specs.map(providerFor)
  const count = 1 + Math.floor(rand() * 300)
  const asyncInput = rand() < 0.5
  const pauseEvery = 1 + Math.floor(rand() * 50)
  const window = rand() < 0.3 ? 1 + Math.floor(rand() * 20) : 1 + Math.floor(rand() * 400)
  const lingerMs = Math.floor(rand() * 10)
  const abortAfterMs = rand() < 0.3 ? Math.floor(rand() * 60) : undefined
  let read = 0
  function* syncSubjects() {
    for (let i = 1; i <= count; i++) (read = i), yield { ref: `r${i}`, userId: `u${i}` }
  }
  async function* asyncSubjects() {
    for (let i = 1; i <= count; i++) {
      if (i % pauseEvery === 0) await sleep(1)
      read = i
      yield { ref: `r${i}`, userId: `u${i}` }
    }
  }
  const controller = new AbortController()
  if (abortAfterMs !== undefined) setTimeout(() => controller.abort(), abortAfterMs)
  const reports: Report[] = []
  const eraser = createEraser({ providers })
  for await (const report of eraser.eraseMany(asyncInput ? asyncSubjects() : syncSubjects(), { window, lingerMs, signal: controller.signal })) reports.push(report)
  return { specs, reports, read, count, aborted: abortAfterMs !== undefined && controller.signal.aborted, config: { count, asyncInput, window, lingerMs, abortAfterMs, lanes: specs.map(({ batchSize, concurrency, latencyMs }) => ({ batchSize, concurrency, latencyMs })) } }
}

describe('eraseMany, randomised', () => {
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('seed %i: ends, reports each subject read once, keeps every limit', async (seed) => {
    const { specs, reports, read, count, aborted, config } = await run(seed)
    const context = JSON.stringify(config)
    const refs = reports.map((report) => report.subjectRef)
    expect(new Set(refs).size, context).toBe(refs.length)
    expect(refs.length, context).toBe(read)
    if (!aborted) expect(read, context).toBe(count)
    for (const spec of specs) {
      expect(spec.peak, context).toBeLessThanOrEqual(spec.concurrency)
      expect(Math.max(0, ...spec.sizes), context).toBeLessThanOrEqual(spec.batchSize)
      // Each identifier at most once; all of them when the run was not aborted.
      expect(new Set(spec.sent).size, context).toBe(spec.sent.length)
      if (!aborted) expect(spec.sent.length, context).toBe(count)
    }
    for (const report of reports) {
      expect(report.outcomes, context).toHaveLength(specs.length)
      if (!aborted) expect(report.ok, context).toBe(true)
      else expect(report.outcomes.every((outcome) => outcome.status === 'deleted' || outcome.error?.code === 'aborted'), context).toBe(true)
    }
  })
})
