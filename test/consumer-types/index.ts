// A strict consumer of the BUILT packages (exactOptionalPropertyTypes, skipLibCheck off):
// optional data passed as it comes (possibly undefined), as the runtime accepts it.
import { createEraser, defineProvider, definePlugin, type EraserHooks, type Outcome, type Progress, type Subject } from '@erasekit/core'
import type { ConformanceOptions, EmulatorKitOptions, HeaderInit } from '@erasekit/core/testing'
import { adapty } from '@erasekit/adapty'
import { altcraft } from '@erasekit/altcraft'
import { createAltcraftEmulator } from '@erasekit/altcraft/emulator'
import { batch } from '@erasekit/batch'
import { clevertap, type CleverTapOptions } from '@erasekit/clevertap'

declare const row: { ref?: string; userId?: string; email?: string; phone?: string }
declare const maybe: { hooks?: Partial<EraserHooks>; onProgress?: (progress: Progress) => unknown; random?: () => number; count?: ConformanceOptions['identifiersIn'] }
declare const settings: { signal?: AbortSignal; region?: CleverTapOptions['region']; timeout?: number; dryRun?: boolean; proxy?: string }

const subject: Subject = { ref: row.ref, userId: row.userId, email: row.email, phone: row.phone }
const emulator = createAltcraftEmulator({ limits: undefined, latencyMs: undefined })

const vendor = defineProvider({
  name: 'vendor',
  specificationVersion: 1,
  options: { baseURL: settings.proxy },
  baseURL: 'https://api.vendor.example',
  limits: { batchSize: 10, rate: undefined },
  match: (s) => (s.userId ? { kind: 'userId', value: s.userId } : undefined),
  erase: (identifiers, ctx) =>
    ctx.request({ method: 'POST', url: '/forget', body: { ids: identifiers.map((i) => i.value) }, query: undefined }, (response) => {
      const message = (response.data as { message?: string } | undefined)?.message
      if (response.status !== 200) throw ctx.responseError(response, { message, providerCode: undefined })
      return identifiers.map(() => ({ status: 'deleted' as const, requestId: undefined }))
    }),
})

// A plugin's setup gets the eraser: per-provider state from `providers`.
const retries: Record<string, number> = {}
const metrics = definePlugin({
  name: 'metrics',
  hooks: maybe.hooks,
  setup(host) {
    for (const name of host.providers) retries[name] = 0
    host.hook('retry', (ctx) => void (retries[ctx.provider] = (retries[ctx.provider] ?? 0) + 1))
  },
})
const kit: Pick<EmulatorKitOptions, 'random'> & Pick<ConformanceOptions, 'identifiersIn'> = { random: maybe.random, identifiersIn: maybe.count }
const headers: HeaderInit = { 'retry-after': '1' }

const eraser = createEraser({
  plugins: [metrics],
  providers: [
    adapty({ apiKey: 'secret_live_x.y', baseURL: settings.proxy }),
    clevertap({ accountId: 'A', passcode: 'P', region: settings.region }),
    altcraft({ baseURL: 'https://ru.altkraft.com', token: 't', dbId: 1, fetch: emulator.fetch }),
    batch({ restKey: 'r', appKeys: { ios: 'i' }, mode: undefined }),
    vendor,
  ],
  timeout: settings.timeout,
  retry: { limit: undefined },
  receiptSalt: undefined,
})

const report = await eraser.erase(subject, { signal: settings.signal, dryRun: settings.dryRun })
const codes = report.outcomes.map((outcome: Outcome) => (outcome.status === 'failed' ? outcome.error.code : undefined))
for await (const each of eraser.eraseMany([subject], { signal: settings.signal, window: undefined, onProgress: maybe.onProgress })) void each
export { codes, headers, kit }

// What a CommonJS package built against the .d.cts typings exports works with the ESM ones.
import { cjsError, cjsPlugin, cjsProvider } from './cjs-plugin.cjs'
import { ErasureError, type Journal } from '@erasekit/core'
const mixed = createEraser({ providers: [cjsProvider], plugins: [cjsPlugin] })
const esmError: ErasureError = cjsError
declare const journal: Journal
await mixed.erase(subject, { journal, signal: settings.signal })
export { esmError }

// An emulator's fetch is a provider's fetch, and a handler for Bun's and Deno's own servers
// (their second argument, the server or the handler info, is no RequestInit).
type DenoHandler = (request: Request, info: { remoteAddr: { transport: 'tcp'; hostname: string; port: number }; completed: Promise<void> }) => Response | Promise<Response>
type BunHandler = (this: { port: number }, request: Request, server: { port: number; url: URL }) => Response | Promise<Response>
const asDeno: DenoHandler = emulator.fetch
const asBun: BunHandler = emulator.fetch
const asProvider = altcraft({ baseURL: 'https://ru.altkraft.com', token: 't', dbId: 1, fetch: emulator.fetch })
export { asBun, asDeno, asProvider }
