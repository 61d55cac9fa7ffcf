// Pending: the heap eraseMany holds per subject between read and reported, the figure to size
// `window` by (a Worker has 128 MB). The four providers (Batch with two app keys: five lanes) run
// against vendors that never answer, so the window fills and stays full; the heap left after a
// full GC is measured at several windows, and the cost per subject is the slope between the
// smallest and the largest (what does not grow with the window, code and the eraser, cancels out).
//
//   held              no vendor answers: every subject waits in all five lanes
//   batches answered  CleverTap and Batch answer at once, Adapty and Altcraft never: each subject
//                     holds three finished outcomes and waits in two lanes, as in a bulk run whose
//                     pace is set by the providers of single requests
//
//   node --expose-gc bench/pending.mjs [--windows 1000,5000,10000]
//
// Prints one JSON line per mode. Each measurement runs in its own process (--one <mode> <window>):
// a run left hanging in the same heap would blur the next one's baseline.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch } from '@erasekit/batch'

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { windows: { type: 'string', default: '1000,5000,10000' }, one: { type: 'boolean', default: false } } })
const windows = args.windows.split(',').map(Number)
if (!globalThis.gc) throw new Error('run with node --expose-gc')

const never = () => new Promise(() => {})
const modes = {
  held: never,
  'batches answered': async (url, init) => {
    const body = JSON.parse(init.body)
    if (url.includes('clevertap')) return Response.json({ status: 'success', processed: (body.identity ?? body.guid).length, unprocessed: [] })
    if (url.includes('batch.com')) return Response.json({ token: crypto.randomUUID() })
    return never()
  },
}

/** The heap after a full GC, bytes. */
function heap() {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** Heap held with `window` subjects pending (the run is left hanging: this process ends after it). */
async function measure(fetch, window) {
  const eraser = createEraser({
    fetch,
    providers: [
      adapty({ apiKey: 'bench_secret_key' }),
      clevertap({ accountId: 'BENCH-ACC-1', passcode: 'bench-passcode' }),
      altcraft({ baseURL: 'https://ru.altkraft.com', token: 'bench-token', dbId: 1 }),
      batch({ restKey: 'bench-rest-key', appKeys: { ios: 'BENCHIOSKEY', android: 'BENCHANDROIDKEY' } }),
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
  return held
}

if (args.one) {
  const [mode, window] = positionals
  console.log(await measure(modes[mode], Number(window)))
  process.exit(0)
}

for (const mode of Object.keys(modes)) {
  const heldBytes = windows.map((window) => {
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--one', mode, String(window)], { encoding: 'utf8' })
    if (child.status !== 0) throw new Error(`${mode} ${window}: ${child.stderr}`)
    return Number(child.stdout.trim())
  })
  const [first, last] = [0, windows.length - 1]
  const perSubjectBytes = Math.round((heldBytes[last] - heldBytes[first]) / (windows[last] - windows[first]))
  console.log(JSON.stringify({ benchmark: 'pending', mode, node: process.version, windows, heldMB: heldBytes.map((bytes) => Number((bytes / 1e6).toFixed(1))), perSubjectBytes }))
}
