// Throughput of eraseMany with a journal whose has() answers in 5 ms (a KV or D1 over the network),
// against instant in-memory vendors (Adapty, CleverTap): what the journal's latency costs intake.
// node bench/journal-latency.mjs [checkout root, default this one] (after pnpm build)
const root = process.argv[2] ?? new URL('..', import.meta.url).pathname.replace(/\/$/, '')
const { createEraser, createMemoryJournal } = await import(`${root}/packages/core/dist/index.mjs`)
const { adapty } = await import(`${root}/packages/adapty/dist/index.mjs`)
const { clevertap } = await import(`${root}/packages/clevertap/dist/index.mjs`)
const ok = async () => new Response(null, { status: 204 })
const ct = async () => Response.json({ status: 'success', processed: 1 })
const e = createEraser({ providers: [adapty({ apiKey: 'k-123456', fetch: ok }), clevertap({ accountId: 'A-1', passcode: 'P-123456', fetch: ct })] })
const mem = createMemoryJournal()
const journal = { record: (o) => mem.record(o), has: (...k) => new Promise((r) => setTimeout(() => r(mem.has(...k)), 5)) }
const subjects = function* () { for (let i = 0; i < 2000; i++) yield { ref: `r${i}`, userId: `u${i}` } }
const t = performance.now(); let n = 0
for await (const r of e.eraseMany(subjects(), { journal })) n++
console.log(root.split('/').pop(), n, 'subjects', Math.round(n / ((performance.now() - t) / 1000)), 'per s')
