// CommonJS probe (Node, Bun): require()s the BUILT packages (their .cjs builds) by name.
// Usage: node probe.cjs '<config json>'
const { createEraser, ErasureError } = require('@erasekit/core')
const { adapty } = require('@erasekit/adapty')
const { clevertap } = require('@erasekit/clevertap')
const { altcraft } = require('@erasekit/altcraft')
const { batch } = require('@erasekit/batch')

const names = ['@erasekit/core', '@erasekit/adapty', '@erasekit/clevertap', '@erasekit/altcraft', '@erasekit/batch']

async function main() {
  // The scenario is plain shared code; the packages above were loaded through require().
  const { eraseEverywhere } = await import('./scenario.mjs')
  const config = JSON.parse(process.argv[2])
  const result = await eraseEverywhere({ createEraser, adapty, clevertap, altcraft, batch }, config)
  const resolved = Object.fromEntries(names.map((name) => [name, require.resolve(name)]))
  // An app mixing import and require loads both builds: errors must still pass instanceof.
  const esm = await import('@erasekit/core')
  const dualInstanceof = esm.ErasureError !== ErasureError && new esm.ErasureError('network', 'x') instanceof ErasureError && new ErasureError('network', 'x') instanceof esm.ErasureError
  console.log(JSON.stringify({ ...result, format: 'cjs', resolved, dualInstanceof, dualIdentity: await dualIdentity(esm) }))
}

/** A plugin's error built by this (CJS) copy, thrown by a hook into an ESM eraser: hooks see that same object. */
async function dualIdentity(esm) {
  const provider = esm.defineProvider({
    name: 'p',
    specificationVersion: 1,
    options: {},
    baseURL: 'https://vendor.example',
    match: (subject) => subject.userId && { kind: 'userId', value: subject.userId },
    erase: async (identifiers, ctx) => (await ctx.request({ method: 'DELETE', url: '/x' }), identifiers.map(() => ({ status: 'deleted' }))),
  })
  class PolicyError extends ErasureError {}
  const thrown = new PolicyError('forbidden', 'blocked by policy', { provider: 'p' })
  const eraser = esm.createEraser({ providers: [provider], fetch: async () => new Response(null, { status: 204 }) })
  let seen
  eraser.hook('beforeRequest', () => {
    throw thrown
  })
  eraser.hook('onError', (ctx) => void (seen = ctx.error))
  const { outcomes } = await eraser.erase({ userId: 'u1' })
  return seen === thrown && seen instanceof PolicyError && outcomes[0].error.code === 'forbidden'
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
