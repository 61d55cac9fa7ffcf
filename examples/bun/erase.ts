// Erase one person from every configured processor, from Bun.
//
//   bun erase.ts '{"ref":"ticket-4711","userId":"u_123","email":"jane@example.com"}'
//
// Bun loads .env files by itself, so credentials can live there (see README.md). A provider
// whose credentials are not set is left out. Prints the PII-free report; exits 1 when any
// provider failed.
import { createEraser, type Provider } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap, type CleverTapRegion } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch, type BatchOptions } from '@erasekit/batch'

/** Providers from environment variables; `*_BASE_URL` points one at a proxy or an emulator. */
export function providersFromEnv(env: Record<string, string | undefined>): Provider[] {
  const providers: Provider[] = []
  if (env.ADAPTY_API_KEY) providers.push(adapty({ apiKey: env.ADAPTY_API_KEY, baseURL: env.ADAPTY_BASE_URL || undefined }))
  if (env.CLEVERTAP_ACCOUNT_ID && env.CLEVERTAP_PASSCODE) {
    providers.push(
      clevertap({
        accountId: env.CLEVERTAP_ACCOUNT_ID,
        passcode: env.CLEVERTAP_PASSCODE,
        region: (env.CLEVERTAP_REGION || undefined) as CleverTapRegion | undefined,
        baseURL: env.CLEVERTAP_BASE_URL || undefined,
      }),
    )
  }
  if (env.ALTCRAFT_BASE_URL && env.ALTCRAFT_TOKEN) {
    providers.push(altcraft({ baseURL: env.ALTCRAFT_BASE_URL, token: env.ALTCRAFT_TOKEN, dbId: Number(env.ALTCRAFT_DB_ID ?? 1) }))
  }
  if (env.BATCH_REST_KEY) {
    const appKeys: Record<string, string> = {}
    if (env.BATCH_IOS_APP_KEY) appKeys.ios = env.BATCH_IOS_APP_KEY
    if (env.BATCH_ANDROID_APP_KEY) appKeys.android = env.BATCH_ANDROID_APP_KEY
    if (env.BATCH_WEB_APP_KEY) appKeys.web = env.BATCH_WEB_APP_KEY
    providers.push(batch({ restKey: env.BATCH_REST_KEY, appKeys, mode: (env.BATCH_MODE || 'gdpr') as BatchOptions['mode'], baseURL: env.BATCH_BASE_URL || undefined }))
  }
  return providers
}

const providers = providersFromEnv(Bun.env)
if (providers.length === 0) {
  console.error('no provider configured: set ADAPTY_API_KEY, CLEVERTAP_ACCOUNT_ID + CLEVERTAP_PASSCODE, ALTCRAFT_BASE_URL + ALTCRAFT_TOKEN or BATCH_REST_KEY')
  process.exit(2)
}
const subject = JSON.parse(Bun.argv[2] ?? (await Bun.stdin.text()))
const report = await createEraser({ providers }).erase(subject)
console.log(JSON.stringify(report, null, 2))
process.exitCode = report.ok ? 0 : 1
