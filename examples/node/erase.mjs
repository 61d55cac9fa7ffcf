#!/usr/bin/env node
// Erase one person from every configured processor, from a Node script or a cron job.
//
//   node erase.mjs '{"ref":"ticket-4711","userId":"u_123","email":"jane@example.com"}'
//   echo '{"userId":"u_123"}' | node erase.mjs
//
// Credentials come from the environment (see README.md); a provider whose credentials are
// not set is left out. Prints the PII-free report; exits 1 when any provider failed.
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch } from '@erasekit/batch'

/** Providers from environment variables; `*_BASE_URL` points one at a proxy or an emulator. */
export function providersFromEnv(env) {
  const providers = []
  if (env.ADAPTY_API_KEY) providers.push(adapty({ apiKey: env.ADAPTY_API_KEY, baseURL: env.ADAPTY_BASE_URL || undefined }))
  if (env.CLEVERTAP_ACCOUNT_ID && env.CLEVERTAP_PASSCODE) {
    providers.push(
      clevertap({
        accountId: env.CLEVERTAP_ACCOUNT_ID,
        passcode: env.CLEVERTAP_PASSCODE,
        region: env.CLEVERTAP_REGION || undefined,
        baseURL: env.CLEVERTAP_BASE_URL || undefined,
      }),
    )
  }
  if (env.ALTCRAFT_BASE_URL && env.ALTCRAFT_TOKEN) {
    providers.push(altcraft({ baseURL: env.ALTCRAFT_BASE_URL, token: env.ALTCRAFT_TOKEN, dbId: Number(env.ALTCRAFT_DB_ID ?? 1) }))
  }
  if (env.BATCH_REST_KEY) {
    const appKeys = Object.fromEntries(
      [['ios', env.BATCH_IOS_APP_KEY], ['android', env.BATCH_ANDROID_APP_KEY], ['web', env.BATCH_WEB_APP_KEY]].filter(([, key]) => key),
    )
    providers.push(batch({ restKey: env.BATCH_REST_KEY, appKeys, mode: env.BATCH_MODE || 'gdpr', baseURL: env.BATCH_BASE_URL || undefined }))
  }
  return providers
}

async function readSubject() {
  if (process.argv[2]) return JSON.parse(process.argv[2])
  let input = ''
  for await (const chunk of process.stdin) input += chunk
  return JSON.parse(input)
}

const providers = providersFromEnv(process.env)
if (providers.length === 0) {
  console.error('no provider configured: set ADAPTY_API_KEY, CLEVERTAP_ACCOUNT_ID + CLEVERTAP_PASSCODE, ALTCRAFT_BASE_URL + ALTCRAFT_TOKEN or BATCH_REST_KEY')
  process.exit(2)
}
const eraser = createEraser({ providers })
const report = await eraser.erase(await readSubject())
console.log(JSON.stringify(report, null, 2))
process.exitCode = report.ok ? 0 : 1
