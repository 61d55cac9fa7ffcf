// Overhead: N single deletions through erasekit vs a hand-written fetch loop doing the same
// requests (DELETE + auth header + identity header, 204 expected) against a loopback server in
// another process. Reports client CPU time per deletion and the ratio, plus where the difference
// goes: the same hand-written loop doing what DESIGN.md requires of every deletion (the floor),
// erasekit with an instant in-memory fetch (the library alone) and one SHA-256 digest.
import { fork } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'

const N = Number(process.env.N ?? 5000)
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

async function measure(name, fn) {
  for (let i = 0; i < 500; i++) await fn(i) // warm-up
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < N; i++) await fn(i)
  const used = process.cpuUsage(cpu)
  const wall = performance.now() - start
  return { name, cpuUsPerDeletion: (used.user + used.system) / N, wallUsPerDeletion: (wall * 1000) / N }
}

// Where the difference goes: the library alone (an in-memory fetch answering 204 at once), and
// the floor's SHA-256 receipt.
const instant = createEraser({ providers: [adapty({ apiKey, baseURL, fetch: async () => new Response(null, { status: 204 }) })] })
async function libraryOnly(i) {
  const report = await instant.erase({ userId: `user-${i}` })
  if (report.outcomes[0].status !== 'deleted') throw new Error(JSON.stringify(report))
}
const digestOnly = async (i) => sha256(`user-${i}`)

const runs = []
for (let round = 0; round < 3; round++) {
  runs.push(await measure('fetch', handWritten), await measure('floor', floor), await measure('erasekit', throughErasekit))
  runs.push(await measure('library', libraryOnly), await measure('digest', digestOnly))
}
server.kill()
const best = (name) => runs.filter((run) => run.name === name).sort((a, b) => a.cpuUsPerDeletion - b.cpuUsPerDeletion)[0]
const base = best('fetch')
const ours = best('erasekit')
const result = {
  benchmark: 'overhead',
  deletions: N,
  fetchCpuUs: +base.cpuUsPerDeletion.toFixed(1),
  erasekitCpuUs: +ours.cpuUsPerDeletion.toFixed(1),
  ratio: +(ours.cpuUsPerDeletion / base.cpuUsPerDeletion).toFixed(3),
  floorCpuUs: +best('floor').cpuUsPerDeletion.toFixed(1),
  floorRatio: +(best('floor').cpuUsPerDeletion / base.cpuUsPerDeletion).toFixed(3),
  fetchWallUs: +base.wallUsPerDeletion.toFixed(1),
  erasekitWallUs: +ours.wallUsPerDeletion.toFixed(1),
  libraryCpuUs: +best('library').cpuUsPerDeletion.toFixed(1),
  digestCpuUs: +best('digest').cpuUsPerDeletion.toFixed(1),
  node: process.version,
}
console.log(JSON.stringify(result))
