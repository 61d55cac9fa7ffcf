// Pending: the heap eraseMany holds per subject between read and reported, the figure to size
// `window` by (a Worker has 128 MB). The four providers (Batch with two app keys: five lanes) run
// against vendors that never answer, so the window fills and stays full; the heap left after a
// full GC is measured at several windows, and the cost per subject is the slope between the
// smallest and the largest (what does not grow with the window, code and the eraser, cancels out).
// Batch's batches are capped at 1 000 ids so that every window (all multiples of 1 000, under
// Batch's own 10 000) sends whole batches: the state per subject is the same at every window, and
// the slope of each segment is printed to show it.
//
//   held              no vendor answers: every subject waits in all five lanes
//   batches answered  CleverTap and Batch answer at once, Adapty and Altcraft never: each subject
//                     holds three finished outcomes and waits in two lanes, as in a bulk run whose
//                     pace is set by the providers of single requests
//
//   node --expose-gc bench/pending.mjs [--windows 2000,5000,8000]
//
// Prints one JSON line per mode, with the requests each vendor got at each window. Each
// measurement runs in its own process (--one <mode> <window>): a run left hanging in the same heap
// would blur the next one's baseline.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch } from '@erasekit/batch'

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { windows: { type: 'string', default: '2000,5000,8000' }, one: { type: 'boolean', default: false } } })
const windows = args.windows.split(',').map(Number)
if (!globalThis.gc) throw new Error('run with node --expose-gc')

const never = () => new Promise(() => {})
const vendorOf = (url) => ['adapty', 'clevertap', 'altkraft', 'batch'].find((name) => String(url).includes(name))
const modes = {
  held: never,
  'batches answered': async (url, init) => {
    const vendor = vendorOf(url)
    if (vendor === 'clevertap') {
      const body = JSON.parse(init.body)
      return Response.json({ status: 'success', processed: (body.identity ?? body.guid).length, unprocessed: [] })
    }
    if (vendor === 'batch') return Response.json({ token: crypto.randomUUID() })
    return never()
  },
}

/** The heap after a full GC, bytes. */
function heap() {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** Heap held with `window` subjects pending, and the requests each vendor got (the run is left hanging: this process ends after it). */
async function measure(answer, window) {
  const calls = {}
  const fetch = (url, init) => {
    const vendor = vendorOf(url)
    calls[vendor] = (calls[vendor] ?? 0) + 1
    return answer(url, init)
  }
  const eraser = createEraser({
    fetch,
    providers: [
      adapty({ apiKey: 'bench_secret_key' }),
      clevertap({ accountId: 'BENCH-ACC-1', passcode: 'bench-passcode' }),
      altcraft({ baseURL: 'https://ru.altkraft.com', token: 'bench-token', dbId: 1 }),
      batch({ restKey: 'bench-rest-key', appKeys: { ios: 'BENCHIOSKEY', android: 'BENCHANDROIDKEY' }, limits: { batchSize: 1000 } }),
    ],
  })
  let read = 0
  function* subjects() {
    for (let i = 0; ; i++) {
      read++
      yield { ref: `ref-${i}`, userId: `user-${i}`, email: `user${i}@example.com` }
    }
  }
  const before = heap()
  const iterator = eraser.eraseMany(subjects(), { window })[Symbol.asyncIterator]()
  iterator.next().catch(() => {})
  // The window fills, then nothing moves: no report is ever made.
  for (let tries = 0; read < window && tries < 500; tries++) await new Promise((resolve) => setTimeout(resolve, 20))
  await new Promise((resolve) => setTimeout(resolve, 200))
  const held = heap() - before
  if (read !== window) throw new Error(`read ${read} subjects, expected the window (${window})`)
  return { held, calls }
}

if (args.one) {
  const [mode, window] = positionals
  console.log(JSON.stringify(await measure(modes[mode], Number(window))))
  process.exit(0)
}

for (const mode of Object.keys(modes)) {
  const runs = windows.map((window) => {
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--one', mode, String(window)], { encoding: 'utf8' })
    if (child.status !== 0) throw new Error(`${mode} ${window}: ${child.stderr}`)
    return JSON.parse(child.stdout)
  })
  const slope = (a, b) => Math.round((runs[b].held - runs[a].held) / (windows[b] - windows[a]))
  console.log(
    JSON.stringify({
      benchmark: 'pending',
      mode,
      node: process.version,
      windows,
      heldMB: runs.map((run) => Number((run.held / 1e6).toFixed(1))),
      perSubjectBytes: slope(0, windows.length - 1),
      segmentBytes: windows.slice(1).map((_, i) => slope(i, i + 1)),
      requests: runs.map((run) => run.calls),
    }),
  )
}
