// A plugin package compiled as CommonJS: its types come from @erasekit/core's .d.cts, and an ESM
// app passes what it exports to the .d.mts createEraser (the typings must agree).
import core = require('@erasekit/core')
export const cjsPlugin = core.definePlugin({ name: 'cjs-metrics', hooks: { onError: (ctx) => { if (ctx.error?.code === 'forbidden') ctx.retry = false } } })
export const cjsProvider = core.defineProvider({
  name: 'cjs-vendor',
  specificationVersion: 1,
  options: {},
  baseURL: 'https://api.vendor.example',
  match: (s) => (s.userId ? { kind: 'userId', value: s.userId } : undefined),
  erase: async (ids) => ids.map(() => ({ status: 'deleted' as const })),
})
export const cjsError = new core.ErasureError('rate_limited', 'slow down', { retryable: true })
