// Erase one person from every configured processor, from Deno.
//
//   deno run --allow-net --allow-env erase.ts '{"ref":"ticket-4711","userId":"u_123","email":"jane@example.com"}'
//
// Credentials come from the environment (see README.md); a provider whose credentials are
// not set is left out. Prints the PII-free report; exits 1 when any provider failed.
import { createEraser, type Provider, type Report } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap, type CleverTapRegion } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch, type BatchOptions } from '@erasekit/batch'

/** Providers from environment variables; `*_BASE_URL` points one at a proxy or an emulator. */
export function providersFromEnv(env: (name: string) => string | undefined): Provider[] {
  const providers: Provider[] = []
  const apiKey = env('ADAPTY_API_KEY')
  if (apiKey) providers.push(adapty({ apiKey, baseURL: env('ADAPTY_BASE_URL') || undefined }))
  const accountId = env('CLEVERTAP_ACCOUNT_ID')
  const passcode = env('CLEVERTAP_PASSCODE')
  if (accountId && passcode) {
    providers.push(
      clevertap({
        accountId,
        passcode,
        region: (env('CLEVERTAP_REGION') || undefined) as CleverTapRegion | undefined,
        baseURL: env('CLEVERTAP_BASE_URL') || undefined,
      }),
    )
  }
  const altcraftURL = env('ALTCRAFT_BASE_URL')
  const token = env('ALTCRAFT_TOKEN')
  if (altcraftURL && token) providers.push(altcraft({ baseURL: altcraftURL, token, dbId: Number(env('ALTCRAFT_DB_ID') ?? 1) }))
  const restKey = env('BATCH_REST_KEY')
  if (restKey) {
    const appKeys: Record<string, string> = {}
    for (const [label, name] of [['ios', 'BATCH_IOS_APP_KEY'], ['android', 'BATCH_ANDROID_APP_KEY'], ['web', 'BATCH_WEB_APP_KEY']] as const) {
      const key = env(name)
      if (key) appKeys[label] = key
    }
    providers.push(batch({ restKey, appKeys, mode: (env('BATCH_MODE') || 'gdpr') as BatchOptions['mode'], baseURL: env('BATCH_BASE_URL') || undefined }))
  }
  return providers
}

if (import.meta.main) {
  const providers = providersFromEnv((name) => Deno.env.get(name))
  if (providers.length === 0) {
    console.error('no provider configured: set ADAPTY_API_KEY, CLEVERTAP_ACCOUNT_ID + CLEVERTAP_PASSCODE, ALTCRAFT_BASE_URL + ALTCRAFT_TOKEN or BATCH_REST_KEY')
    Deno.exit(2)
  }
  const subject = JSON.parse(Deno.args[0] ?? (await new Response(Deno.stdin.readable).text()))
  const report: Report = await createEraser({ providers }).erase(subject)
  console.log(JSON.stringify(report, null, 2))
  Deno.exit(report.ok ? 0 : 1)
}
