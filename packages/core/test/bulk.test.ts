import { describe, expect, it, vi } from 'vitest'
import { createEraser, createMemoryJournal, defineProvider, ErasureError, hashIdentifier, type Progress, type Provider, type ProviderResult, type Report } from '@erasekit/core'

interface Call {
  ids: string[]
  target?: string
}

/** An in-memory vendor as a fetch function: records calls and in-flight peaks. */
function vendor(options: { latencyMs?: number; fail?: (ids: string[]) => number | undefined } = {}) {
  const calls: Call[] = []
  let inFlight = 0
  let peak = 0
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const body = (await request.json()) as { ids: string[] }
    calls.push({ ids: body.ids, target: new URL(request.url).pathname.split('/')[1] })
    peak = Math.max(peak, ++inFlight)
    try {
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs))
      const status = options.fail?.(body.ids)
      if (status) return Response.json({}, { status })
      return Response.json({ ok: true })
    } finally {
      inFlight--
    }
  }
  return { fetch, calls, peak: () => peak }
}

const bulkProvider = (name: string, fetch: typeof globalThis.fetch, limits: Record<string, unknown>, targets?: string[]) =>
  defineProvider({
    name,
    specificationVersion: 1,
    options: { fetch },
    baseURL: 'https://vendor.example',
    limits,
    targets,
    match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
    erase: async (identifiers, ctx) => {
      await ctx.request({ method: 'POST', url: `/${ctx.target ?? 'all'}/delete`, body: { ids: identifiers.map((identifier) => identifier.value) } })
      return identifiers.map(() => ({ status: 'accepted' as const }))
    },
  })

function* subjects(count: number, prefix = 'u') {
  for (let i = 1; i <= count; i++) yield { ref: `r${i}`, userId: `${prefix}${i}` }
}

async function collect(iterable: AsyncIterable<Report>) {
  const reports: Report[] = []
  for await (const report of iterable) reports.push(report)
  return reports
}

describe('eraseMany', () => {
  it('yields exactly one report per subject and batches up to batchSize', async () => {
    const big = vendor({ latencyMs: 1 })
    const single = vendor({ latencyMs: 1 })
    const eraser = createEraser({
      providers: [bulkProvider('big', big.fetch, { batchSize: 100, concurrency: 3 }), bulkProvider('single', single.fetch, { batchSize: 1, concurrency: 4 })],
    })
    const reports = await collect(eraser.eraseMany(subjects(1050)))
    expect(reports).toHaveLength(1050)
    expect(new Set(reports.map((report) => report.subjectRef)).size).toBe(1050)
    expect(reports.every((report) => report.ok && report.outcomes.length === 2)).toBe(true)
    expect(Math.max(...big.calls.map((call) => call.ids.length))).toBe(100)
    expect(big.calls.flatMap((call) => call.ids).sort()).toEqual([...subjects(1050)].map((s) => s.userId).sort())
    expect(big.calls.length).toBeLessThanOrEqual(12)
    expect(single.calls).toHaveLength(1050)
    expect(big.peak()).toBeLessThanOrEqual(3)
    expect(single.peak()).toBeLessThanOrEqual(4)
    expect(single.peak()).toBeGreaterThan(1)
  })

  it('lets timers and I/O run while it reads a synchronous source (no start-up stall)', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 100 })] })
    let read = 0
    function* counted() {
      for (const subject of subjects(5000)) {
        read++
        yield subject
      }
    }
    let readWhenTimerFired = -1
    setTimeout(() => (readWhenTimerFired = read), 0)
    const reports = await collect(eraser.eraseMany(counted()))
    expect(reports).toHaveLength(5000)
    expect(readWhenTimerFired).toBeGreaterThan(0)
    expect(readWhenTimerFired).toBeLessThan(5000)
  })

  it('fills batches from a fast synchronous source even when reading it outlasts lingerMs', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('big', api.fetch, { batchSize: 100 })] })
    // Timers only run while intake lets them (every 64 reads): the linger then waits on, as more input is already there.
    await collect(eraser.eraseMany(subjects(1000), { lingerMs: 1 }))
    expect(api.calls.map((call) => call.ids.length)).toEqual(Array(10).fill(100))
  })

  it('runs each target of a provider as its own lane with its own outcome', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('multi', api.fetch, { batchSize: 10 }, ['ios', 'android'])] })
    const reports = await collect(eraser.eraseMany(subjects(25)))
    expect(reports).toHaveLength(25)
    expect(reports[0]!.outcomes.map((outcome) => outcome.target)).toEqual(['ios', 'android'])
    expect(api.calls.filter((call) => call.target === 'ios').flatMap((call) => call.ids)).toHaveLength(25)
    expect(api.calls.filter((call) => call.target === 'android').flatMap((call) => call.ids)).toHaveLength(25)
  })

  it('flushes a partial batch after the linger time when input trickles in', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('big', api.fetch, { batchSize: 100 })] })
    async function* trickle() {
      yield { userId: 'a' }
      yield { userId: 'b' }
      await new Promise((resolve) => setTimeout(resolve, 100))
      yield { userId: 'c' }
    }
    const reports: Report[] = []
    for await (const report of eraser.eraseMany(trickle(), { lingerMs: 10 })) reports.push(report)
    expect(reports.map((report) => report.subjectRef).sort()).toEqual(['#1', '#2', '#3'])
    // a and b went out together before c arrived: the linger flushed them.
    expect(api.calls.map((call) => call.ids)).toEqual([['a', 'b'], ['c']])
  })

  /** Runs `count` subjects through the eraser; returns how many were reported and the most read ahead of the consumer. */
  async function readAhead(eraser: ReturnType<typeof createEraser>, count: number, options?: { window?: number }) {
    let read = 0
    function* counted() {
      for (const subject of subjects(count)) {
        read++
        yield subject
      }
    }
    let maxAhead = 0
    let reported = 0
    for await (const _ of eraser.eraseMany(counted(), options)) {
      reported++
      maxAhead = Math.max(maxAhead, read - reported)
    }
    return { reported, maxAhead }
  }

  it('keeps memory bounded: never more than `window` subjects read ahead of the consumer', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('big', api.fetch, { batchSize: 50 })] })
    const { reported, maxAhead } = await readAhead(eraser, 2000, { window: 100 })
    expect(reported).toBe(2000)
    expect(maxAhead).toBeLessThanOrEqual(100)
  })

  it('reads at most 5 000 subjects ahead of the consumer by default', async () => {
    // A vendor slower than the input: intake runs ahead until the window stops it.
    const api = vendor({ latencyMs: 10 })
    const eraser = createEraser({ providers: [bulkProvider('big', api.fetch, { batchSize: 50, concurrency: 1 })] })
    const { reported, maxAhead } = await readAhead(eraser, 8000)
    expect(reported).toBe(8000)
    expect(maxAhead).toBeLessThanOrEqual(5000)
    expect(maxAhead).toBeGreaterThan(4000)
  })

  it('by default reads ahead as far as the largest batchSize, up to 10 000, so batches can be full', async () => {
    const api = vendor({ latencyMs: 10 })
    const eraser = createEraser({ providers: [bulkProvider('huge', api.fetch, { batchSize: 8000, concurrency: 1 })] })
    const { reported, maxAhead } = await readAhead(eraser, 16_000)
    expect(reported).toBe(16_000)
    expect(maxAhead).toBeLessThanOrEqual(8000)
    expect(maxAhead).toBeGreaterThan(7000)
    // The first batch is full; later ones depend on how reports and reads interleave.
    const sizes = api.calls.map((call) => call.ids.length)
    expect(sizes[0]).toBe(8000)
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(16_000)
    const capped = createEraser({ providers: [bulkProvider('bigger', vendor({ latencyMs: 10 }).fetch, { batchSize: 50_000, concurrency: 1 })] })
    expect((await readAhead(capped, 12_000)).maxAhead).toBeLessThanOrEqual(10_000)
  })

  it('paces requests with the provider rate limit: never more than `requests` in any window of `perMs`', async () => {
    const api = vendor()
    const times: number[] = []
    const timed: typeof fetch = (input, init) => (times.push(Date.now()), api.fetch(input as string, init))
    const eraser = createEraser({ providers: [bulkProvider('paced', timed, { batchSize: 1, concurrency: 10, rate: { requests: 5, perMs: 200 } })] })
    await collect(eraser.eraseMany(subjects(12)))
    // Measured where the vendor sees them: no 200 ms holds more than 5, so 12 take two full windows.
    expect(times).toHaveLength(12)
    expect(times[11]! - times[0]!).toBeGreaterThanOrEqual(2 * 200 - 5)
    // (5 ms of slack: a loaded machine can pause the thread between the limiter's clock and fetch.)
    for (const start of times) expect(times.filter((time) => time >= start && time < start + 200 - 5).length).toBeLessThanOrEqual(5)
  })

  it('paces on the monotonic clock: a wall clock that jumps ahead (an NTP step, a VM resumed) lets no request in early', async () => {
    const api = vendor()
    const times: number[] = []
    const wall = Date.now.bind(Date)
    let jump = 0
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => wall() + jump)
    try {
      // The wall clock steps 150 ms ahead as the 4th request goes.
      const timed: typeof fetch = (input, init) => (times.push(performance.now()) === 4 && (jump = 150), api.fetch(input as string, init))
      const eraser = createEraser({ providers: [bulkProvider('paced', timed, { batchSize: 1, concurrency: 10, rate: { requests: 4, perMs: 200 } })] })
      await collect(eraser.eraseMany(subjects(5)))
    } finally {
      clock.mockRestore()
    }
    expect(times).toHaveLength(5)
    expect(times[4]! - times[0]!).toBeGreaterThanOrEqual(200 - 5)
  })

  it.each([
    ['back', -1],
    ['ahead', 1],
  ])('durations and throughput are on the monotonic clock: a wall clock stepped %s an hour at each request skews none', async (_, sign) => {
    const api = vendor()
    const wall = Date.now.bind(Date)
    let jump = 0
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => wall() + jump)
    const events: Progress[] = []
    let reports: Report[]
    let single: Report
    try {
      const stepping: typeof fetch = (input, init) => ((jump += sign * 3_600_000), api.fetch(input as string, init))
      const eraser = createEraser({ providers: [bulkProvider('stepped', stepping, { batchSize: 2, concurrency: 1 })] })
      reports = await collect(eraser.eraseMany(subjects(4), { onProgress: (event) => void events.push(event) }))
      single = await eraser.erase({ userId: 'u9' })
    } finally {
      clock.mockRestore()
    }
    // Before, stepped back: -7,199,971 ms; ahead: 7,200,029 ms.
    const plausible = (ms: number) => expect(ms >= 0 && ms < 60_000, `${ms} ms`).toBe(true)
    for (const report of [...reports, single]) {
      plausible(report.durationMs)
      expect(report.outcomes[0]).toMatchObject({ status: 'accepted' })
      plausible(report.outcomes[0]!.durationMs)
    }
    expect(events.at(-1)).toMatchObject({ done: true, reported: 4 })
    for (const event of events) plausible(event.elapsedMs)
    // 4 reports in well under a minute.
    expect(events.at(-1)!.perSecond).toBeGreaterThan(4 / 60)
  })

  it('the first report emits progress at once, also in a process (or Worker) whose monotonic clock started a moment ago', async () => {
    const real = performance.now.bind(performance)
    const origin = real()
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => real() - origin)
    const events: Progress[] = []
    try {
      const eraser = createEraser({ providers: [bulkProvider('fresh', vendor().fetch, { batchSize: 1, concurrency: 1 })] })
      await collect(eraser.eraseMany(subjects(3), { progressIntervalMs: 60_000, onProgress: (event) => void events.push(event) }))
    } finally {
      clock.mockRestore()
    }
    expect(events.map((event) => [event.reported, event.done])).toEqual([[1, false], [3, true]])
  })

  it('every attempt takes its turn in the rate limit, retries included', async () => {
    const api = vendor({ fail: () => 503 })
    const times: number[] = []
    const timed: typeof fetch = (input, init) => (times.push(Date.now()), api.fetch(input as string, init))
    const eraser = createEraser({ providers: [bulkProvider('paced', timed, { batchSize: 1, rate: { requests: 1, perMs: 60 } })], retry: { limit: 3, delayMs: 0 } })
    const report = await eraser.erase({ userId: 'u1' })
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 4 })
    expect(times[3]! - times[0]!).toBeGreaterThanOrEqual(3 * 60 - 5)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(60 - 5)
  })

  it('a redirect hop takes its own turn in the rate limit: the vendor never sees two requests closer than the limit allows', async () => {
    const api = vendor()
    const times: number[] = []
    // A 307 keeps the method and body: each subject costs the vendor two requests.
    const moving: typeof fetch = (input, init) => {
      times.push(Date.now())
      const url = new URL(input as string)
      return url.pathname.startsWith('/moved') ? api.fetch(input as string, init) : Promise.resolve(new Response(null, { status: 307, headers: { location: `/moved${url.pathname}` } }))
    }
    const eraser = createEraser({ providers: [bulkProvider('paced', moving, { batchSize: 1, concurrency: 4, rate: { requests: 1, perMs: 60 } })] })
    const reports = await collect(eraser.eraseMany(subjects(3)))
    expect(reports.map((report) => report.ok)).toEqual([true, true, true])
    expect(times).toHaveLength(6)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(60 - 5)
  })

  it('a redirect hop\'s wait for its turn in the rate limit is not charged to the attempt\'s timeout', async () => {
    const api = vendor()
    let sent = 0
    const moving: typeof fetch = (input, init) => {
      sent++
      const url = new URL(input as string)
      return url.pathname.startsWith('/moved') ? api.fetch(input as string, init) : Promise.resolve(new Response(null, { status: 307, headers: { location: `/moved${url.pathname}` } }))
    }
    // Six first requests take 600 ms of turns; each hop then waits behind them, past the 300 ms timeout.
    const eraser = createEraser({ providers: [bulkProvider('paced', moving, { batchSize: 1, concurrency: 6, rate: { requests: 1, perMs: 100 } })], timeout: 300 })
    const reports = await collect(eraser.eraseMany(subjects(6)))
    expect(reports.flatMap((report) => report.outcomes.map((outcome) => outcome.error?.code ?? outcome.status))).toEqual(Array(6).fill('accepted'))
    expect(sent).toBe(12)
  })

  it('an attempt\'s redirect hops share its timeout, paced or not: 150 + 200 ms of answers is past 300 ms', async () => {
    const slow = (ms: number, response: () => Response) => new Promise<Response>((resolve) => setTimeout(() => resolve(response()), ms))
    const moving: typeof fetch = (input) =>
      new URL(input as string).pathname.startsWith('/moved') ? slow(200, () => Response.json({})) : slow(150, () => new Response(null, { status: 307, headers: { location: '/moved' } }))
    for (const rate of [undefined, { requests: 100, perMs: 1000 }]) {
      const eraser = createEraser({ providers: [bulkProvider('hops', moving, { batchSize: 1, rate })], timeout: 300, retry: { limit: 0 } })
      expect((await eraser.erase({ userId: 'u1' })).outcomes[0], JSON.stringify(rate)).toMatchObject({ status: 'failed', error: { code: 'timeout' } })
    }
  })

  it('shares one rate limit per provider across concurrent erase() calls and eraseMany runs', async () => {
    const api = vendor()
    const times: number[] = []
    const timed: typeof fetch = (input, init) => (times.push(Date.now()), api.fetch(input as string, init))
    const eraser = createEraser({ providers: [bulkProvider('paced', timed, { batchSize: 1, concurrency: 10, rate: { requests: 4, perMs: 200 } })] })
    await Promise.all([
      ...[...subjects(4, 'single')].map((subject) => eraser.erase(subject)),
      collect(eraser.eraseMany(subjects(4, 'a'))),
      collect(eraser.eraseMany(subjects(4, 'b'))),
    ])
    // 12 requests from three callers, at most 4 in any 200 ms: they take two full windows.
    expect(times).toHaveLength(12)
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(2 * 200 - 5)
    for (const start of times) expect(times.filter((time) => time >= start && time < start + 200 - 5).length).toBeLessThanOrEqual(4)
  })

  it('a run aborted while its requests wait for the shared rate limit takes no sends from the other callers', async () => {
    const api = vendor()
    const times: number[] = []
    const timed: typeof fetch = (input, init) => (times.push(Date.now()), api.fetch(input as string, init))
    const provider = bulkProvider('paced', timed, { batchSize: 1, concurrency: 10, rate: { requests: 3, perMs: 300 } })
    const first = createEraser({ providers: [provider] })
    const second = createEraser({ providers: [provider] })
    // Warm (another provider object, so another limiter): the three below then go within a ms or two.
    await collect(createEraser({ providers: [bulkProvider('paced', vendor().fetch, { batchSize: 1, concurrency: 10 })] }).eraseMany(subjects(20, 'w')))
    const started = Date.now()
    // Three at once fill the window; c1 waits for it to free at 300 ms, the aborted run's turns behind c1.
    await Promise.all([...subjects(3, 'b')].map((subject) => first.erase(subject)))
    const c1 = first.erase({ ref: 'c0', userId: 'u-c0' })
    const controller = new AbortController()
    const aborted = collect(second.eraseMany(subjects(3, 'a'), { signal: controller.signal }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    controller.abort()
    expect((await aborted).every((report) => report.outcomes[0]!.error?.code === 'aborted')).toBe(true)
    await Promise.all([c1, collect(first.eraseMany(subjects(2, 'c')))])
    // At 300 ms the window frees for all three of c, not a window later behind the aborted turns.
    expect(times).toHaveLength(6)
    expect(times[5]! - started).toBeLessThan(550)
  })

  it('shares one concurrency limit per target across concurrent erase() calls and eraseMany runs', async () => {
    const api = vendor({ latencyMs: 10 })
    const eraser = createEraser({ providers: [bulkProvider('capped', api.fetch, { batchSize: 2, concurrency: 2 })] })
    const reports = await Promise.all([
      ...[...subjects(6, 'single')].map((subject) => eraser.erase(subject)),
      collect(eraser.eraseMany(subjects(9, 'a'))),
      collect(eraser.eraseMany(subjects(9, 'b'))),
    ])
    // A vendor's cap (CleverTap: 3 in flight per account) counts every caller of the eraser.
    expect(api.peak()).toBe(2)
    expect(reports.flat().every((report) => report.ok)).toBe(true)
    expect(api.calls.flatMap((call) => call.ids)).toHaveLength(24)
  })

  it('an erase() waiting for a slot is aborted by its signal and frees nothing it did not take', async () => {
    const api = vendor({ latencyMs: 40 })
    const eraser = createEraser({ providers: [bulkProvider('capped', api.fetch, { batchSize: 1, concurrency: 1 })] })
    const first = eraser.erase({ userId: 'first' })
    const controller = new AbortController()
    const waiting = eraser.erase({ userId: 'second' }, { signal: controller.signal })
    setTimeout(() => controller.abort(), 5)
    expect((await waiting).outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'aborted' } })
    expect((await first).ok).toBe(true)
    // The slot count is intact: two more callers still go one at a time (in whichever order their receipts hash).
    await Promise.all([eraser.erase({ userId: 'third' }), eraser.erase({ userId: 'fourth' })])
    expect(api.calls.map((call) => call.ids[0]).sort()).toEqual(['first', 'fourth', 'third'])
    expect(api.peak()).toBe(1)
  })

  it('an aborted run reports every subject even while another caller holds the only slot', async () => {
    const api = vendor({ latencyMs: 60 })
    const eraser = createEraser({ providers: [bulkProvider('capped', api.fetch, { batchSize: 1, concurrency: 1 })] })
    const holder = eraser.erase({ userId: 'holder' })
    await new Promise((resolve) => setTimeout(resolve, 5))
    const controller = new AbortController()
    const run = collect(eraser.eraseMany(subjects(3), { signal: controller.signal }))
    await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort()
    const reports = await run
    expect(reports).toHaveLength(3)
    expect(reports.flatMap((report) => report.outcomes).every((outcome) => outcome.status === 'failed' && outcome.error?.code === 'aborted')).toBe(true)
    expect((await holder).ok).toBe(true)
    expect(api.calls.map((call) => call.ids[0])).toEqual(['holder'])
  })

  it('a slow provider does not hold back the others beyond the window', async () => {
    const fast = vendor()
    const slow = vendor({ latencyMs: 30 })
    const eraser = createEraser({ providers: [bulkProvider('fast', fast.fetch, { batchSize: 10 }), bulkProvider('slow', slow.fetch, { batchSize: 1, concurrency: 1 })] })
    const iterator = eraser.eraseMany(subjects(200), { window: 20 })[Symbol.asyncIterator]()
    await iterator.next()
    // The fast lane has already handled the whole window while the slow one did a handful.
    expect(fast.calls.flatMap((call) => call.ids).length).toBeGreaterThanOrEqual(20)
    expect(slow.calls.length).toBeLessThan(5)
    await iterator.return?.()
  })

  it('keeps batching while a slow provider holds the window (no degenerate one-id batches)', async () => {
    const slow = vendor({ latencyMs: 4 })
    const big = vendor({ latencyMs: 1 })
    const eraser = createEraser({ providers: [bulkProvider('slow', slow.fetch, { batchSize: 1, concurrency: 2 }), bulkProvider('big', big.fetch, { batchSize: 50, concurrency: 3 })] })
    const reports = await collect(eraser.eraseMany(subjects(400), { window: 60 }))
    expect(reports).toHaveLength(400)
    const sent = big.calls.flatMap((call) => call.ids)
    expect(sent).toHaveLength(400)
    // Slots free one at a time as the slow lane finishes; the batching lane waits (linger) instead of flushing each.
    expect(sent.length / big.calls.length).toBeGreaterThanOrEqual(4)
  })

  /** A provider of one subject field, whose vendor logs when each call came (ms since `t0`). */
  function fieldLane(name: string, field: 'userId' | 'email', limits: Record<string, unknown>, latencyMs = 0) {
    const api = vendor({ latencyMs })
    const t0 = performance.now()
    const at: number[] = []
    const fetch = ((input: RequestInfo | URL, init?: RequestInit) => (at.push(performance.now() - t0), api.fetch(input, init))) as typeof globalThis.fetch
    const provider = defineProvider({
      name,
      specificationVersion: 1,
      options: { fetch },
      baseURL: 'https://vendor.example',
      limits,
      match: (subject) => (subject[field] ? { kind: field, value: subject[field]! } : undefined),
      erase: async (identifiers, ctx) => {
        await ctx.request({ method: 'POST', url: '/delete', body: { ids: identifiers.map((identifier) => identifier.value) } })
        return identifiers.map(() => ({ status: 'accepted' as const }))
      },
    })
    return { provider, calls: api.calls, at }
  }

  it('past lingerMs, with the window full, a batching lane fills on while its subjects still wait for a lane of single requests', async () => {
    const slow = fieldLane('slow', 'userId', { batchSize: 1, concurrency: 1 }, 5)
    const big = fieldLane('big', 'userId', { batchSize: 1000 })
    const eraser = createEraser({ providers: [slow.provider, big.provider] })
    const reports = await collect(eraser.eraseMany(subjects(150), { window: 30, lingerMs: 1 }))
    expect(reports).toHaveLength(150)
    expect(big.calls.flatMap((call) => call.ids).sort()).toEqual([...subjects(150)].map((subject) => subject.userId).sort())
    // Flushed after each linger, a batch would go per subject the slow lane lets in (about 150
    // calls). Held, one goes each time the slow lane reaches the oldest subject it holds: about
    // one per window.
    expect(big.calls.length).toBeLessThanOrEqual(15)
  })

  it('a held batch goes as soon as one subject it holds waits for nothing else', async () => {
    // z keeps a slow lane busy (and the run from ending); a and b need only the fast lane and the batch.
    const fast = fieldLane('fast', 'userId', { batchSize: 1 }, 20)
    const slow = fieldLane('slow', 'email', { batchSize: 1 }, 400)
    const big = fieldLane('big', 'userId', { batchSize: 100 })
    const eraser = createEraser({ providers: [fast.provider, slow.provider, big.provider] })
    async function* input() {
      yield { ref: 'z', email: 'z@example.com' }
      yield { ref: 'a', userId: 'u-a' }
      yield { ref: 'b', userId: 'u-b' }
      await new Promise((resolve) => setTimeout(resolve, 600))
    }
    const order: string[] = []
    for await (const report of eraser.eraseMany(input(), { window: 3, lingerMs: 2 })) order.push(report.subjectRef)
    expect(big.calls.map((call) => call.ids)).toEqual([['u-a', 'u-b']])
    // The fast lane's answer released it (about 20 ms), not the slow lane's (400 ms).
    expect(big.at[0]).toBeLessThan(250)
    expect(order).toEqual(['a', 'b', 'z'])
  })

  it('a subject that waits only for the batching lane is not held behind one that waits for a slow lane', async () => {
    const slow = fieldLane('slow', 'email', { batchSize: 1 }, 400)
    const big = fieldLane('big', 'userId', { batchSize: 100 })
    const eraser = createEraser({ providers: [slow.provider, big.provider] })
    async function* input() {
      yield { ref: 'a', userId: 'u-a', email: 'a@example.com' }
      for (const ref of ['b1', 'b2', 'b3']) yield { ref, userId: `u-${ref}` }
      await new Promise((resolve) => setTimeout(resolve, 600))
    }
    const started = performance.now()
    const when: Record<string, number> = {}
    for await (const report of eraser.eraseMany(input(), { window: 4, lingerMs: 2 })) when[report.subjectRef] = performance.now() - started
    expect(when.b3).toBeLessThan(250)
    expect(when.a).toBeGreaterThanOrEqual(350)
  })

  it('leaves no timer behind once the run ends, however long lingerMs is', async () => {
    const eraser = createEraser({ providers: [bulkProvider('big', vendor().fetch, { batchSize: 100 })] })
    // Only the run's own timers are counted (the process's include the test runner's).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      // The linger was armed by the first subject; the batch went when the input ended.
      expect(await collect(eraser.eraseMany(subjects(5), { lingerMs: 60_000 }))).toHaveLength(5)
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('a trickle is not held for a slow lane: the batch goes after lingerMs', async () => {
    const slow = fieldLane('slow', 'userId', { batchSize: 1 }, 400)
    const big = fieldLane('big', 'userId', { batchSize: 100 })
    const eraser = createEraser({ providers: [slow.provider, big.provider] })
    async function* trickle() {
      yield { userId: 'a' }
      await new Promise((resolve) => setTimeout(resolve, 600))
    }
    await collect(eraser.eraseMany(trickle(), { lingerMs: 2 }))
    // The vendor got it long before the slow lane answered: the two ran side by side.
    expect(big.calls.map((call) => call.ids)).toEqual([['a']])
    expect(big.at[0]).toBeLessThan(250)
  })

  it('a slow synchronous input is a trickle too: its partial batches go after lingerMs, not when the input ends', async () => {
    const big = fieldLane('big', 'userId', { batchSize: 100 })
    const eraser = createEraser({ providers: [big.provider] })
    const started = Date.now()
    function* slow() {
      for (let i = 0; i < 12; i++) {
        const until = Date.now() + 10
        while (Date.now() < until) {} // 10 ms of synchronous work per subject (a parser, a decryption)
        yield { userId: `u${i}` }
      }
    }
    await collect(eraser.eraseMany(slow(), { lingerMs: 20 }))
    expect(big.calls.flatMap((call) => call.ids)).toHaveLength(12)
    expect(big.calls.length).toBeGreaterThan(1)
    // The first batch left while the input was still being read (120 ms in all).
    expect(big.at[0]).toBeLessThan(90)
    expect(Date.now() - started).toBeGreaterThanOrEqual(120)
  })

  it('shares one abort listener per signal however many requests are in flight (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error) => void warnings.push(warning.name)
    process.on('warning', onWarning)
    try {
      const api = vendor({ latencyMs: 5 })
      const eraser = createEraser({ providers: [bulkProvider('wide', api.fetch, { batchSize: 1, concurrency: 40 })] })
      const reports = await collect(eraser.eraseMany(subjects(200), { signal: new AbortController().signal }))
      expect(reports).toHaveLength(200)
      expect(api.peak()).toBeGreaterThan(10)
      await new Promise((resolve) => setTimeout(resolve, 10))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning')
  })

  it('resumes from a journal without redoing confirmed deletions', async () => {
    const journal = createMemoryJournal()
    const first = vendor({ fail: (ids) => (ids.includes('u3') ? 400 : undefined) })
    const eraser1 = createEraser({ providers: [bulkProvider('p', first.fetch, { batchSize: 1 })] })
    const run1 = await collect(eraser1.eraseMany(subjects(5), { journal }))
    expect(run1.filter((report) => !report.ok).map((report) => report.subjectRef)).toEqual(['r3'])
    expect(journal.size).toBe(4)
    const second = vendor()
    const eraser2 = createEraser({ providers: [bulkProvider('p', second.fetch, { batchSize: 1 })] })
    const events: Progress[] = []
    const run2 = await collect(eraser2.eraseMany([...subjects(5), { ref: 'r6' }], { journal, onProgress: (event) => void events.push(event) }))
    // A resume dashboard tells "already done" from "nothing to erase": both are skipped.
    expect(events.at(-1)).toMatchObject({ providers: { p: { skipped: 5, accepted: 1 } }, journaled: { p: 4 } })
    expect(second.calls.map((call) => call.ids)).toEqual([['u3']])
    expect(run2).toHaveLength(6)
    expect(run2.filter((report) => report.outcomes[0]!.reason === 'journaled')).toHaveLength(4)
    expect(run2.every((report) => report.ok)).toBe(true)
  })

  it('a journal that answers over the network (KV, D1) is asked for many subjects at once, up to 64, not one by one', async () => {
    const memory = createMemoryJournal()
    await collect(createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 10 })] }).eraseMany(subjects(100), { journal: memory }))
    let asking = 0
    let peak = 0
    const remote = {
      record: (outcome: never) => memory.record(outcome),
      async has(...key: Parameters<typeof memory.has>) {
        peak = Math.max(peak, ++asking)
        await new Promise((resolve) => setTimeout(resolve, 5))
        asking--
        return memory.has(...key)
      },
    }
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 10 })] })
    const reports = await collect(eraser.eraseMany(subjects(300), { journal: remote }))
    expect(peak).toBe(64)
    expect(reports.map((report) => report.subjectRef).sort()).toEqual([...subjects(300)].map((subject) => subject.ref).sort())
    expect(reports.filter((report) => report.outcomes[0]!.reason === 'journaled')).toHaveLength(100)
    expect(api.calls.flatMap((call) => call.ids).sort()).toEqual([...subjects(300)].slice(100).map((subject) => subject.userId).sort())
  })

  it('a journal that rejects while many subjects are being admitted ends the run with its error', async () => {
    let asked = 0
    const journal = { record: () => {}, has: async () => (++asked === 40 ? Promise.reject(new Error('kv down')) : new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5))) }
    const api = vendor({ latencyMs: 5 })
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 1 }), bulkProvider('b', api.fetch, { batchSize: 10 })] })
    let read = 0
    const counted = function* () {
      for (const subject of subjects(300)) yield (read++, subject)
    }
    const reports: Report[] = []
    await expect((async () => {
      for await (const report of eraser.eraseMany(counted(), { journal })) reports.push(report)
    })()).rejects.toThrow('kv down')
    // Every subject read is reported before the error (aborted where unfinished): some were sent already.
    expect(reports.length).toBe(read)
    expect(new Set(reports.map((report) => report.subjectRef)).size).toBe(read)
    // Not asked again once the run is stopping.
    expect(asked).toBeLessThan(40 + 64)
  })

  it('the memory journal confirms deleted, accepted and not_found; failed and skipped are tried again', () => {
    const journal = createMemoryJournal()
    const statuses = ['deleted', 'accepted', 'not_found', 'failed', 'skipped'] as const
    for (const status of statuses) {
      journal.record({ provider: 'p', subjectRef: status, identifier: { kind: 'userId', hash: `h-${status}` }, status, attempts: 1, durationMs: 1, at: '2026-11-23T00:00:00.000Z' } as never)
    }
    expect(statuses.map((status) => journal.has(status, 'p', undefined, `h-${status}`))).toEqual([true, true, true, false, false])
  })

  it('a failed outcome never withdraws a confirmation (the engine makes its own: aborted, invalid_subject); forget() does, so the next run sends it again', async () => {
    const journal = createMemoryJournal()
    const outcome = (status: 'accepted' | 'failed', hash: string | undefined, target = 'ios') => ({ provider: 'p', target, subjectRef: 'r1', identifier: hash && { kind: 'userId', hash }, status, attempts: 1, durationMs: 1, at: '2026-11-25T00:00:00.000Z' }) as never
    journal.record(outcome('accepted', 'h-1'))
    journal.record(outcome('accepted', 'h-2'))
    journal.record(outcome('accepted', 'h-1', 'android'))
    journal.record(outcome('failed', 'h-1'))
    journal.record(outcome('failed', undefined))
    expect(journal.has('r1', 'p', 'ios', 'h-1')).toBe(true)
    journal.forget('r1', 'p', 'ios', 'h-1')
    expect([journal.has('r1', 'p', 'ios', 'h-1'), journal.has('r1', 'p', 'ios', 'h-2'), journal.has('r1', 'p', 'android', 'h-1'), journal.has('r1', 'p', 'ios')]).toEqual([false, true, true, true])
    journal.forget('r1', 'p', 'ios', 'h-2')
    expect(journal.has('r1', 'p', 'ios')).toBe(false)
    journal.forget('r1', 'p', 'android')
    expect(journal.has('r1', 'p', 'android', 'h-1')).toBe(false)
    // Through runs: an aborted resume leaves the confirmations; the forgotten subject is sent again, the other one is not.
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 1 })] })
    const runs = createMemoryJournal()
    await collect(eraser.eraseMany(subjects(2), { journal: runs }))
    const controller = new AbortController()
    async function* stopped() {
      controller.abort(new Error('SIGINT'))
      yield* subjects(2)
    }
    await collect(eraser.eraseMany(stopped(), { journal: runs, signal: controller.signal })).catch(() => undefined)
    runs.forget('r1', 'p', undefined, await hashIdentifier('u1'))
    api.calls.length = 0
    await collect(eraser.eraseMany(subjects(2), { journal: runs }))
    expect(api.calls.map((call) => call.ids)).toEqual([['u1']])
  })
  it('a journal records a report once the loop has taken it and asked for the next: a loop that stops early loses no receipt', async () => {
    const journal = createMemoryJournal()
    const api = vendor({ latencyMs: 1 })
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 1, concurrency: 4 })] })
    const receipts: string[] = []
    for await (const report of eraser.eraseMany(subjects(50), { journal })) {
      // The receipt store fails on the fifth report: the loop ends there.
      if (receipts.length === 4) break
      receipts.push(report.subjectRef)
    }
    // Only the reports whose receipts were written are journaled, though more were confirmed.
    expect(journal.size).toBe(4)
    expect(api.calls.length).toBeGreaterThan(5)
    const resumed = await collect(createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 1 })] }).eraseMany(subjects(50), { journal }))
    const journaled = resumed.filter((report) => report.outcomes[0]!.reason === 'journaled').map((report) => report.subjectRef)
    expect(journaled.sort()).toEqual([...receipts].sort())
    expect(journal.size).toBe(50)
  })

  it('after a hook\'s error ends the run, the reports still handed over are journaled', async () => {
    const journal = createMemoryJournal()
    const eraser = createEraser({ providers: [bulkProvider('p', vendor({ latencyMs: 1 }).fetch, { batchSize: 1, concurrency: 4 })] })
    let outcomes = 0
    let failedRef: string | undefined
    eraser.hook('outcome', (outcome) => {
      if (++outcomes === 20) (failedRef = outcome.subjectRef), (() => { throw new Error('audit sink down') })()
    })
    const taken: Report[] = []
    await expect(async () => {
      for await (const report of eraser.eraseMany(subjects(100), { journal })) {
        // A receipt write: reports pile up meanwhile, and some are handed over after the error.
        await new Promise((resolve) => setTimeout(resolve, 2))
        taken.push(report)
      }
    }).rejects.toThrow('audit sink down')
    // All but the subject whose own outcome hook threw: its audit write failed, so a resumed run sends it again.
    const accepted = taken.filter((report) => report.ok)
    expect(accepted.length).toBeGreaterThan(10)
    expect(accepted.some((report) => report.subjectRef === failedRef)).toBe(true)
    expect(journal.size).toBe(accepted.length - 1)
  })

  it('a journal skips by ref and identifier: a reused ref or a changed identifier is sent', async () => {
    const journal = createMemoryJournal()
    const first = vendor()
    const eraser1 = createEraser({ providers: [bulkProvider('p', first.fetch, { batchSize: 1 })] })
    await collect(eraser1.eraseMany([{ ref: 'ticket-1', userId: 'alice' }, { ref: 'ticket-2', userId: 'bob' }], { journal }))
    expect(journal.size).toBe(2)
    const second = vendor()
    const eraser2 = createEraser({ providers: [bulkProvider('p', second.fetch, { batchSize: 1 })] })
    const run2 = await collect(eraser2.eraseMany([
      { ref: 'ticket-1', userId: 'alice' }, // done: skipped
      { ref: 'ticket-1', userId: 'carol' }, // the same ticket, another person
      { ref: 'ticket-2', userId: 'bob-corrected' }, // the identifier changed since
    ], { journal }))
    expect(second.calls.map((call) => call.ids).sort()).toEqual([['bob-corrected'], ['carol']])
    const skipped = run2.flatMap((report) => report.outcomes).filter((outcome) => outcome.reason === 'journaled')
    expect(skipped).toHaveLength(1)
    // The skipped outcome names the identifier it stands for, as a hash.
    expect(skipped[0]!.identifier).toEqual({ kind: 'userId', hash: await hashIdentifier('alice') })
    // Asked without a hash, the journal answers for any identifier of that subject.
    expect(journal.has('ticket-2', 'p')).toBe(true)
    expect(journal.has('ticket-2', 'p', undefined, await hashIdentifier('bob'))).toBe(true)
    expect(journal.has('ticket-2', 'p', undefined, await hashIdentifier('someone-else'))).toBe(false)
  })

  it('abort stops intake and still reports every subject read, failed as aborted where unfinished', async () => {
    const api = vendor({ latencyMs: 20 })
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 5, concurrency: 1 })] })
    const controller = new AbortController()
    let read = 0
    function* endless() {
      for (let i = 1; ; i++) {
        read++
        yield { userId: `u${i}` }
      }
    }
    const reports: Report[] = []
    for await (const report of eraser.eraseMany(endless(), { signal: controller.signal, window: 50 })) {
      reports.push(report)
      if (reports.length === 10) controller.abort()
    }
    expect(reports).toHaveLength(read)
    expect(new Set(reports.map((report) => report.subjectRef)).size).toBe(read)
    const aborted = reports.filter((report) => report.outcomes[0]!.error?.code === 'aborted')
    expect(aborted.length).toBeGreaterThan(0)
    expect(aborted.length + reports.filter((report) => report.ok).length).toBe(read)
  })

  it('an item an async input hands over just after the abort is reported, as aborted', async () => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 1 })] })
    const controller = new AbortController()
    let handedOver = 0
    async function* slow() {
      for (let i = 1; ; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        handedOver++
        yield { ref: `r${i}`, userId: `u${i}` }
      }
    }
    const reports: Report[] = []
    // Aborted while the generator waits before its third item: that item is still handed over.
    setTimeout(() => controller.abort(), 50)
    for await (const report of eraser.eraseMany(slow(), { signal: controller.signal })) reports.push(report)
    expect(handedOver).toBe(3)
    expect(reports.map((report) => report.subjectRef).sort()).toEqual(['r1', 'r2', 'r3'])
    expect(reports.find((report) => report.subjectRef === 'r3')!.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'aborted' } })
  })

  it('an async input that never ends cannot hang an aborted run', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 1 })] })
    const controller = new AbortController()
    async function* stalls() {
      yield { userId: 'u1' }
      await new Promise(() => {})
    }
    const reports: Report[] = []
    setTimeout(() => controller.abort(), 50)
    for await (const report of eraser.eraseMany(stalls(), { signal: controller.signal })) reports.push(report)
    expect(reports).toHaveLength(1)
  })

  it('surfaces an input that throws, even when nothing is pending', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 1 })] })
    async function* broken() {
      yield { userId: 'u1' }
      await new Promise((resolve) => setTimeout(resolve, 20))
      throw new Error('input file unreadable')
    }
    const reports: Report[] = []
    await expect(
      (async () => {
        for await (const report of eraser.eraseMany(broken())) reports.push(report)
      })(),
    ).rejects.toThrow('input file unreadable')
    expect(reports).toHaveLength(1)
  })

  it.each(['sync', 'async'])('an input that throws (%s): every subject read is finished and reported, then the error', async (kind) => {
    const api = vendor({ latencyMs: 20 })
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 100, concurrency: 3 })] })
    const outcomes: string[] = []
    eraser.hook('outcome', (outcome) => void outcomes.push(outcome.subjectRef))
    function* sync() {
      yield* subjects(150)
      throw new Error('line 151 is malformed')
    }
    async function* async() {
      yield* sync()
    }
    const reports: Report[] = []
    const error = await (async () => {
      for await (const report of eraser.eraseMany(kind === 'sync' ? sync() : async())) reports.push(report)
    })().catch((thrown: Error) => thrown)
    expect(error).toMatchObject({ message: 'line 151 is malformed' })
    expect(reports).toHaveLength(150)
    expect(reports.every((report) => report.ok && report.outcomes[0]!.status === 'accepted')).toBe(true)
    expect(api.calls.flatMap((call) => call.ids)).toHaveLength(150)
    // Nothing runs on after the loop has thrown.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(outcomes).toHaveLength(150)
  })

  it.each([
    ['an outcome hook, for a subject that sends nothing', (eraser: ReturnType<typeof createEraser>) => eraser.hook('outcome', () => { throw new Error('audit sink down') }), {}],
    ['a report hook', (eraser: ReturnType<typeof createEraser>) => eraser.hook('report', () => { throw new Error('audit sink down') }), {}],
    ['journal.has', () => {}, { journal: { record: () => {}, has: () => Promise.reject(new Error('audit sink down')) } }],
  ])('a failing %s rejects the run (never hangs)', async (_, install, options) => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 1 })] })
    install(eraser)
    const run = (async () => {
      for await (const _report of eraser.eraseMany([{ email: 'no-user-id@example.com' }, { userID: 'typo' }, { userId: 'u1' }] as never, options)) void _report
    })()
    await expect(run).rejects.toThrow('audit sink down')
  })

  it('reports invalid subjects in the stream instead of stopping it', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 10 })] })
    const reports = await collect(eraser.eraseMany([{ userId: 'ok' }, { userId: 5 }, null, { ref: 'r-x', email: '' }] as never))
    expect(reports).toHaveLength(4)
    const bad = reports.filter((report) => !report.ok)
    expect(bad.map((report) => report.outcomes[0]!.error!.code)).toEqual(['invalid_subject', 'invalid_subject', 'invalid_subject'])
    expect(bad.map((report) => report.subjectRef).sort()).toEqual(['#2', '#3', 'r-x'])
    expect(api.calls.flatMap((call) => call.ids)).toEqual(['ok'])
  })

  it('a source whose Symbol.asyncIterator is undefined is read through Symbol.iterator, as for await reads it', async () => {
    const source = { [Symbol.asyncIterator]: undefined, *[Symbol.iterator]() { yield* subjects(2) } }
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 10 })] })
    const reports = await collect(eraser.eraseMany(source as never))
    expect(reports.map((report) => [report.subjectRef, report.ok]).sort()).toEqual([['r1', true], ['r2', true]])
  })

  it('an unset ids entry (undefined) is absent, as in erase(): the subject is erased, not refused', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 10 })] })
    const reports = await collect(eraser.eraseMany([{ userId: 'u1', ids: { p: undefined } }, { userId: 'u2', ids: { p: null } }] as never))
    const outcomes = Object.fromEntries(reports.map((report) => [report.subjectRef, [report.outcomes[0]!.status, report.outcomes[0]!.error?.code]]))
    expect(outcomes).toEqual({ '#1': ['accepted', undefined], '#2': ['failed', 'invalid_subject'] })
    expect(api.calls.flatMap((call) => call.ids)).toEqual(['u1'])
  })

  it('emits progress with counts per provider and status, and a final event', async () => {
    const api = vendor({ fail: (ids) => (ids[0] === 'u2' ? 400 : undefined) })
    const events: Progress[] = []
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 1 })] })
    const hooked: Progress[] = []
    eraser.hook('progress', (progress) => void hooked.push(progress))
    await collect(eraser.eraseMany([{ userId: 'u1' }, { userId: 'u2' }, { email: 'x@example.com' }], { onProgress: (p) => void events.push(p), progressIntervalMs: 0 }))
    const last = events.at(-1)!
    expect(last).toMatchObject({ read: 3, reported: 3, done: true, providers: { p: { accepted: 1, failed: 1, skipped: 1, deleted: 0, not_found: 0 } }, journaled: { p: 0 } })
    expect(events.length).toBeGreaterThanOrEqual(2)
    expect(hooked).toEqual(events)
  })

  it('onProgress and the progress hook each get their own event: editing one changes nothing the other sees', async () => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 1 })] })
    const hooked: Progress[] = []
    eraser.hook('progress', (progress) => void hooked.push(structuredClone(progress)))
    const onProgress = (progress: Progress) => {
      progress.reported = -1
      progress.providers.p!.accepted = -1
    }
    await collect(eraser.eraseMany(subjects(2), { onProgress, progressIntervalMs: 0 }))
    expect(hooked.at(-1)).toMatchObject({ reported: 2, done: true, providers: { p: { accepted: 2 } } })
  })

  it.each(['onProgress', 'the progress hook'] as const)('when %s throws, it is not called again, and the other listener still gets every event and the last, done', async (which) => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor({ latencyMs: 1 }).fetch, { batchSize: 1 })] })
    const events = { listener: [] as Progress[], hook: [] as Progress[] }
    const thrower = which === 'onProgress' ? 'listener' : 'hook'
    const record = (key: 'listener' | 'hook') => (event: Progress) => {
      events[key].push(event)
      if (key === thrower && events[key].length === 2) throw new Error('dashboard down')
    }
    eraser.hook('progress', record('hook'))
    await expect(collect(eraser.eraseMany(subjects(20), { onProgress: record('listener'), progressIntervalMs: 0 }))).rejects.toThrow('dashboard down')
    const other = events[thrower === 'hook' ? 'listener' : 'hook']
    expect(events[thrower]).toHaveLength(2)
    // The event the thrower failed on reached the other one too, and so did the rest.
    expect(other.length).toBeGreaterThan(2)
    expect(other.filter((event) => event.done)).toHaveLength(1)
    expect(other.at(-1)!.done).toBe(true)
  })

  it('progress counts what was delivered, and a loop that stops early still gets a last event', async () => {
    const api = vendor({ latencyMs: 1 })
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 1, concurrency: 8 }), bulkProvider('q', api.fetch, { batchSize: 10 })] })
    const events: Progress[] = []
    let taken = 0
    for await (const report of eraser.eraseMany(subjects(200), { onProgress: (event) => void events.push(event), progressIntervalMs: 0 })) {
      expect(report.ok).toBe(true)
      if (++taken === 30) break
    }
    for (const event of events) {
      // Every count is an outcome of a report the loop was given.
      expect(event.providers.p!.accepted).toBe(event.reported)
      expect(event.providers.q!.accepted).toBe(event.reported)
      expect(event.perSecond).toBe(event.elapsedMs ? Math.round((event.reported * 10_000) / event.elapsedMs) / 10 : 0)
    }
    expect(events.filter((event) => event.done)).toHaveLength(1)
    expect(events.at(-1)).toMatchObject({ done: true, reported: 30 })
  })

  it.each([
    ['its journal', (eraser: ReturnType<typeof createEraser>) => ({ journal: { has: () => false, record: () => { throw new Error('disk full') } } })],
    ['an outcome hook', (eraser: ReturnType<typeof createEraser>) => (eraser.hook('outcome', () => { throw new Error('disk full') }), {})],
  ] as const)('a run stopped by %s still gets a last event, done, and throws the error that stopped it', async (_, setup) => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 1 })] })
    const events: Progress[] = []
    await expect(collect(eraser.eraseMany(subjects(20), { ...setup(eraser), onProgress: (event) => void events.push(event), progressIntervalMs: 0 }))).rejects.toThrow('disk full')
    expect(events.at(-1)!.done).toBe(true)
    expect(events.filter((event) => event.done)).toHaveLength(1)
  })

  it('an onProgress that throws ends the run with its error, and is not called again for a last event', async () => {
    const calls: boolean[] = []
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 1 })] })
    const onProgress = (event: Progress) => {
      calls.push(event.done)
      throw new Error(event.done ? 'second' : 'first')
    }
    await expect(collect(eraser.eraseMany(subjects(5), { onProgress, progressIntervalMs: 0 }))).rejects.toThrow('first')
    expect(calls).toEqual([false])
  })
  it('a provider that matches nothing for a subject does not make a held batch go: it still waits for the lane of single requests', async () => {
    const slow = fieldLane('slow', 'userId', { batchSize: 1, concurrency: 1 }, 5)
    const big = fieldLane('big', 'userId', { batchSize: 1000 })
    // A second batching provider for which no subject has an identifier: skipped at once, it sends nothing.
    const mail = fieldLane('mail', 'email', { batchSize: 1000 })
    const eraser = createEraser({ providers: [slow.provider, big.provider, mail.provider] })
    const reports = await collect(eraser.eraseMany(subjects(150), { window: 30, lingerMs: 1 }))
    expect(reports).toHaveLength(150)
    expect(mail.calls).toEqual([])
    expect(big.calls.flatMap((call) => call.ids)).toHaveLength(150)
    expect(big.calls.length).toBeLessThanOrEqual(15)
  })

})

describe('eraseMany: nothing hangs, nothing is lost', () => {
  const never = <T>() => new Promise<T>(() => {})

  it('an already-aborted signal reads nothing, even from an input stuck in next()', async () => {
    let pulls = 0
    const stuck: AsyncIterable<{ userId: string }> = { [Symbol.asyncIterator]: () => ({ next: () => (pulls++, never()) }) }
    const eraser = createEraser({ providers: [bulkProvider('v', vendor().fetch, { batchSize: 5 })] })
    expect(await collect(eraser.eraseMany(stuck, { signal: AbortSignal.abort() }))).toEqual([])
    expect(pulls).toBe(0)
    expect(await collect(eraser.eraseMany(subjects(3), { signal: AbortSignal.abort() }))).toEqual([])
  })

  it('breaking out while the window is full closes the input', async () => {
    let closed = false
    function* input() {
      try {
        yield* subjects(50)
      } finally {
        closed = true
      }
    }
    const api = vendor({ latencyMs: 20 })
    const eraser = createEraser({ providers: [bulkProvider('v', api.fetch, { batchSize: 1, concurrency: 1 })] })
    for await (const _report of eraser.eraseMany(input(), { window: 3 })) break
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(closed).toBe(true)
  })

  it('a provider that ignores its signal cannot hold an aborted run; every subject read is reported', async () => {
    const deaf = defineProvider({ name: 'deaf', specificationVersion: 1, options: {}, baseURL: 'https://vendor.example', match: (s) => (s.userId ? { kind: 'userId', value: s.userId } : undefined), erase: () => never() })
    const controller = new AbortController()
    const run = collect(createEraser({ providers: [deaf] }).eraseMany(subjects(2), { signal: controller.signal }))
    await new Promise((resolve) => setTimeout(resolve, 10))
    controller.abort()
    const reports = await run
    expect(reports.map((report) => report.outcomes[0]!.error?.code)).toEqual(['aborted', 'aborted'])
  })

  it('an answer in hand when the abort lands is kept: journaled, and not sent again by a resumed run', async () => {
    const api = vendor()
    const journal = createMemoryJournal()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 10 })] })
    const controller = new AbortController()
    // The vendor has answered; a metrics hook is still writing when the caller aborts.
    eraser.hook('afterResponse', () => new Promise<void>((resolve) => setTimeout(resolve, 50)))
    setTimeout(() => controller.abort(), 20)
    const first = await collect(eraser.eraseMany(subjects(2), { signal: controller.signal, journal, lingerMs: 0 }))
    expect(first.map((report) => report.outcomes[0]!.status)).toEqual(['accepted', 'accepted'])
    const resumed = await collect(createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 10 })] }).eraseMany(subjects(2), { journal }))
    expect(resumed.map((report) => report.outcomes[0]!.reason)).toEqual(['journaled', 'journaled'])
    expect(api.calls).toHaveLength(1)
  })

  it('an abort while the request is still on the wire reports it aborted, and a stuck hook after the answer holds the run LATE_MS at most', async () => {
    const slow = vendor({ latencyMs: 200 })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 20)
    const onWire = await collect(createEraser({ providers: [bulkProvider('p', slow.fetch, {})] }).eraseMany(subjects(1), { signal: controller.signal }))
    expect(onWire[0]!.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'aborted' } })

    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, {})] })
    eraser.hook('afterResponse', () => never())
    const stuck = new AbortController()
    setTimeout(() => stuck.abort(), 20)
    const reports = await collect(eraser.eraseMany(subjects(1), { signal: stuck.signal }))
    expect(reports[0]!.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'aborted' } })
  })

  it.each([
    ['an object without toString', () => Object.create(null)],
    ['an error whose message getter throws', () => Object.defineProperty(new Error(), 'message', { get: () => { throw new Error('u2@example.com') } })],
    ['a Proxy whose traps throw', () => new Proxy({}, { has: () => { throw new Error('trap') }, get: () => { throw new Error('trap') }, getPrototypeOf: () => { throw new Error('trap') } })],
    ['a Proxy that passes for an ErasureError and throws when read', () => new Proxy({}, { has: () => true, get: () => { throw new Error('trap u2') } })],
    ['an ErasureError whose message getter throws', () => Object.defineProperty(new ErasureError('provider_error', 'x'), 'message', { get: () => { throw new Error('getter u2') } })],
    ['a frozen ErasureError that quotes the identifier (a plugin\'s shared error)', () => Object.freeze(new ErasureError('provider_error', 'no user u2', { provider: 'odd' }))],
    ['an ErasureError whose code getter throws', () => Object.defineProperty(new ErasureError('provider_error', 'x', { provider: 'odd' }), 'code', { get: () => { throw new Error('getter u2') } })],
    ['an ErasureError that gives the identifier as its provider', () => new ErasureError('provider_error', 'gone', { provider: 'u2' })],
  ])('a provider that throws %s, in erase or in match: that subject is failed as provider_error, every subject reported, the run goes on', async (_, thrown) => {
    for (const where of ['erase', 'match']) {
      const odd = defineProvider({
        name: 'odd',
        specificationVersion: 1,
        options: {},
        baseURL: 'https://vendor.example',
        limits: { batchSize: 1, concurrency: 1 },
        match: (subject) => {
          if (where === 'match' && subject.userId === 'u2') throw thrown()
          return subject.userId ? { kind: 'userId', value: subject.userId } : undefined
        },
        erase: async (identifiers) => {
          await new Promise((resolve) => setTimeout(resolve, 5))
          if (identifiers[0]!.value === 'u2') throw thrown()
          return identifiers.map(() => ({ status: 'deleted' as const }))
        },
      })
      const reports = await collect(createEraser({ providers: [odd] }).eraseMany(subjects(3), { lingerMs: 0 }))
      expect(reports.map((report) => [report.subjectRef, report.outcomes[0]!.status]).sort()).toEqual([['r1', 'deleted'], ['r2', 'failed'], ['r3', 'deleted']])
      const failed = reports.find((report) => report.subjectRef === 'r2')!.outcomes[0]!
      expect(failed.error).toMatchObject({ code: expect.stringMatching(/^(provider_error|network)$/) })
      expect(JSON.stringify(failed)).not.toContain('u2')
      const single = await createEraser({ providers: [odd] }).erase({ userId: 'u2' })
      expect(single.outcomes[0]).toMatchObject({ status: 'failed', error: { code: expect.stringMatching(/^(provider_error|network)$/) } })
      expect(JSON.stringify(single)).not.toContain('u2')
    }
  })

  /** A provider named `odd` that erases by userId as `erase` does. */
  const oddProvider = (erase: Provider['erase']) =>
    defineProvider({ name: 'odd', specificationVersion: 1, options: {}, baseURL: 'https://vendor.example', match: (subject) => subject.userId && { kind: 'userId', value: subject.userId }, erase })
  /** An erase whose one request is answered, then refused by its response mapper throwing `thrown()`. */
  const mapperThrows = (thrown: () => unknown): Provider['erase'] => async (identifiers, ctx) => {
    await ctx.request({ method: 'DELETE', url: '/x', retry: false }, () => {
      throw thrown()
    })
    return identifiers.map(() => ({ status: 'deleted' as const }))
  }

  it('an ErasureError read once: a provider getter that names the identifier on its second read reaches no hook', async () => {
    let reads = 0
    const odd = oddProvider(mapperThrows(() => Object.defineProperty(new ErasureError('invalid_request', 'no such user', { provider: 'odd' }), 'provider', { get: () => (reads++ ? 'user-4711' : 'odd'), enumerable: true })))
    const eraser = createEraser({ providers: [odd], fetch: async () => new Response(null, { status: 204 }) })
    const seen: string[] = []
    eraser.hook('onError', (ctx) => void seen.push(JSON.stringify(ctx)))
    const report = await eraser.erase({ userId: 'user-4711' })
    expect(report.outcomes[0]!.error).toMatchObject({ code: 'invalid_request', message: '[erasekit] [odd] no such user' })
    expect(seen.join()).not.toContain('user-4711')
    expect(JSON.stringify(report)).not.toContain('user-4711')
  })

  it.each([
    ['a look-alike whose fields are getters on its prototype', () => {
      class LookAlike extends Error {
        constructor(message: string) {
          super(message)
          Object.defineProperty(this, Symbol.for('erasekit.error'), { value: true })
        }
        get code() { return 'rate_limited' }
        get retryable() { return true }
        get provider() { return 'odd' }
      }
      return new LookAlike('[erasekit] [odd] slow down')
    }, { code: 'rate_limited', message: '[erasekit] [odd] slow down', retryable: true }],
    ['a built one whose status was set to the identifier', () => Object.assign(new ErasureError('invalid_request', 'bad', { provider: 'odd' }), { status: 'user u-4711' })
      , { code: 'invalid_request', message: '[erasekit] [odd] bad', retryable: false }],
    ['a built one whose code was set outside the closed set', () => Object.assign(new ErasureError('invalid_request', 'bad', { provider: 'odd' }), { code: 'no_u-4711' })
      , { code: 'provider_error', message: '[erasekit] [odd] bad', retryable: false }],
  ])('an ErasureError is kept only as the types the class gives its fields: %s', async (_, thrown, expected) => {
    const odd = oddProvider(mapperThrows(thrown))
    const eraser = createEraser({ providers: [odd], fetch: async () => new Response(null, { status: 204 }) })
    const seen: string[] = []
    eraser.hook('onError', (ctx) => void seen.push(JSON.stringify(ctx)))
    const report = await eraser.erase({ userId: 'u-4711' })
    expect(report.outcomes[0]!.error).toEqual(expected)
    expect(seen.join() + JSON.stringify(report)).not.toContain('4711')
  })

  it('an ErasureError whose provider is not a string keeps its code, text and retryable', async () => {
    let calls = 0
    const odd = oddProvider(async () => {
      calls++
      throw new ErasureError('rate_limited', 'slow down', { provider: 42 as never, retryable: true })
    })
    const { outcomes } = await createEraser({ providers: [odd] }).erase({ userId: 'u1' })
    expect(outcomes[0]!.error).toEqual({ code: 'rate_limited', message: '[erasekit] [odd] [42] slow down', retryable: true })
    expect(calls).toBe(1)
  })

  it('an ErasureError kept on a copy keeps its redacted text: a read-only message is not lost', async () => {
    const odd = oddProvider(async () => {
      throw Object.defineProperty(new ErasureError('invalid_request', 'no user u2', { provider: 'odd' }), 'message', { value: '[erasekit] [odd] no user u2', writable: false })
    })
    const { outcomes } = await createEraser({ providers: [odd] }).erase({ userId: 'u2' })
    expect(outcomes[0]!.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^\[erasekit\] \[odd\] no user \[id:[0-9a-f]{8}\]$/) })
  })

  it('a subject whose field getter throws is invalid_subject, never the thrown text', async () => {
    const lazy = Object.defineProperty({ ref: 'g' }, 'userId', {
      enumerable: true,
      get() {
        throw new Error('lazy load failed for alice@example.com')
      },
    })
    const eraser = createEraser({ providers: [bulkProvider('v', vendor().fetch, { batchSize: 1 })] })
    const [report] = await collect(eraser.eraseMany([lazy] as never[]))
    expect(report!.outcomes[0]!.error).toEqual({ code: 'invalid_subject', message: '[erasekit] subject: could not be read', retryable: false })
  })

  it('a journal whose record fails is not written to again: the reports still handed over after its error are not recorded', async () => {
    const recorded: string[] = []
    const journal = {
      has: () => false,
      async record(outcome: { subjectRef: string }) {
        // Past the microtasks that settle the rest of the batch: its other reports are then ready.
        await new Promise((resolve) => setTimeout(resolve, 1))
        recorded.push(outcome.subjectRef)
        if (recorded.length === 1) throw new Error('journal disk full')
      },
    }
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 10 })] })
    const reports: string[] = []
    await expect(async () => {
      for await (const report of eraser.eraseMany(subjects(3), { journal })) reports.push(report.subjectRef)
    }).rejects.toThrow('journal disk full')
    // One batch of three: all its reports are handed over, and only the first one's record was tried.
    expect(reports).toEqual(['r1', 'r2', 'r3'])
    expect(recorded).toEqual(['r1'])
  })

  it('a report hook that throws for one subject stops the run after every other subject read is reported (its batch too)', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 10 })] })
    eraser.hook('report', (report) => {
      if (report.subjectRef === 'r3') throw new Error('audit sink down')
    })
    const read: string[] = []
    const counted = function* () {
      for (const subject of subjects(40)) yield (read.push(subject.ref), subject)
    }
    const reports: Report[] = []
    await expect((async () => {
      for await (const report of eraser.eraseMany(counted())) reports.push(report)
    })()).rejects.toThrow('audit sink down')
    // Every subject read is reported, r3 too: it was erased although its audit write failed.
    expect(read.length).toBeGreaterThanOrEqual(10)
    expect(reports.map((report) => report.subjectRef).sort()).toEqual([...read].sort())
    expect(reports.find((report) => report.subjectRef === 'r3')!.outcomes[0]!.status).toBe('accepted')
  })

  it('a loop that breaks while the reports before a hook\'s error are delivered still gets that error', async () => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 10 })] })
    let threw = false
    eraser.hook('report', (report) => {
      if (report.subjectRef === 'r3') (threw = true), (() => { throw new Error('audit sink down') })()
    })
    let taken = 0
    await expect((async () => {
      for await (const _report of eraser.eraseMany(subjects(40))) {
        taken++
        if (!threw) continue
        // A turn later the hook's error has stopped the run; the loop breaks while reports are delivered.
        await new Promise((resolve) => setTimeout(resolve, 0))
        break
      }
    })()).rejects.toThrow('audit sink down')
    expect(threw).toBe(true)
    expect(taken).toBeGreaterThan(0)
  })

  it('an error thrown in (it.throw, as Node\'s Readable.from does at destroy) gives way to the hook\'s error that stopped the run', async () => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 10 })] })
    eraser.hook('report', (report) => {
      if (report.subjectRef === 'r1') throw new Error('audit sink down')
    })
    const iterator = eraser.eraseMany(subjects(40))[Symbol.asyncIterator]()
    await iterator.next()
    await new Promise((resolve) => setTimeout(resolve, 0))
    await expect(iterator.throw!(new Error('consumer gave up'))).rejects.toThrow('audit sink down')
  })

  it.each(['outcome', 'report'] as const)('an %s hook that throws for the last subject pending: it is still reported, not journaled, and the run ends with the error', async (name) => {
    const api = vendor({ latencyMs: 5 })
    const journal = createMemoryJournal()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 1 }), bulkProvider('q', api.fetch, { batchSize: 1 })] })
    const seen: string[] = []
    eraser.hook(name, (value: { subjectRef: string }) => {
      seen.push(value.subjectRef)
      if (value.subjectRef === 'r3') throw new Error('audit sink down')
    })
    const reports: Report[] = []
    await expect((async () => {
      for await (const report of eraser.eraseMany(subjects(3), { journal })) reports.push(report)
    })()).rejects.toThrow('audit sink down')
    expect(reports.map((report) => report.subjectRef).sort()).toEqual(['r1', 'r2', 'r3'])
    // Its hook's error stops the run: r3 is accepted where that outcome was, aborted or accepted on the other lane.
    expect(reports.find((report) => report.subjectRef === 'r3')!.outcomes.some((outcome) => outcome.status === 'accepted')).toBe(true)
    // No more hooks for r3 after its own threw.
    expect(seen.filter((ref) => ref === 'r3')).toHaveLength(1)
    // A resumed run sends r3 again (its audit write failed), and skips the others.
    const resumed = await collect(createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 1 }), bulkProvider('q', api.fetch, { batchSize: 1 })] }).eraseMany(subjects(3), { journal }))
    expect(resumed.filter((report) => report.outcomes.some((outcome) => outcome.reason !== 'journaled')).map((report) => report.subjectRef)).toEqual(['r3'])
  })

  it('a hook error stops the run while another batch\'s afterResponse hook runs past 1 s: that subject is still reported', async () => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 1, concurrency: 2 })] })
    // A metrics hook slow for u2's answer; the audit sink fails for r1.
    eraser.hook('afterResponse', async (ctx) => {
      if ((ctx.request.body as { ids: string[] }).ids[0] === 'u2') await new Promise((resolve) => setTimeout(resolve, 1_300))
    })
    eraser.hook('outcome', async (outcome) => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      if (outcome.subjectRef === 'r1') throw new Error('audit sink down')
    })
    const reports: Report[] = []
    await expect((async () => {
      for await (const report of eraser.eraseMany(subjects(2), { lingerMs: 0 })) reports.push(report)
    })()).rejects.toThrow('audit sink down')
    expect(reports.map((report) => report.subjectRef).sort()).toEqual(['r1', 'r2'])
  })

  it('a hook that throws for an outcome settled while the subject is read in (no identifier): the subject is still reported, at once', async () => {
    const eraser = createEraser({ providers: [bulkProvider('mail', vendor().fetch, { batchSize: 10 }), bulkProvider('crm', vendor().fetch, { batchSize: 10 })] })
    // Both lanes match userId; r2 has none, so both of its outcomes are settled at read-in.
    eraser.hook('outcome', (outcome) => {
      if (outcome.subjectRef === 'r2') throw new Error('audit sink down')
    })
    const reports: Report[] = []
    await expect((async () => {
      for await (const report of eraser.eraseMany([{ ref: 'r1', userId: 'u1' }, { ref: 'r2', email: 'x@example.com' }], { lingerMs: 0 })) reports.push(report)
    })()).rejects.toThrow('audit sink down')
    expect(reports.map((report) => [report.subjectRef, report.outcomes.map((outcome) => outcome.reason ?? outcome.status)]).sort()).toEqual([
      ['r1', expect.any(Array)],
      ['r2', ['no_identifier', 'no_identifier']],
    ])
  })

  it('after a hook stuck past its 1 s bound, the error that stops the run still waits for the reports in hand', async () => {
    let stopping = false
    let hung = false
    const eraser = createEraser({ providers: [bulkProvider('a', vendor().fetch, { batchSize: 50 }), bulkProvider('b', vendor({ latencyMs: 20 }).fetch, { batchSize: 1, concurrency: 1 })] })
    eraser.hook('outcome', () => (stopping && !hung ? ((hung = true), new Promise<void>(() => {})) : undefined))
    eraser.hook('report', (report) => {
      if (report.subjectRef === 'r3') (stopping = true), (() => { throw new Error('audit sink down') })()
    })
    const reports: Report[] = []
    await expect((async () => {
      for await (const report of eraser.eraseMany(subjects(100))) reports.push(report)
    })()).rejects.toThrow('audit sink down')
    // All of them (the hung outcome hook is let go after 1 s, its subject reported).
    expect(reports.map((report) => report.subjectRef).sort()).toEqual([...subjects(100)].map((subject) => subject.ref).sort())
  })

  it('an onProgress that throws stops the run with its error, after a report for every subject read', async () => {
    const api = vendor({ latencyMs: 5 })
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 1 })] })
    let events = 0
    const onProgress = () => {
      if (++events === 2) throw new Error('dashboard down')
    }
    let read = 0
    const counted = function* () {
      for (const subject of subjects(200)) yield (read++, subject)
    }
    const reports: Report[] = []
    await expect((async () => {
      for await (const report of eraser.eraseMany(counted(), { onProgress, progressIntervalMs: 0 })) reports.push(report)
    })()).rejects.toThrow('dashboard down')
    expect(reports.length).toBe(read)
    expect(reports.some((report) => report.outcomes[0]!.error?.code === 'aborted')).toBe(true)
  })

  it('a journal that throws undefined ends the run with that error, after a report for every subject read', async () => {
    let records = 0
    const journal = { has: () => false, record: () => void (++records === 3 && (() => { throw undefined })()) }
    const eraser = createEraser({ providers: [bulkProvider('v', vendor().fetch, { batchSize: 1, concurrency: 1 })] })
    const reports: Report[] = []
    let thrown: unknown = 'nothing'
    try {
      for await (const report of eraser.eraseMany(subjects(20), { journal })) reports.push(report)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeUndefined()
    // The third record failed: nothing more is recorded. Every subject read (all 20: the source is
    // synchronous) is still reported, aborted where it was not finished, before the error.
    expect(records).toBe(3)
    expect(reports.slice(0, 3).every((report) => report.ok)).toBe(true)
    expect(reports.map((report) => report.subjectRef).sort()).toEqual([...subjects(20)].map((subject) => subject.ref).sort())
    expect(reports.flatMap((report) => report.outcomes).filter((outcome) => outcome.status === 'failed').every((outcome) => outcome.error?.code === 'aborted')).toBe(true)
    expect(reports.some((report) => !report.ok)).toBe(true)
  })

  it('an input whose next() is a thenable that never settles cannot hang an aborted run', async () => {
    let pulls = 0
    const stuck: AsyncIterable<{ ref: string; userId: string }> = {
      [Symbol.asyncIterator]: () => ({ next: () => (++pulls === 1 ? Promise.resolve({ done: false, value: { ref: 'r1', userId: 'u1' } }) : ({ then() {} } as never)) }),
    }
    const eraser = createEraser({ providers: [bulkProvider('v', vendor().fetch, { batchSize: 1 })] })
    const reports = await collect(eraser.eraseMany(stuck, { signal: AbortSignal.timeout(50) }))
    expect(reports.map((report) => report.subjectRef)).toEqual(['r1'])
  })

  it.each([
    ['a journal whose record() never settles', { journal: { has: () => false, record: () => never<void>() } }, undefined],
    ['an onProgress that never settles', { onProgress: () => never<void>(), progressIntervalMs: 0 }, undefined],
    ['an outcome hook that never settles', {}, 'outcome'],
    ['a report hook that never settles', {}, 'report'],
  ] as const)('%s cannot hang an aborted run', async (_, options, hook) => {
    const eraser = createEraser({ providers: [bulkProvider('v', vendor().fetch, { batchSize: 1 })] })
    if (hook) eraser.hook(hook, () => never<void>())
    const controller = new AbortController()
    const run = collect(eraser.eraseMany(subjects(5), { ...options, signal: controller.signal }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const abortedAt = Date.now()
    controller.abort()
    await run
    // Waited for, after the abort, for a second at most.
    expect(Date.now() - abortedAt).toBeLessThan(1900)
  })

  it.each([[42], [null], [undefined]])('an iterator whose next() returns %s (not an object) ends the run with an error, after the reports already made', async (bad) => {
    let pulls = 0
    const broken: Iterable<{ ref: string; userId: string }> = {
      [Symbol.iterator]: () => ({ next: () => (++pulls === 1 ? { done: false, value: { ref: 'r1', userId: 'u1' } } : (bad as never)) }),
    }
    const eraser = createEraser({ providers: [bulkProvider('v', vendor().fetch, { batchSize: 1 })] })
    const reports: Report[] = []
    await expect((async () => {
      for await (const report of eraser.eraseMany(broken)) reports.push(report)
    })()).rejects.toMatchObject({ code: 'invalid_config', message: '[erasekit] subjects: the iterator returned a result that is not an object' })
    expect(reports.map((report) => report.subjectRef)).toEqual(['r1'])
    expect(pulls).toBe(2)
  })

  it.each([[42], ['x'], [null]])('a %s that an async next() hands over after an abort, within its grace, is no subject: no phantom report', async (bad) => {
    const source: AsyncIterable<unknown> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise((resolve) => setTimeout(() => resolve(bad as never), 50)) }) }
    const eraser = createEraser({ providers: [bulkProvider('v', vendor().fetch, { batchSize: 1 })] })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 10)
    expect(await collect(eraser.eraseMany(source as AsyncIterable<{ userId: string }>, { signal: controller.signal }))).toEqual([])
  })

  it('after an abort, slow journal writes are each still awaited, one at a time, however long they take in all', async () => {
    let inFlight = 0
    let most = 0
    let finished = 0
    const journal = {
      has: () => false,
      record: async () => {
        most = Math.max(most, ++inFlight)
        await new Promise((resolve) => setTimeout(resolve, 100))
        inFlight--
        finished++
      },
    }
    // The vendor answers after 20 ms: all 15 are read (and sent) before the first report.
    const eraser = createEraser({ providers: [bulkProvider('v', vendor({ latencyMs: 20 }).fetch, { batchSize: 1, concurrency: 20 })] })
    const controller = new AbortController()
    let reports = 0
    for await (const _report of eraser.eraseMany(subjects(15), { journal, signal: controller.signal })) if (++reports === 1) controller.abort()
    // 15 writes of 100 ms: 1.5 s in all, past the deadline, yet each was within its own.
    expect(reports).toBe(15)
    expect(finished).toBe(15)
    expect(most).toBe(1)
  })

  it('an aborted run waiting for a stuck hook keeps the process alive until it ends (a timer that is not unref\'d)', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
    const eraser = createEraser({ providers: [bulkProvider('v', vendor().fetch, { batchSize: 1 })] })
    eraser.hook('report', () => never<void>())
    const before = timers()
    const controller = new AbortController()
    const run = collect(eraser.eraseMany(subjects(2), { signal: controller.signal }))
    await new Promise((resolve) => setTimeout(resolve, 30))
    controller.abort()
    await new Promise((resolve) => setTimeout(resolve, 100))
    // A Node script whose only pending work is this wait must not exit before the run ends.
    expect(timers()).toBeGreaterThan(before)
    await run
  })

  it('after an abort, once a journal write is let go past its bound, the journal is not written to again (one write at a time)', async () => {
    let calls = 0
    let inFlight = 0
    let most = 0
    const journal = {
      has: () => false,
      async record() {
        calls++
        most = Math.max(most, ++inFlight)
        try {
          if (calls === 1) await never()
          throw new Error('journal write failed')
        } finally {
          inFlight--
        }
      },
    }
    const eraser = createEraser({ providers: [bulkProvider('v', vendor({ latencyMs: 5 }).fetch, { batchSize: 1 })] })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 30)
    const reports = await collect(eraser.eraseMany(subjects(20), { journal, signal: controller.signal, window: 5 }))
    expect(reports.length).toBeGreaterThan(0)
    expect({ calls, most }).toEqual({ calls: 1, most: 1 })
  })

  it('a journal write that fails after an abort still ends the run with its error, and leaves no timer behind', async () => {
    // The run's 1 s deadline timers, seen through setTimeout and clearTimeout: none may be left armed.
    const armed = new Set<unknown>()
    const { setTimeout: set, clearTimeout: clear } = globalThis
    const setSpy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const timer = set(() => (armed.delete(timer), fn()), ms)
      if (ms === 1000) armed.add(timer)
      return timer
    }) as never)
    const clearSpy = vi.spyOn(globalThis, 'clearTimeout').mockImplementation(((timer: ReturnType<typeof setTimeout>) => (armed.delete(timer), clear(timer))) as never)
    try {
      const controller = new AbortController()
      const journal = { has: () => false, record: () => (controller.signal.aborted ? Promise.reject(new Error('disk full')) : undefined) }
      const eraser = createEraser({ providers: [bulkProvider('v', vendor({ latencyMs: 20 }).fetch, { batchSize: 1, concurrency: 20 })] })
      await expect((async () => {
        for await (const _report of eraser.eraseMany(subjects(5), { journal, signal: controller.signal })) controller.abort()
      })()).rejects.toThrow('disk full')
      expect(armed.size).toBe(0)
    } finally {
      setSpy.mockRestore()
      clearSpy.mockRestore()
    }
  })

  it('a journal whose has() never answers cannot hang an aborted run: its subjects are aborted', async () => {
    const journal = { has: () => never<boolean>(), record: () => {} }
    const eraser = createEraser({ providers: [bulkProvider('v', vendor().fetch, { batchSize: 1 })] })
    const reports = await collect(eraser.eraseMany(subjects(1), { journal, signal: AbortSignal.timeout(50) }))
    expect(reports.map((report) => report.outcomes[0]!.error?.code)).toEqual(['aborted'])
  })

  it('a provider result whose fields throw when read fails that identifier, redacted, and the run goes on', async () => {
    const hostile = defineProvider({
      name: 'hostile',
      specificationVersion: 1,
      options: {},
      baseURL: 'https://vendor.example',
      match: (s) => (s.userId ? { kind: 'userId', value: s.userId } : undefined),
      erase: async (identifiers) =>
        identifiers.map((identifier) =>
          Object.defineProperty({}, 'status', {
            enumerable: true,
            get() {
              throw new Error(`getter ${identifier.value}`)
            },
          }) as ProviderResult,
        ),
    })
    const reports = await collect(createEraser({ providers: [hostile] }).eraseMany([{ ref: 'a', userId: 'person0@example.com' }, { ref: 'b', userId: 'u2' }]))
    expect(reports).toHaveLength(2)
    for (const report of reports) expect(report.outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'provider_error', retryable: false } })
    expect(JSON.stringify(reports)).not.toContain('person0@example.com')
  })

  it('lingerMs past the timer range (Infinity) waits for a full batch or the input\'s end, never fires at once', async () => {
    const api = vendor()
    async function* trickle() {
      for (const subject of subjects(3)) {
        await new Promise((resolve) => setTimeout(resolve, 5))
        yield subject
      }
    }
    const eraser = createEraser({ providers: [bulkProvider('v', api.fetch, { batchSize: 100 })] })
    expect(await collect(eraser.eraseMany(trickle(), { lingerMs: Infinity }))).toHaveLength(3)
    expect(api.calls.map((call) => call.ids.length)).toEqual([3])
  })

  it('a subject whose getters throw is a failed report, not the end of the run; an input error still ends with a done event', async () => {
    const hostile = Object.defineProperty({}, 'ref', {
      get() {
        throw new Error('boom')
      },
    })
    function* input() {
      yield { ref: 'ok-1', userId: 'u1' }
      yield hostile
      throw new Error('disk read failed')
    }
    const events: Progress[] = []
    const reports: Report[] = []
    const eraser = createEraser({ providers: [bulkProvider('v', vendor().fetch, { batchSize: 1 })] })
    await expect(
      (async () => {
        for await (const report of eraser.eraseMany(input() as Iterable<never>, { onProgress: (event) => void events.push(event) })) reports.push(report)
      })(),
    ).rejects.toThrow('disk read failed')
    expect(reports.map((report) => [report.subjectRef, report.ok]).sort()).toEqual([['#2', false], ['ok-1', true]])
    expect(events.at(-1)).toMatchObject({ done: true, reported: 2 })
  })
})

describe('eraseMany: behaviour pinned by the mutation audit', () => {
  it('progressIntervalMs: Infinity turns progress off, the last event included', async () => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 1 })] })
    const events: Progress[] = []
    eraser.hook('progress', (event) => void events.push(event))
    const reports = await collect(eraser.eraseMany(subjects(3), { onProgress: (event) => void events.push(event), progressIntervalMs: Infinity }))
    expect(reports).toHaveLength(3)
    expect(events).toEqual([])
  })

  it('an async onProgress is awaited: the next report and the end of the loop wait for it', async () => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 1 })] })
    const log: string[] = []
    const onProgress = async (event: Progress) => {
      log.push(`progress ${event.reported}${event.done ? ' done' : ''}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
      log.push('progress written')
    }
    for await (const _report of eraser.eraseMany(subjects(2), { onProgress, progressIntervalMs: 0 })) log.push('report')
    expect(log).toEqual(['report', 'progress 1', 'progress written', 'report', 'progress 2', 'progress written', 'progress 2 done', 'progress written'])
  })

  it('a dry run sends nothing and gives each report the batch request it would have gone in', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('p', api.fetch, { batchSize: 10 })] })
    const reports = await collect(eraser.eraseMany(subjects(3), { dryRun: true }))
    expect(api.calls).toEqual([])
    expect(reports).toHaveLength(3)
    for (const report of reports) {
      expect(report).toMatchObject({ ok: true, dryRun: true })
      expect(report.outcomes[0]).toMatchObject({ status: 'skipped', reason: 'dry_run', attempts: 0 })
      // One batch of three, redacted: each identifier as its hash prefix.
      expect(report.requests).toHaveLength(1)
      expect(report.requests![0]).toMatchObject({ provider: 'p', method: 'POST', url: 'https://vendor.example/all/delete' })
      expect((report.requests![0]!.body as { ids: string[] }).ids).toEqual([expect.stringMatching(/^\[id:[\da-f]{8}\]$/), expect.stringMatching(/^\[id:[\da-f]{8}\]$/), expect.stringMatching(/^\[id:[\da-f]{8}\]$/)])
      // One object, shared by the batch's reports: 10 000 subjects do not hold 10 000 copies of it.
      expect(report.requests![0]).toBe(reports[0]!.requests![0])
    }
  })

  it('a linger armed for a batch that went full is dropped: the next batch fills too, no stray call of one', async () => {
    // The first batch fills within lingerMs and is sent; its vendor answers after the linger is due.
    const api = vendor({ latencyMs: 150 })
    const eraser = createEraser({ providers: [bulkProvider('big', api.fetch, { batchSize: 100, concurrency: 1 })] })
    const reports = await collect(eraser.eraseMany(subjects(250), { window: 100, lingerMs: 50 }))
    expect(reports).toHaveLength(250)
    expect(api.calls.map((call) => call.ids.length)).toEqual([100, 100, 50])
  })

  it('a full window with nothing in flight sends its partial batch at once, however long lingerMs is', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('big', api.fetch, { batchSize: 100 })] })
    const run = collect(eraser.eraseMany(subjects(7), { window: 3, lingerMs: 60_000 }))
    // Nothing else can free the window: waiting for the linger would stall the run for a minute.
    const result = await Promise.race([run, new Promise((resolve) => setTimeout(resolve, 1000, 'stalled'))])
    expect(result).toHaveLength(7)
    expect(api.calls.flatMap((call) => call.ids)).toHaveLength(7)
    expect(api.calls.length).toBeGreaterThan(1)
  })

  it('when the last request in flight ends with the window full, the other lanes send their partial batches at once', async () => {
    const pairs = vendor({ latencyMs: 20 })
    const big = vendor()
    const eraser = createEraser({ providers: [bulkProvider('pairs', pairs.fetch, { batchSize: 2 }), bulkProvider('big', big.fetch, { batchSize: 100 })] })
    const run = collect(eraser.eraseMany(subjects(8), { window: 4, lingerMs: 60_000 }))
    // The big lane's batch is partial while pairs are in flight; once they are done, nothing else can free the window.
    const result = await Promise.race([run, new Promise((resolve) => setTimeout(resolve, 1000, 'stalled'))])
    expect(result).toHaveLength(8)
    expect(big.calls.flatMap((call) => call.ids)).toHaveLength(8)
  })

  it('a slot granted to a run whose batch can no longer go is given back at once to the other callers', async () => {
    const api = vendor({ latencyMs: 30 })
    const eraser = createEraser({ providers: [bulkProvider('capped', api.fetch, { batchSize: 100, concurrency: 1 })] })
    const holder = eraser.erase({ userId: 'holder' })
    await new Promise((resolve) => setTimeout(resolve, 5))
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    async function* input() {
      yield { ref: 'r1', userId: 'u1' }
      yield { ref: 'none' } // no identifier: its report is ready at once
      await gate
    }
    const reports = eraser.eraseMany(input(), { window: 2, lingerMs: 60_000 })[Symbol.asyncIterator]()
    // The window is full and nothing of the run is in flight: its partial batch asks for the slot the holder has.
    expect((await reports.next()).value).toMatchObject({ subjectRef: 'none' })
    await new Promise((resolve) => setTimeout(resolve, 5))
    // Taking the next report frees the window: by the time the slot is granted, the batch lingers on, and the slot goes back.
    const next = reports.next()
    expect((await holder).ok).toBe(true)
    const other = eraser.erase({ userId: 'other' })
    expect(await Promise.race([other.then((report) => report.ok), new Promise((resolve) => setTimeout(resolve, 500, 'stalled'))])).toBe(true)
    open()
    expect((await next).value).toMatchObject({ subjectRef: 'r1', ok: true })
    expect((await reports.next()).done).toBe(true)
    expect(api.calls.map((call) => call.ids)).toEqual([['holder'], ['other'], ['u1']])
  })

  it('an input that fails because the run was aborted ends the run quietly, after the reports already made', async () => {
    const controller = new AbortController()
    async function* input() {
      yield { ref: 'r1', userId: 'u1' }
      // A stream torn down by the same signal (a fetch body, a file read) rejects its pending read.
      await new Promise((_, reject) => controller.signal.addEventListener('abort', () => reject(new Error('stream destroyed'))))
    }
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 1 })] })
    const reports: Report[] = []
    const run = (async () => {
      for await (const report of eraser.eraseMany(input(), { signal: controller.signal })) {
        reports.push(report)
        controller.abort()
      }
    })()
    await expect(run).resolves.toBeUndefined()
    expect(reports.map((report) => [report.subjectRef, report.ok])).toEqual([['r1', true]])
  })

  it('the memory journal keeps provider targets apart: a deletion confirmed in one target skips no other', () => {
    const journal = createMemoryJournal()
    journal.record({ provider: 'p', target: 'ios', subjectRef: 'r1', identifier: { kind: 'userId', hash: 'h' }, status: 'deleted', attempts: 1, durationMs: 1, at: '2026-11-23T00:00:00.000Z' })
    expect(journal.has('r1', 'p', 'ios', 'h')).toBe(true)
    expect(journal.has('r1', 'p', 'android', 'h')).toBe(false)
    expect(journal.has('r1', 'p', undefined, 'h')).toBe(false)
  })

  it('the outcomes of a failed batch each get their own error: editing one report changes no other', async () => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor({ fail: () => 400 }).fetch, { batchSize: 10 })] })
    const reports = await collect(eraser.eraseMany(subjects(2)))
    expect(reports.map((report) => report.ok)).toEqual([false, false])
    const [first, second] = reports.map((report) => report.outcomes[0]!.error!)
    expect(second).toEqual(first)
    first!.message = 'edited by a receipt writer'
    expect(second!.message).not.toBe('edited by a receipt writer')
  })

  it('reads exactly `window` subjects before the first report is taken, not one more', async () => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor({ latencyMs: 20 }).fetch, { batchSize: 1, concurrency: 1 })] })
    let read = 0
    function* counted() {
      for (const subject of subjects(10)) {
        read++
        yield subject
      }
    }
    const readAtReport: number[] = []
    for await (const _report of eraser.eraseMany(counted(), { window: 3 })) readAtReport.push(read)
    expect(readAtReport[0]).toBe(3)
    expect(readAtReport).toHaveLength(10)
  })

  it('progressIntervalMs: 0 gives an event for every report, even within one millisecond', async () => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 1 })] })
    const events: Progress[] = []
    const clock = vi.spyOn(performance, 'now').mockReturnValue(12_345)
    try {
      await collect(eraser.eraseMany(subjects(3), { onProgress: (event) => void events.push(event), progressIntervalMs: 0 }))
    } finally {
      clock.mockRestore()
    }
    expect(events.map((event) => [event.reported, event.done])).toEqual([[1, false], [2, false], [3, false], [3, true]])
  })

  it('a loop that stops early gets the error of an onProgress that fails on the last event', async () => {
    const eraser = createEraser({ providers: [bulkProvider('p', vendor().fetch, { batchSize: 1 })] })
    const onProgress = (event: Progress) => {
      if (event.done) throw new Error('summary not written')
    }
    await expect((async () => {
      for await (const _report of eraser.eraseMany(subjects(5), { onProgress })) break
    })()).rejects.toThrow('summary not written')
  })

  it('a rate-limited send stays in the window until the clock is past perMs: the next never goes at exactly perMs', async () => {
    const api = vendor()
    let now = 1_000
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now)
    try {
      const eraser = createEraser({ providers: [bulkProvider('paced', api.fetch, { batchSize: 1, rate: { requests: 1, perMs: 100 } })] })
      expect((await eraser.erase({ userId: 'a' })).ok).toBe(true)
      // A coarse clock (1 ms steps in some browsers) reads whole ms: the first may really have gone late in its ms, so at +100 its window is not over.
      now += 100
      const second = eraser.erase({ userId: 'b' })
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(api.calls).toHaveLength(1)
      now += 1
      expect((await second).ok).toBe(true)
      expect(api.calls.map((call) => call.ids)).toEqual([['a'], ['b']])
    } finally {
      clock.mockRestore()
    }
  })

  it('a rate-limited send is logged once its fetch has been called: a fetch slow to call cannot let the next one in early', async () => {
    const api = vendor()
    let now = 1_000
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now)
    try {
      // Calling fetch takes 50 ms (a wrapper's synchronous work): the first request reaches the vendor at 1 050.
      const slowCall: typeof fetch = (input, init) => ((now += 50), api.fetch(input as string, init))
      const eraser = createEraser({ providers: [bulkProvider('paced', slowCall, { batchSize: 1, rate: { requests: 1, perMs: 100 } })] })
      expect((await eraser.erase({ userId: 'a' })).ok).toBe(true)
      // Past 1 000 + 100 (when the first was let through), not past 1 050 + 100 (when it went).
      now = 1_101
      const second = eraser.erase({ userId: 'b' })
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(api.calls).toHaveLength(1)
      now = 1_151
      expect((await second).ok).toBe(true)
      expect(api.calls.map((call) => call.ids)).toEqual([['a'], ['b']])
    } finally {
      clock.mockRestore()
    }
  })

  it('a caller aborted while it waits for its turn in the rate limit stops waiting at once, and leaves no timer behind', async () => {
    const api = vendor()
    const eraser = createEraser({ providers: [bulkProvider('paced', api.fetch, { batchSize: 1, rate: { requests: 1, perMs: 2_000 } })] })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    try {
      expect((await eraser.erase({ userId: 'a' })).ok).toBe(true)
      const controller = new AbortController()
      const waiting = eraser.erase({ userId: 'b' }, { signal: controller.signal })
      for (let i = 0; i < 100; i++) await Promise.resolve()
      // Its turn is ~2 s away: the limiter's one timer is all that is pending.
      expect(vi.getTimerCount()).toBe(1)
      controller.abort()
      expect((await waiting).outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'aborted' } })
      expect(api.calls).toHaveLength(1)
      // Nor does the limiter keep a timer for it (it would hold a process, a CLI interrupted, until the window ends).
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('a paced redirect hop keeps what is left of the attempt\'s timeout, on the monotonic clock: a wall clock step meanwhile changes nothing', async () => {
    const wall = Date.now.bind(Date)
    let jump = 0
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => wall() + jump)
    try {
      const moving: typeof fetch = (input) => {
        if (new URL(input as string).pathname.startsWith('/moved')) return new Promise((resolve) => setTimeout(() => resolve(Response.json({})), 50))
        // The wall clock steps an hour ahead (NTP, a VM resumed) as the redirect comes back.
        jump = 3_600_000
        return Promise.resolve(new Response(null, { status: 307, headers: { location: '/moved' } }))
      }
      // The hop answers 50 ms into a 300 ms budget: in time.
      const eraser = createEraser({ providers: [bulkProvider('hops', moving, { batchSize: 1, rate: { requests: 100, perMs: 1_000 } })], timeout: 300, retry: { limit: 0 } })
      expect((await eraser.erase({ userId: 'u1' })).outcomes[0]).toMatchObject({ status: 'accepted' })
    } finally {
      clock.mockRestore()
    }
  })
})
