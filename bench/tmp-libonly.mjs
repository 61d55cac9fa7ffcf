// erase() CPU with an in-memory fetch; and a bulk-ish batch run (CleverTap, 100 per request, 200 OK JSON)
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap } from '@erasekit/clevertap'
const one = createEraser({ providers: [adapty({ apiKey: 'secret_live_bench.key', baseURL: 'http://127.0.0.1:1', fetch: async () => new Response(null, { status: 204 }) })] })
const ct = createEraser({ providers: [clevertap({ accountId: 'ACC-1', passcode: 'PASS-1', baseURL: 'http://127.0.0.1:1', fetch: async () => new Response('{"status":"success"}', { headers: { 'content-type': 'application/json' } }) })] })
async function round(fn, n) { const t = process.cpuUsage(); for (let i = 0; i < n; i++) await fn(i); const u = process.cpuUsage(t); return (u.user + u.system) / n }
const single = (i) => one.erase({ userId: `user-${i}` })
const bulk = async (i) => { for await (const r of ct.eraseMany(Array.from({ length: 1000 }, (_, j) => ({ userId: `u-${i}-${j}` })))) {} }
for (let i = 0; i < 2000; i++) await single(i)
const a = [], b = []
for (let r = 0; r < 5; r++) { a.push(await round(single, 20000)); b.push(await round(bulk, 20) / 1000) }
a.sort((x, y) => x - y); b.sort((x, y) => x - y)
console.log(`erase() ${a[2].toFixed(1)} µs (min ${a[0].toFixed(1)}); eraseMany clevertap ${b[2].toFixed(1)} µs/subject`)
