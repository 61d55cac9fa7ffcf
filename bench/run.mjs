// `pnpm bench`: runs every benchmark in its own Node process (--expose-gc), collects the JSON
// lines they print and writes bench/RESULTS.md. Benchmarks run the BUILT packages (dist/):
// run `pnpm build` first (or pass --build).
//
//   pnpm bench                      overhead + pending + bulk at 10k and 100k (erasekit and naive)
//   pnpm bench --full               ... and 1M (or BENCH_FULL=1)
//   pnpm bench --only bulk          one benchmark (overhead | pending | bulk)
//   pnpm bench --sizes 10000,50000  bulk sizes to run instead
//   pnpm bench --no-naive           skip the naive baseline
//   pnpm bench --latency 5          simulated emulator latency for bulk, ms (default 5)
//   pnpm bench --vendors cost-free  bulk against vendors that cost nothing but the latency (no naive)
//   pnpm bench --note "..."         a line written into RESULTS.md
//   pnpm bench --out path.md        write elsewhere than bench/RESULTS.md
//   pnpm bench --trace              show bulk progress (memory, requests, reports) every second
//   pnpm bench --node <binary>      run the benchmarks on another Node (e.g. node@22 from npm:
//                                   npx -y -p node@22 node -p process.execPath)
//   pnpm bench --merge              keep the other results already in RESULTS.md (e.g. add 1M later:
//                                   pnpm bench --only bulk --sizes 1000000 --merge)
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const root = dirname(here)
const argv = process.argv.slice(2).filter((arg) => arg !== '--')
const { values: args } = parseArgs({
  args: argv,
  options: {
    full: { type: 'boolean', default: process.env.BENCH_FULL === '1' },
    only: { type: 'string' },
    sizes: { type: 'string' },
    'no-naive': { type: 'boolean', default: false },
    latency: { type: 'string', default: '5' },
    vendors: { type: 'string', default: 'emulators' },
    note: { type: 'string' },
    out: { type: 'string', default: join(here, 'RESULTS.md') },
    build: { type: 'boolean', default: false },
    merge: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    node: { type: 'string', default: process.execPath },
  },
})
const naive = !args['no-naive']
const sizes = args.sizes ? args.sizes.split(',').map(Number) : [10_000, 100_000, ...(args.full ? [1_000_000] : [])]
const command = process.env.npm_lifecycle_event === 'bench' ? `pnpm bench${argv.length ? ` ${argv.join(' ')}` : ''}` : `node bench/run.mjs${argv.length ? ` ${argv.join(' ')}` : ''}`

if (args.build) {
  const built = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' })
  if (built.status !== 0) process.exit(built.status ?? 1)
}
const stale = staleBuilds()
if (stale.length) console.error(`[bench] warning: dist/ is older than src/ in ${stale.join(', ')}; run pnpm build (or --build)`)

const jobs = []
if (!args.only || args.only === 'overhead') jobs.push({ label: 'overhead', file: 'overhead.mjs', args: [] })
if (!args.only || args.only === 'pending') jobs.push({ label: 'pending', file: 'pending.mjs', args: [] })
if (!args.only || args.only === 'bulk') {
  for (const size of sizes) {
    jobs.push({ label: `bulk erasekit ${size}`, file: 'bulk.mjs', args: ['--subjects', String(size), '--mode', 'erasekit', '--latency', args.latency, '--vendors', args.vendors] })
    // The naive loop relies on the emulators to enforce the limits (its 429s); cost-free vendors enforce none.
    if (naive && args.vendors === 'emulators') jobs.push({ label: `bulk naive ${size}`, file: 'bulk.mjs', args: ['--subjects', String(size), '--mode', 'naive', '--latency', args.latency] })
  }
}

const started = new Date()
const load = { start: os.loadavg() }
// The code measured: taken at the start (commits landing during a long run do not change the build).
const code = { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no', '--', 'packages').length > 0 }
const vendorsOf = (r) => r.vendors ?? 'emulators'
const key = (r) => `${r.benchmark} ${r.mode ?? ''} ${r.benchmark === 'bulk' ? vendorsOf(r) : ''} ${r.subjects ?? ''} ${r.latencyMs ?? ''} ${r.node ?? ''}`
// Earlier results for benchmarks this run does not repeat stay (--merge), with their own date and command.
const earlier =
  args.merge && existsSync(args.out)
    ? (/```jsonl\n([\s\S]*?)```/.exec(readFileSync(args.out, 'utf8'))?.[1] ?? '').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
    : []
const fresh = []
let results = []
let failures = 0
for (const job of jobs) {
  const t0 = performance.now()
  process.stderr.write(`[bench] ${job.label} ... ${args.trace ? '\n' : ''}`)
  const { lines, error } = await runChild(join(here, job.file), job.args)
  const seconds = (performance.now() - t0) / 1000
  process.stderr.write(`${error ? `FAILED (${error})` : 'done'} in ${seconds.toFixed(1)} s\n`)
  const stamp = { elapsedS: Number(seconds.toFixed(1)), at: new Date().toISOString(), command, loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) }
  for (const line of lines) fresh.push({ ...line, ...stamp })
  if (error) {
    failures++
    fresh.push({ benchmark: job.file.replace(/\.mjs$/, ''), failed: job.label, error, ...stamp })
  }
  // Written after every benchmark: a long run that dies later keeps what it measured.
  write()
}
load.end = os.loadavg()
write()
console.error(`[bench] wrote ${relative(process.cwd(), args.out)}`)
if (failures) process.exitCode = 1

function write() {
  const rerun = new Set(fresh.map(key))
  const rank = (r) => ['overhead', 'pending', 'bulk'].indexOf(r.benchmark)
  results = [...earlier.filter((r) => !rerun.has(key(r))), ...fresh].sort(
    (a, b) => rank(a) - rank(b) || (a.subjects ?? 0) - (b.subjects ?? 0) || (a.latencyMs ?? 0) - (b.latencyMs ?? 0) || String(a.mode).localeCompare(String(b.mode)),
  )
  writeFileSync(args.out, render())
}

/** Runs one benchmark file in a fresh Node with --expose-gc; resolves with the JSON lines it printed (and why it failed, if it did). */
function runChild(file, childArgs) {
  return new Promise((resolve) => {
    const bulk = file.endsWith('bulk.mjs')
    const extra = args.trace && bulk ? ['--trace'] : []
    // --trace-gc: V8 prints the heap left after every full GC (what the run really holds), at no
    // cost to timing; peak RSS and heapUsed also count garbage not collected yet.
    const child = spawn(args.node, ['--expose-gc', ...(bulk ? ['--trace-gc'] : []), file, ...childArgs, ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => {
      err += chunk
      // --trace: the benchmark's progress lines, live.
      if (args.trace) for (const line of String(chunk).split('\n')) if (line.startsWith('[bulk]')) console.error(line)
    })
    child.on('error', (error) => resolve({ lines: [], error: error.message }))
    child.on('close', (code, signal) => {
      // Node's own warnings and --trace lines are not repeated; anything else on stderr is shown.
      const stderr = err.split('\n').filter((line) => line && !/MaxListenersExceededWarning|--trace-warnings|^\[bulk\]/.test(line))
      if (stderr.length) console.error(stderr.join('\n'))
      const lines = out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
      const retained = [...out.matchAll(/Mark-Compact (?:\(reduce\) )?[\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/g)].map((match) => Number(match[1]))
      if (bulk && retained.length) for (const line of lines) line.peakRetainedHeapMB = Math.max(...retained)
      const error = code === 0 ? undefined : signal ? `killed by ${signal}` : `exit code ${code}${stderr.length ? `: ${stderr.at(-1).slice(0, 200)}` : ''}`
      resolve({ lines, error })
    })
  })
}

function staleBuilds() {
  const newest = (dir) => {
    let time = 0
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
    }
    return time
  }
  const out = []
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src')
    const dist = join(root, 'packages', pkg, 'dist')
    try {
      if (newest(src) > newest(dist)) out.push(pkg)
    } catch {
      out.push(pkg)
    }
  }
  return out
}

function git(...gitArgs) {
  const result = spawnSync('git', gitArgs, { cwd: root, encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : ''
}

function render() {
  const fmt = (value, digits = 0) => (value === null || value === undefined ? '–' : Number(value).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }))
  const mark = (ok) => (ok ? '✅' : '❌')
  const { commit, dirty } = code
  const lines = [
    '# Benchmark results',
    '',
    'Generated by `bench/run.mjs`; see `bench/README.md` for what each benchmark measures. Never asserted in tests.',
    '',
    `- Command: \`${command}\``,
    `- Date: ${started.toISOString()}`,
    ...[...new Set(results.map((r) => r.command).filter((c) => c && c !== command))].map((c) => `- Merged from an earlier run: \`${c}\` (${results.find((r) => r.command === c).at}; each result's own date, command and load average are in the raw JSON)`),
    `- Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.platform()} ${os.release()}`,
    `- Node: ${[...new Set(results.map((result) => result.node).filter(Boolean))].join(', ') || process.version}`,
    `- Load average (1/5/15 min) at start: ${load.start.map((x) => x.toFixed(2)).join(' / ')}, at end: ${(load.end ?? os.loadavg()).map((x) => x.toFixed(2)).join(' / ')}`,
    `- Code: ${commit || 'unknown commit'}${dirty ? ' + uncommitted changes in packages/' : ''}${stale.length ? ` (dist/ older than src/ in ${stale.join(', ')})` : ''}`,
  ]
  if (args.note) lines.push(`- Note: ${args.note}`)

  const failed = results.filter((result) => result.failed)
  if (failed.length) {
    lines.push('', '## Failed runs', '', ...failed.map((r) => `- ${r.failed}: ${r.error} after ${r.elapsedS} s (${r.at}, load average ${r.loadavg?.join(' / ')})`))
  }
  const overhead = results.filter((result) => result.benchmark === 'overhead' && !result.failed)
  if (overhead.length) {
    lines.push(
      '',
      '## Overhead: one deletion through erasekit vs a hand-written fetch call',
      '',
      'Client CPU per deletion (user + system), loopback server in another process. Target: ratio ≤ 1.2. ' +
        'Every mode runs in each of 15 rounds (2 000 deletions each), in an order that rotates; CPU columns are medians over the rounds, the ratio is the median of the rounds\' erasekit ÷ fetch, with its quartiles (runs before 2026-11-23 08:30 took the best of 3 rounds of 5 000 run one mode after another). ' +
        '"Floor" is the hand-written call plus what DESIGN.md requires of every deletion (a per-attempt timeout signal, redirects not followed, the SHA-256 receipt with Node\'s native `createHash`); "own" is erasekit minus the floor. ' +
        '"Library alone" is erasekit with an in-memory fetch that answers at once; "digest" is one native SHA-256 of an identifier (the floor\'s; erasekit hashes in plain JavaScript, which works in every runtime). ' +
        '"Control": a fixed piece of plain JavaScript (8 JSON round trips of a small object) timed alone, then what it adds inside the floor\'s call (the median of floor+control − floor): any JavaScript work costs more between loopback fetches than in a tight loop, compare with library alone → own.',
      '',
      '| node | deletions | fetch CPU µs | floor CPU µs | floor ÷ fetch | erasekit CPU µs | ratio | ratio quartiles | own µs | library alone µs | digest µs | control alone µs | control in the floor µs | fetch wall µs | erasekit wall µs | target |',
      '|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|',
      ...overhead.map((r) => `| ${r.node ?? ''} | ${fmt(r.deletions)} | ${fmt(r.fetchCpuUs, 1)} | ${fmt(r.floorCpuUs, 1)} | ${fmt(r.floorRatio, 3)} | ${fmt(r.erasekitCpuUs, 1)} | ${fmt(r.ratio, 3)} | ${r.ratioQuartiles ? r.ratioQuartiles.map((q) => fmt(q, 3)).join('–') : ''} | ${r.floorCpuUs === undefined ? '' : fmt(r.erasekitCpuUs - r.floorCpuUs, 1)} | ${fmt(r.libraryCpuUs, 1)} | ${fmt(r.digestCpuUs, 1)} | ${fmt(r.controlAloneCpuUs, 1)} | ${fmt(r.controlInFloorCpuUs, 1)} | ${fmt(r.fetchWallUs, 1)} | ${fmt(r.erasekitWallUs, 1)} | ${mark(r.ratio <= 1.2)} |`),
    )
  }

  const pending = results.filter((result) => result.benchmark === 'pending' && !result.failed)
  if (pending.length) {
    lines.push(
      '',
      '## Pending: the heap eraseMany holds per subject between read and reported',
      '',
      'Four providers (five lanes: Batch has two app keys, its batches capped at 1 000 ids so that every window sends whole batches), vendors that never answer, so the window fills and stays full; the heap left after a full GC at each window, each in its own process. ' +
        'Per subject is the slope between the smallest and the largest window, with each segment\'s slope (equal when the state per subject is the same at every window). "held": no vendor answers; "batches answered": CleverTap and Batch answer at once, Adapty and Altcraft never (three outcomes done, two lanes waiting). Size `window` by it.',
      '',
      '| node | mode | windows | heap held MB | per subject B | per segment B |',
      '|:---|:---|:---|:---|---:|:---|',
      ...pending.map((r) => `| ${r.node} | ${r.mode} | ${r.windows.map((w) => fmt(w)).join(' / ')} | ${r.heldMB.map((mb) => fmt(mb, 1)).join(' / ')} | ${fmt(r.perSubjectBytes)} | ${(r.segmentBytes ?? []).map((b) => fmt(b)).join(' / ')} |`),
    )
  }
  const bulk = results.filter((result) => result.benchmark === 'bulk' && !result.failed)
  if (bulk.length) {
    const latency = bulk[0].latencyMs
    const lanes = bulk[0].lanes ?? []
    lines.push(
      '',
      '## Bulk: eraseMany across the four emulators in process',
      '',
      `Emulator latency ${latency} ms per request unless the table says otherwise (the standard; see the targets below for other latencies); CleverTap enforces 3 requests in flight, Batch 10 000 ids per call. ` +
        'Bound = max over provider targets of ceil(identifiers ÷ batchSize) ÷ concurrency × latency, from the providers\' declared limits ' +
        `(${lanes.map((lane) => `${lane.lane} ${lane.batchSize}/${lane.concurrency}`).join(', ')}: batchSize/concurrency). ` +
        `"Calibrated" uses the latency \`setTimeout(${latency})\` really took in that process, idle; "observed" the mean latency each vendor really delivered during the run (fetch call to response, under the run's load; rows before 2026-11-23 lack it): how full the engine kept the binding lane's slots. ` +
        'Naive = 16 requests at once across all providers, one request per identifier per provider, 429s retried with backoff. ' +
        'Peak RSS and heap are sampled every 100 ms and include garbage V8 has not collected yet; "retained" is the largest heap left after a full GC (`--trace-gc`). ' +
        'Vendors "cost-free" replace the emulators with vendors that cost this thread nothing but the latency (each answers its success response after it): what erasekit does alone, without the emulators\' CPU.',
      '',
      '| node | vendors | subjects | mode | latency ms | wall s | bound s | wall ÷ bound | calibrated ÷ | observed ÷ | CPU s | requests (adapty / clevertap / altcraft / batch) | total | 429s | peak RSS MB | peak heap MB | peak retained heap MB | reports |',
      '|:---|:---|---:|:---|---:|---:|---:|---:|---:|---:|---:|:---|---:|---:|---:|---:|---:|---:|',
      ...bulk.map((r) => {
        const q = r.requests
        return `| ${r.node ?? ''} | ${vendorsOf(r)} | ${fmt(r.subjects)} | ${r.mode} | ${fmt(r.latencyMs)} | ${fmt(r.wallMs / 1000, 1)} | ${fmt(r.boundMs / 1000, 1)} | ${fmt(r.ratio, 2)} | ${fmt(r.calibratedRatio, 2)} | ${fmt(r.observedRatio, 2)} | ${fmt(r.cpuMs / 1000, 1)} | ${fmt(q.adapty)} / ${fmt(q.clevertap)} / ${fmt(q.altcraft)} / ${fmt(q.batch)} | ${fmt(r.requestsTotal)} | ${fmt(r.rejected429)} | ${fmt(r.peakRssMB, 1)} | ${fmt(r.peakHeapMB, 1)} | ${fmt(r.peakRetainedHeapMB, 1)} | ${fmt(r.reports)} |`
      }),
    )
    // Targets: on the emulators, on this Node. Wall time at each simulated latency measured (the
    // standard 5 ms first); memory at 5 ms.
    const ours = (size, latency = 5) => bulk.find((r) => r.mode === 'erasekit' && vendorsOf(r) === 'emulators' && r.node === process.version && r.subjects === size && r.latencyMs === latency)
    const targets = []
    const latencies = [...new Set(bulk.map((r) => r.latencyMs))].sort((a, b) => (a === 5 ? -1 : b === 5 ? 1 : a - b))
    for (const latency of latencies) {
      for (const size of [100_000, 1_000_000]) {
        const r = ours(size, latency)
        if (r) targets.push(`| wall ≤ 1.1 × bound at ${fmt(size)}, ${fmt(latency)} ms latency | ${fmt(r.ratio, 2)} × | ${mark(r.ratio <= 1.1)} |`)
      }
    }
    const [small, large] = [ours(100_000), ours(1_000_000)]
    if (small && large) {
      const rss = large.peakRssMB / small.peakRssMB - 1
      const heap = large.peakHeapMB / small.peakHeapMB - 1
      targets.push(`| peak RSS 100k → 1M within 20% | ${rss >= 0 ? '+' : ''}${fmt(rss * 100, 1)}% | ${mark(Math.abs(rss) <= 0.2)} |`)
      targets.push(`| peak heap 100k → 1M within 20% | ${heap >= 0 ? '+' : ''}${fmt(heap * 100, 1)}% | ${mark(Math.abs(heap) <= 0.2)} |`)
      if (small.peakRetainedHeapMB && large.peakRetainedHeapMB) {
        const retained = large.peakRetainedHeapMB / small.peakRetainedHeapMB - 1
        targets.push(`| peak retained heap (after full GC) 100k → 1M within 20% | ${retained >= 0 ? '+' : ''}${fmt(retained * 100, 1)}% | ${mark(Math.abs(retained) <= 0.2)} |`)
      }
    }
    if (targets.length) lines.push('', `### Targets (${process.version}, emulators)`, '', '| target | measured | |', '|:---|---:|:---:|', ...targets)
    lines.push('', '### Outcomes (erasekit runs)', '')
    for (const r of bulk.filter((item) => item.outcomes)) {
      lines.push(`- ${r.node ?? ''} ${vendorsOf(r)} ${fmt(r.subjects)}: ${Object.entries(r.outcomes).map(([key, count]) => `${key} ${fmt(count)}`).join(', ')}`)
    }
  }
  lines.push('', '## Raw results', '', '```jsonl', ...results.map((result) => JSON.stringify(result)), '```', '')
  return lines.join('\n')
}
