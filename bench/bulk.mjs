// Bulk: N subjects erased from the four emulators in this process (their `fetch`), each emulator
// answering after a simulated latency and enforcing its documented limits (CleverTap 3 requests
// in flight, Batch 10 000 ids per call). Measures erasekit's `eraseMany` against the bound the
// providers' declared limits imply, or (--mode naive) a hand-written loop: a 16-slot limiter and
// one request per identifier per provider, no batching.
//
// --vendors cost-free replaces the emulators with vendors that cost this thread nothing but the
// latency: each request waits LATENCY ms and gets the vendor's success answer (a real Response),
// with no parsing, auth or store. It separates erasekit's own cost from the in-process emulators'
// CPU; the limits are then kept by the client alone (CleverTap's peak in flight is still reported).
//
//   node --expose-gc bench/bulk.mjs --subjects 100000 [--mode erasekit|naive] [--latency 5] [--naive-concurrency 16]
//     [--window <n>]   eraseMany's window (default: the core's)
//     [--vendors emulators|cost-free]
//     [--trace]        print memory, requests and reports every second to stderr
//                      (BULK_TRACE_GC=1: gc() first, to show the heap that is really retained)
//   (or BULK_SUBJECTS, BULK_MODE, BULK_LATENCY_MS, BULK_NAIVE_CONCURRENCY, BULK_WINDOW)
//
// Prints one JSON line. Subjects come from a generator (never an array). Emulator request logs
// and deletion lists are counted and emptied every 100 ms, so memory measures the client.
import { PerformanceObserver } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch } from '@erasekit/batch'
import { createAdaptyEmulator } from '@erasekit/adapty/emulator'
import { createCleverTapEmulator } from '@erasekit/clevertap/emulator'
import { createAltcraftEmulator } from '@erasekit/altcraft/emulator'
import { createBatchEmulator } from '@erasekit/batch/emulator'

const { values: args } = parseArgs({
  options: {
    subjects: { type: 'string' },
    mode: { type: 'string' },
    latency: { type: 'string' },
    'naive-concurrency': { type: 'string' },
    window: { type: 'string' },
    vendors: { type: 'string' },
    trace: { type: 'boolean', default: false },
  },
})
const N = Number(args.subjects ?? process.env.BULK_SUBJECTS ?? 10_000)
const MODE = args.mode ?? process.env.BULK_MODE ?? 'erasekit'
const LATENCY = Number(args.latency ?? process.env.BULK_LATENCY_MS ?? 5)
const NAIVE_CONCURRENCY = Number(args['naive-concurrency'] ?? process.env.BULK_NAIVE_CONCURRENCY ?? 16)
const WINDOW = args.window ?? process.env.BULK_WINDOW ? Number(args.window ?? process.env.BULK_WINDOW) : undefined
const VENDORS = args.vendors ?? process.env.BULK_VENDORS ?? 'emulators'
if (!Number.isInteger(N) || N < 1 || !['erasekit', 'naive'].includes(MODE) || !(LATENCY >= 0) || !['emulators', 'cost-free'].includes(VENDORS)) {
  console.error('usage: node --expose-gc bench/bulk.mjs --subjects <n> [--mode erasekit|naive] [--latency <ms>] [--vendors emulators|cost-free]')
  process.exit(2)
}

const KEYS = {
  adapty: 'secret_live_bench.adapty',
  accountId: 'BENCH-ACCOUNT',
  passcode: 'BENCH-PASSCODE',
  token: 'bench-altcraft-token',
  restKey: 'BENCH_REST_KEY',
  ios: 'BENCH_IOS_APP_KEY',
  android: 'BENCH_ANDROID_APP_KEY',
}
const DB_ID = 1
const ORIGINS = {
  adapty: 'https://api.adapty.io',
  clevertap: 'https://api.clevertap.com',
  altcraft: 'https://altcraft.bench.example',
  batch: 'https://api.batch.com',
}

function* subjects(count) {
  for (let i = 0; i < count; i++) yield { ref: `s${i}`, userId: `user-${i}`, email: `user-${i}@bench.example` }
}

// --- emulators -------------------------------------------------------------------------------
const emulators = {
  adapty: createAdaptyEmulator({ apiKey: KEYS.adapty, latencyMs: LATENCY }),
  // Default limits: { maxConcurrent: 3 }, CleverTap's documented cap for this API.
  clevertap: createCleverTapEmulator({ accountId: KEYS.accountId, passcode: KEYS.passcode, latencyMs: LATENCY }),
  altcraft: createAltcraftEmulator({ token: KEYS.token, databases: [DB_ID], latencyMs: LATENCY }),
  // Rejects more than 10 000 ids per bulk call (MAX_BULK_IDS).
  batch: createBatchEmulator({ restKey: KEYS.restKey, appKeys: [KEYS.ios, KEYS.android], latencyMs: LATENCY }),
}

// The profile each request addresses is seeded just before it arrives, so every deletion finds
// its profile (deleted, not an error path) while the stores stay as small as the requests in
// flight. (Altcraft's emulator finds profiles by a linear scan; a store of a whole window of
// subjects would make the emulator, not the client, the cost being measured.)
const headerOf = (init, name) => (init?.headers instanceof Headers ? init.headers.get(name) : new Headers(init?.headers).get(name))
const fetchers = {
  adapty(input, init) {
    const id = headerOf(init, 'adapty-customer-user-id')
    if (id && !emulators.adapty.store.has({ customerUserId: id })) emulators.adapty.store.add({ customerUserId: id })
    return emulators.adapty.fetch(input, init)
  },
  clevertap: (input, init) => emulators.clevertap.fetch(input, init),
  altcraft(input, init) {
    const email = typeof init?.body === 'string' ? JSON.parse(init.body).email : undefined
    if (email) emulators.altcraft.store.add(DB_ID, { email })
    return emulators.altcraft.fetch(input, init)
  },
  batch: (input, init) => emulators.batch.fetch(input, init),
}

const requests = { adapty: 0, clevertap: 0, altcraft: 0, batch: 0 }
const statuses = {}
let maxBatchIds = 0
let clevertapPeakInFlight = 0

// --vendors cost-free: the latency, then each vendor's success answer; counted here.
const costFreeAnswers = {
  adapty: () => new Response(null, { status: 204 }),
  clevertap: () => Response.json({ status: 'success' }),
  altcraft: () => Response.json({ data: { profile_id: 'bench' }, error: 0, error_text: 'Successful operation' }),
  batch: () => Response.json({ token: crypto.randomUUID() }),
}
const inFlight = { clevertap: 0 }
if (VENDORS === 'cost-free') {
  for (const name of Object.keys(fetchers)) {
    fetchers[name] = async () => {
      requests[name]++
      if (name === 'clevertap') clevertapPeakInFlight = Math.max(clevertapPeakInFlight, ++inFlight.clevertap)
      await new Promise((resolve) => setTimeout(resolve, LATENCY))
      if (name === 'clevertap') inFlight.clevertap--
      const response = costFreeAnswers[name]()
      statuses[`${name} ${response.status}`] = (statuses[`${name} ${response.status}`] ?? 0) + 1
      return response
    }
  }
}
// The latency each vendor really delivered: from the client's fetch call until its response,
// under the load of the whole run (one thread runs the client, the emulators and their timers).
const latency = {}
for (const name of Object.keys(fetchers)) {
  const vendor = fetchers[name]
  const stats = (latency[name] = { totalMs: 0, count: 0 })
  fetchers[name] = async (input, init) => {
    const started = performance.now()
    try {
      return await vendor(input, init)
    } finally {
      stats.totalMs += performance.now() - started
      stats.count++
    }
  }
}
const observedLatencyMs = (name) => (latency[name].count ? latency[name].totalMs / latency[name].count : 0)

function drainLogs() {
  for (const [name, emulator] of Object.entries(emulators)) {
    // Requests still in flight stay in the log until they have a status.
    const inFlight = emulator.requests.filter((entry) => entry.status === undefined)
    const done = emulator.requests.filter((entry) => entry.status !== undefined)
    emulator.clearLog()
    emulator.requests.push(...inFlight)
    requests[name] += done.length
    for (const entry of done) {
      const key = `${name} ${entry.status ?? 'none'}`
      statuses[key] = (statuses[key] ?? 0) + 1
      if (name === 'batch' && Array.isArray(entry.body)) maxBatchIds = Math.max(maxBatchIds, entry.body.length)
    }
  }
  if (VENDORS === 'emulators') clevertapPeakInFlight = Math.max(clevertapPeakInFlight, emulators.clevertap.concurrency.max)
  emulators.adapty.store.deleted.length = 0
  emulators.altcraft.store.deleted.length = 0
  emulators.batch.store.deletions.length = 0
}

// --- measurement ------------------------------------------------------------------------------
const MB = 1024 * 1024
const peak = { rss: 0, heapUsed: 0 }
function sample() {
  const { rss, heapUsed } = process.memoryUsage()
  peak.rss = Math.max(peak.rss, rss)
  peak.heapUsed = Math.max(peak.heapUsed, heapUsed)
}

/** What a `setTimeout(LATENCY)` really takes here: the emulators cannot answer faster. */
async function timerMs() {
  if (!LATENCY) return 0
  const rounds = 100
  const start = performance.now()
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, LATENCY))
  return (performance.now() - start) / rounds
}

function buildProviders() {
  return [
    adapty({ apiKey: KEYS.adapty, fetch: fetchers.adapty }),
    clevertap({ accountId: KEYS.accountId, passcode: KEYS.passcode, fetch: fetchers.clevertap }),
    altcraft({ baseURL: ORIGINS.altcraft, token: KEYS.token, dbId: DB_ID, fetch: fetchers.altcraft }),
    batch({ restKey: KEYS.restKey, appKeys: { ios: KEYS.ios, android: KEYS.android }, fetch: fetchers.batch }),
  ]
}

/** max over provider targets of ceil(identifiers ÷ batchSize) ÷ concurrency × latency, from the built providers' limits. */
function limitBound(providers, latency) {
  const lanes = providers.flatMap((provider) =>
    (provider.targets?.length ? provider.targets : [undefined]).map((target) => ({
      lane: target ? `${provider.name}/${target}` : provider.name,
      batchSize: provider.limits.batchSize,
      concurrency: provider.limits.concurrency,
      boundMs: (Math.ceil(N / provider.limits.batchSize) / provider.limits.concurrency) * latency,
    })),
  )
  return { boundMs: Math.max(...lanes.map((lane) => lane.boundMs)), lanes }
}

const progress = { reports: 0 }

async function runErasekit(providers) {
  const eraser = createEraser({ providers })
  const outcomes = {}
  let reports = 0
  for await (const report of eraser.eraseMany(subjects(N), WINDOW ? { window: WINDOW } : {})) {
    reports++
    progress.reports = reports
    for (const outcome of report.outcomes) {
      const key = `${outcome.target ? `${outcome.provider}/${outcome.target}` : outcome.provider} ${outcome.status}${outcome.error ? `:${outcome.error.code}` : ''}`
      outcomes[key] = (outcomes[key] ?? 0) + 1
    }
  }
  return { reports, outcomes }
}

// --- naive baseline: a limiter and one request per identifier per provider ----------------------
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
let naiveRetries = 0

/**
 * One request; 429 and 5xx are retried after Retry-After, else exponential backoff with full
 * jitter, as a careful hand-written loop would (CleverTap answers 429 beyond 3 in flight; a fixed
 * delay would keep the retries in lockstep and never get through).
 */
async function send(fetch, url, init, accept) {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, init)
    const text = await response.text()
    if (response.status === 429 || response.status >= 500) {
      naiveRetries++
      const after = Number(response.headers.get('retry-after'))
      await sleep(after > 0 ? after * 1000 : Math.random() * Math.min(1000, Math.max(1, LATENCY) * 2 ** attempt))
      continue
    }
    if (!accept(response.status, text)) throw new Error(`naive: unexpected HTTP ${response.status} from ${new URL(url).host}`)
    return
  }
}

const clevertapHeaders = { 'x-clevertap-account-id': KEYS.accountId, 'x-clevertap-passcode': KEYS.passcode, 'content-type': 'application/json; charset=utf-8' }
const naiveTasks = {
  adapty: (s) =>
    send(fetchers.adapty, `${ORIGINS.adapty}/api/v2/server-side-api/profile/`, {
      method: 'DELETE',
      headers: new Headers({ authorization: `Api-Key ${KEYS.adapty}`, 'adapty-customer-user-id': s.userId, 'content-type': 'application/json' }),
    }, (status) => status === 204),
  clevertap: (s) =>
    send(fetchers.clevertap, `${ORIGINS.clevertap}/1/delete/profiles.json`, {
      method: 'POST', headers: clevertapHeaders, body: JSON.stringify({ identity: [s.userId] }),
    }, (status, text) => status === 200 && JSON.parse(text).status === 'success'),
  altcraft: (s) =>
    send(fetchers.altcraft, `${ORIGINS.altcraft}/api/v1.1/profiles/delete`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: KEYS.token, db_id: DB_ID, matching: 'email', email: s.email }),
    }, (status, text) => status === 200 && JSON.parse(text).error === 0),
  batch: (s, appKey) =>
    send(fetchers.batch, `${ORIGINS.batch}/1.0/${appKey}/data/users/${encodeURIComponent(s.userId)}`, {
      method: 'DELETE', headers: { 'content-type': 'application/json', 'x-authorization': KEYS.restKey },
    }, (status, text) => status === 200 && Boolean(JSON.parse(text).token)),
}

async function runNaive() {
  function* tasks() {
    for (const s of subjects(N)) {
      yield () => naiveTasks.adapty(s)
      yield () => naiveTasks.clevertap(s)
      yield () => naiveTasks.altcraft(s)
      yield () => naiveTasks.batch(s, KEYS.ios)
      yield () => naiveTasks.batch(s, KEYS.android)
    }
  }
  const queue = tasks()
  let done = 0
  const count = () => (progress.reports = Math.floor(++done / 5))
  async function worker() {
    for (let next = queue.next(); !next.done; next = queue.next()) await next.value().then(count)
  }
  await Promise.all(Array.from({ length: NAIVE_CONCURRENCY }, worker))
  return { reports: N }
}

// --- run --------------------------------------------------------------------------------------
const providers = buildProviders()
const { boundMs, lanes } = limitBound(providers, LATENCY)
const timer = await timerMs()
globalThis.gc?.()
const start = process.memoryUsage()
peak.rss = start.rss
peak.heapUsed = start.heapUsed
const ticker = setInterval(() => {
  sample()
  drainLogs()
}, 100)
// Collection pauses on this thread, by kind: a pause holds every vendor's "5 ms" answer with it.
const GC_KINDS = { 1: 'scavenge', 4: 'markCompact', 8: 'incremental', 16: 'weakCallbacks' }
const gcPauses = {}
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (gcPauses[GC_KINDS[entry.detail?.kind] ?? 'other'] ??= { count: 0, totalMs: 0, over5Ms: 0, maxMs: 0 })
    kind.count++
    kind.totalMs += entry.duration
    if (entry.duration > 5) kind.over5Ms++
    kind.maxMs = Math.max(kind.maxMs, entry.duration)
  }
})
gcObserver.observe({ entryTypes: ['gc'] })
const cpu = process.cpuUsage()
const t0 = performance.now()
const tracer = args.trace
  ? setInterval(() => {
      const { rss, heapUsed } = process.memoryUsage()
      // --trace=gc: also the heap that survives a full collection (what is really retained).
      let live = ''
      if (process.env.BULK_TRACE_GC && globalThis.gc) {
        globalThis.gc()
        live = `, live heap ${(process.memoryUsage().heapUsed / MB).toFixed(0)} MB`
      }
      console.error(`[bulk] ${((performance.now() - t0) / 1000).toFixed(0)} s: ${progress.reports} reports, rss ${(rss / MB).toFixed(0)} MB, heap ${(heapUsed / MB).toFixed(0)} MB${live}, requests ${JSON.stringify(requests)}`)
    }, 1000)
  : undefined
const outcome = MODE === 'naive' ? await runNaive() : await runErasekit(providers)
const wallMs = performance.now() - t0
const cpuUsed = process.cpuUsage(cpu)
clearInterval(ticker)
clearInterval(tracer)
sample()
drainLogs()
gcObserver.disconnect()

const round = (value, digits = 0) => Number(value.toFixed(digits))
const calibratedBoundMs = LATENCY ? (boundMs / LATENCY) * timer : 0
const observedBoundMs = Math.max(...lanes.map((lane) => (Math.ceil(N / lane.batchSize) / lane.concurrency) * observedLatencyMs(lane.lane.split('/')[0])))
console.log(
  JSON.stringify({
    benchmark: 'bulk',
    node: process.version,
    mode: MODE,
    vendors: VENDORS,
    subjects: N,
    latencyMs: LATENCY,
    ...(WINDOW ? { window: WINDOW } : {}),
    ...(MODE === 'naive' ? { naiveConcurrency: NAIVE_CONCURRENCY } : {}),
    wallMs: round(wallMs),
    boundMs: round(boundMs),
    ratio: boundMs ? round(wallMs / boundMs, 3) : null,
    // The same bound with the latency the event loop really delivers (setTimeout overshoots).
    timerMs: round(timer, 2),
    calibratedBoundMs: round(calibratedBoundMs),
    calibratedRatio: calibratedBoundMs ? round(wallMs / calibratedBoundMs, 3) : null,
    // And with the latency each vendor really delivered during the run: how full the engine kept
    // the binding lane's slots, apart from the simulated latency stretching under the thread's load.
    observedLatencyMs: Object.fromEntries(Object.keys(latency).map((name) => [name, round(observedLatencyMs(name), 2)])),
    observedBoundMs: round(observedBoundMs),
    observedRatio: observedBoundMs ? round(wallMs / observedBoundMs, 3) : null,
    cpuMs: round((cpuUsed.user + cpuUsed.system) / 1000),
    requests,
    requestsTotal: Object.values(requests).reduce((a, b) => a + b, 0),
    rejected429: Object.entries(statuses).filter(([key]) => key.endsWith(' 429')).reduce((sum, [, count]) => sum + count, 0),
    naiveRetries: MODE === 'naive' ? naiveRetries : undefined,
    maxBatchIds: VENDORS === 'emulators' ? maxBatchIds : null,
    clevertapPeakInFlight,
    startRssMB: round(start.rss / MB, 1),
    startHeapMB: round(start.heapUsed / MB, 1),
    peakRssMB: round(peak.rss / MB, 1),
    peakHeapMB: round(peak.heapUsed / MB, 1),
    gcPauses: Object.fromEntries(Object.entries(gcPauses).map(([kind, { totalMs, maxMs, ...counts }]) => [kind, { ...counts, totalMs: round(totalMs), maxMs: round(maxMs, 1) }])),
    reports: outcome.reports,
    outcomes: outcome.outcomes,
    statuses,
    lanes,
  }),
)
