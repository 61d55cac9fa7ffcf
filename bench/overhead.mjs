// Overhead: N single deletions through erasekit vs a hand-written fetch loop doing the same
// requests (DELETE + auth header + identity header, 204 expected) against a loopback server in
// another process. Reports client CPU time per deletion and the ratio, plus where the difference
// goes: the same hand-written loop doing what DESIGN.md requires of every deletion (the floor),
// erasekit with an instant in-memory fetch (the library alone), one SHA-256 digest, and a control:
// fixed plain-JavaScript work alone and inside the floor's call.
import { fork } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'

const N = Number(process.env.N ?? 30000)
const server = fork(new URL('./loopback-server.mjs', import.meta.url))
const { port } = await new Promise((resolve) => server.once('message', resolve))
const baseURL = `http://127.0.0.1:${port}`
const apiKey = 'secret_live_bench.key'

async function handWritten(i) {
  const response = await fetch(`${baseURL}/api/v2/server-side-api/profile/`, {
    method: 'DELETE',
    headers: { authorization: `Api-Key ${apiKey}`, 'adapty-customer-user-id': `user-${i}`, 'content-type': 'application/json' },
  })
  await response.text()
  if (response.status !== 204) throw new Error(`unexpected ${response.status}`)
}

// The floor: the hand-written call plus what DESIGN.md requires of every deletion, written as
// directly as possible: a per-attempt timeout (an AbortController that fetch follows), redirects
// not followed (credentials stay on the vendor's origin), and the SHA-256 receipt of the
// identifier, with Node's native hash (the cheapest there is). erasekit cannot cost less than this.
const sha256 = (value) => createHash('sha256').update(value).digest('hex')
async function floor(i) {
  const id = `user-${i}`
  const receipt = sha256(id)
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), 10_000)
  try {
    const response = await fetch(`${baseURL}/api/v2/server-side-api/profile/`, {
      method: 'DELETE',
      headers: { authorization: `Api-Key ${apiKey}`, 'adapty-customer-user-id': id, 'content-type': 'application/json' },
      signal: controller.signal,
      redirect: 'manual',
    })
    await response.text()
    if (response.status !== 204) throw new Error(`unexpected ${response.status}`)
  } finally {
    clearTimeout(timer)
  }
  return receipt
}

const eraser = createEraser({ providers: [adapty({ apiKey, baseURL })] })
async function throughErasekit(i) {
  const report = await eraser.erase({ userId: `user-${i}` })
  if (report.outcomes[0].status !== 'deleted') throw new Error(JSON.stringify(report))
}

const ROUNDS = Number(process.env.ROUNDS ?? 15)
const PER_ROUND = Math.ceil(N / ROUNDS)

/** CPU and wall µs per deletion of `PER_ROUND` calls. */
async function measure(fn) {
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < PER_ROUND; i++) await fn(i)
  const used = process.cpuUsage(cpu)
  return { cpu: (used.user + used.system) / PER_ROUND, wall: ((performance.now() - start) * 1000) / PER_ROUND }
}

// Where the difference goes: the library alone (an in-memory fetch answering 204 at once), and
// the floor's SHA-256 receipt.
const instant = createEraser({ providers: [adapty({ apiKey, baseURL, fetch: async () => new Response(null, { status: 204 }) })] })
async function libraryOnly(i) {
  const report = await instant.erase({ userId: `user-${i}` })
  if (report.outcomes[0].status !== 'deleted') throw new Error(JSON.stringify(report))
}
const digestOnly = async (i) => sha256(`user-${i}`)

// A control for "own": a fixed piece of plain JavaScript (JSON round trips, about what the library
// allocates) timed alone, and again inside the floor's call. Any JS work costs more between loopback
// fetches than in a tight loop (caches and GC shared with undici); the control shows how much more.
const sample = { a: [1, 2, 3, 'x'.repeat(40)], b: { c: 'hello', d: [true, false, null] }, e: 'u'.repeat(60) }
let sink = 0
const work = () => {
  for (let k = 0; k < 8; k++) sink += JSON.parse(JSON.stringify(sample)).e.length
}
const workAlone = async () => work()
const floorWithWork = (i) => (work(), floor(i))

// The machine drifts (CPU frequency, the server process, GC debt) by more than the differences
// measured: every mode runs in every round, in an order that rotates, and each round's erasekit
// is divided by the same round's fetch. Reported: medians over the rounds.
const modes = { fetch: handWritten, floor, erasekit: throughErasekit, library: libraryOnly, digest: digestOnly, work: workAlone, floorWork: floorWithWork }
const names = Object.keys(modes)
for (const fn of Object.values(modes)) for (let i = 0; i < 500; i++) await fn(i) // warm-up
const rounds = []
for (let round = 0; round < ROUNDS; round++) {
  const row = {}
  for (let j = 0; j < names.length; j++) {
    const name = names[(j + round) % names.length]
    row[name] = await measure(modes[name])
  }
  rounds.push(row)
}
server.kill()
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1]
const cpu = (name) => median(rounds.map((row) => row[name].cpu))
const wall = (name) => median(rounds.map((row) => row[name].wall))
const ratios = rounds.map((row) => row.erasekit.cpu / row.fetch.cpu).sort((a, b) => a - b)
const quartile = (q) => ratios[Math.round(q * (ratios.length - 1))]
const result = {
  benchmark: 'overhead',
  deletions: PER_ROUND * ROUNDS,
  rounds: ROUNDS,
  fetchCpuUs: +cpu('fetch').toFixed(1),
  erasekitCpuUs: +cpu('erasekit').toFixed(1),
  ratio: +median(ratios).toFixed(3),
  ratioQuartiles: [+quartile(0.25).toFixed(3), +quartile(0.75).toFixed(3)],
  floorCpuUs: +cpu('floor').toFixed(1),
  floorRatio: +median(rounds.map((row) => row.floor.cpu / row.fetch.cpu)).toFixed(3),
  fetchWallUs: +wall('fetch').toFixed(1),
  erasekitWallUs: +wall('erasekit').toFixed(1),
  libraryCpuUs: +cpu('library').toFixed(1),
  digestCpuUs: +cpu('digest').toFixed(1),
  controlAloneCpuUs: +cpu('work').toFixed(1),
  controlInFloorCpuUs: +median(rounds.map((row) => row.floorWork.cpu - row.floor.cpu)).toFixed(1),
  node: process.version,
}
console.log(JSON.stringify(result))
