import { createEraser, defineProvider } from '@erasekit/core'
const fetch = async () => new Response(null, { status: 204 })
const mk = (mode) => defineProvider({ name: 'p', specificationVersion: 1, baseURL: 'https://example.com', secrets: ['sekret-value'], options: {}, limits: { batchSize: 1, concurrency: 4 },
  match: (s) => s.userId && { kind: 'userId', value: s.userId },
  erase: async (ids, ctx) => mode === 'none' ? ids.map(() => ({ status: 'deleted' })) : Promise.all(ids.map(async (id) => { await ctx.request({ method: 'DELETE', url: '/x', headers: { 'x-id': id.value } }); return { status: 'deleted' } })) })
const N = Number(process.env.N ?? 20000)
for (const mode of (process.env.MODES ?? 'none,request').split(',')) {
  const eraser = createEraser({ providers: [mk(mode)], fetch })
  let best = Infinity
  for (let round = 0; round < 3; round++) {
    const c = process.cpuUsage()
    for (let i = 0; i < N; i++) { const r = await eraser.erase({ userId: `user-${i}` }); if (r.outcomes[0].status !== 'deleted') throw new Error(JSON.stringify(r)) }
    const u = process.cpuUsage(c); best = Math.min(best, (u.user + u.system) / N)
  }
  console.log(mode, best.toFixed(1))
}
const enc = new TextEncoder()
let c = process.cpuUsage(); for (let i = 0; i < N; i++) await crypto.subtle.digest('SHA-256', enc.encode('user-' + i)); let u = process.cpuUsage(c); console.log('digest', ((u.user + u.system) / N).toFixed(1))
