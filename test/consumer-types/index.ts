// A strict consumer of the BUILT packages (exactOptionalPropertyTypes, skipLibCheck off):
// optional data passed as it comes (possibly undefined), as the runtime accepts it.
import { createEraser, defineProvider, type Outcome, type Subject } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { altcraft } from '@erasekit/altcraft'
import { createAltcraftEmulator } from '@erasekit/altcraft/emulator'
import { batch } from '@erasekit/batch'
import { clevertap, type CleverTapOptions } from '@erasekit/clevertap'

declare const row: { ref?: string; userId?: string; email?: string; phone?: string }
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

const eraser = createEraser({
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
for await (const each of eraser.eraseMany([subject], { signal: settings.signal, window: undefined, onProgress: (p) => p.perSecond })) void each
export { codes }
