// The one erasure every runtime performs: a subject across all four bundled providers, with
// the eraser's global fetch (the providers' real request paths) against loopback emulators.
// No imports here: each probe passes the modules it loaded (ESM import, CJS require, bundle).

/** Which runtime is executing this, as the runtime itself reports it. */
export function runtimeInfo() {
  const g = globalThis
  if (g.Deno) return { name: 'deno', version: g.Deno.version.deno }
  if (g.Bun) return { name: 'bun', version: g.Bun.version }
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return { name: 'workerd', version: g.navigator.userAgent }
  if (g.process?.versions?.node) {
    const ua = g.navigator?.userAgent ?? ''
    return { name: /happy-?dom/i.test(ua) || g.happyDOM ? 'happy-dom' : 'node', version: g.process.versions.node }
  }
  return { name: 'browser', version: g.navigator?.userAgent ?? 'unknown' }
}

/**
 * @param {{ createEraser: Function, adapty: Function, clevertap: Function, altcraft: Function, batch: Function }} mods
 * @param {{ urls: Record<string, string>, credentials: any, subject: object, retry?: object, timeout?: number }} config
 */
export async function eraseEverywhere(mods, config) {
  const { createEraser, adapty, clevertap, altcraft, batch } = mods
  const { urls, credentials: c } = config
  const eraser = createEraser({
    providers: [
      // The runtime's own fetch, passed in: browsers and workerd refuse it called as another object's method.
      adapty({ apiKey: c.adapty.apiKey, baseURL: urls.adapty, fetch: globalThis.fetch }),
      clevertap({ accountId: c.clevertap.accountId, passcode: c.clevertap.passcode, baseURL: urls.clevertap }),
      altcraft({ baseURL: urls.altcraft, token: c.altcraft.token, dbId: c.altcraft.dbId }),
      batch({ restKey: c.batch.restKey, appKeys: c.batch.appKeys, baseURL: urls.batch }),
    ],
    retry: config.retry,
    timeout: config.timeout ?? 5_000,
  })
  const retries = []
  eraser.hook('retry', (ctx) => {
    retries.push({ provider: ctx.provider, attempt: ctx.attempt, delayMs: ctx.delayMs })
  })
  const started = Date.now()
  const report = await eraser.erase(config.subject)
  return { runtime: runtimeInfo(), report, retries, elapsedMs: Date.now() - started }
}
