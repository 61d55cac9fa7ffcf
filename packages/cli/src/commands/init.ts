import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { defineCommand, type ArgsDef } from 'citty'
import { rejectUnknownFlags } from '../args'
import { UsageError } from '../errors'
import { logger, out } from '../ui'

const args = {
  format: { type: 'string', default: 'ts', valueHint: 'ts|mjs|json', description: 'Config file type: ts, mjs or json (json cannot hold comments)' },
  force: { type: 'boolean', description: 'Overwrite an existing config file' },
} satisfies ArgsDef

export const ENV_VARS = ['ADAPTY_API_KEY', 'CLEVERTAP_ACCOUNT_ID', 'CLEVERTAP_PASSCODE', 'ALTCRAFT_TOKEN', 'BATCH_REST_KEY', 'BATCH_IOS_APP_KEY', 'BATCH_ANDROID_APP_KEY', 'ERASEKIT_RECEIPT_SALT']
/** How to make each variable that is no vendor credential. */
const MAKE: Record<string, string> = { ERASEKIT_RECEIPT_SALT: '$(openssl rand -hex 32)   # once; keep it secret, and the same for every later run' }

export const TEMPLATE = `// erasekit.config: the providers \`erasekit run\` erases people from.
//
// Secrets are never written in this file: { env: 'NAME' } is read from the environment
// variable NAME when a run starts. If one is missing, that provider fails every subject with
// invalid_config (named in the summary and receipts) and the other providers still run.
// Delete the providers you do not use, or pick some per run with --only adapty,batch.
import { defineConfig } from '@erasekit/cli'

export default defineConfig({
  providers: {
    // Adapty (subscription analytics). Key: App settings → General → API keys → secret key.
    // Deletes the profile by ids.adapty (profile id), else by userId (customer user id).
    adapty: {
      apiKey: { env: 'ADAPTY_API_KEY' },
      // baseURL: 'http://127.0.0.1:4010', // a proxy or an emulator instead of the vendor (any provider)
      // apiVersion: 'v2',             // or 'v1'
      // verify: true,                 // read each deleted profile back (twice the requests)
    },

    // CleverTap (customer engagement). Settings → Project: Account ID and Passcode.
    // Marks the profile for deletion (gone within 48 h): ids.clevertap (guid), else userId (identity).
    clevertap: {
      accountId: { env: 'CLEVERTAP_ACCOUNT_ID' },
      passcode: { env: 'CLEVERTAP_PASSCODE' },
      region: 'eu1',                   // eu1, in1, sg1, us1, aps3 or mec1: your dashboard's region
      // identityFrom: 'userId',       // or 'email' / 'phone'
    },

    // Altcraft (marketing CDP). An API token whose role may delete profiles.
    // Matches ids.altcraft (profile id), then email, then phone.
    altcraft: {
      baseURL: 'https://ru.altkraft.com', // Altcraft Cloud, or your self-hosted origin
      token: { env: 'ALTCRAFT_TOKEN' },
      dbId: 1,                         // the profile database id
      // custom: { field: 'CRM_ID', from: 'userId' }, // also match on a database field
    },

    // Batch (push). The company REST API key and one app key per app: one deletion per app key,
    // by userId (the Batch custom user id). Outcomes name the app by its label (batch/ios).
    batch: {
      restKey: { env: 'BATCH_REST_KEY' },
      appKeys: {
        ios: { env: 'BATCH_IOS_APP_KEY' },
        android: { env: 'BATCH_ANDROID_APP_KEY' },
      },
      mode: 'gdpr',                    // a GDPR removal request per user and app (Batch's erasure);
                                       // 'custom_data' deletes only the custom data you pushed
    },
  },

  // retry: { limit: 4 },             // retries per request after the first attempt
  // timeout: 10_000,                 // per attempt, ms
  // Salts the SHA-256 identifier hashes in receipts and journal. Without it they are plain hashes:
  // whoever holds a list of your users' emails or ids can tell from a receipt whom you erased. Keep
  // it secret and never change it: a resume needs the salt its journal was written with.
  receiptSalt: { env: 'ERASEKIT_RECEIPT_SALT' },
})
`

export const JSON_TEMPLATE = {
  providers: {
    adapty: { apiKey: { env: 'ADAPTY_API_KEY' } },
    clevertap: { accountId: { env: 'CLEVERTAP_ACCOUNT_ID' }, passcode: { env: 'CLEVERTAP_PASSCODE' }, region: 'eu1' },
    altcraft: { baseURL: 'https://ru.altkraft.com', token: { env: 'ALTCRAFT_TOKEN' }, dbId: 1 },
    batch: { restKey: { env: 'BATCH_REST_KEY' }, appKeys: { ios: { env: 'BATCH_IOS_APP_KEY' }, android: { env: 'BATCH_ANDROID_APP_KEY' } }, mode: 'gdpr' },
  },
  receiptSalt: { env: 'ERASEKIT_RECEIPT_SALT' },
}

export default defineCommand({
  meta: { name: 'init', description: 'Write a commented erasekit.config.ts (or .mjs / .json) with every bundled provider' },
  args,
  async run({ args: parsed, rawArgs }) {
    rejectUnknownFlags(rawArgs, args)
    const format = parsed.format ?? 'ts'
    if (!['ts', 'mjs', 'json'].includes(format)) throw new UsageError('--format: expected ts, mjs or json')
    const file = resolve(`erasekit.config.${format}`)
    if (existsSync(file) && !parsed.force) throw new UsageError(`${file} exists; pass --force to overwrite it`)
    await writeFile(file, format === 'json' ? `${JSON.stringify(JSON_TEMPLATE, null, 2)}\n` : TEMPLATE)
    logger.success(`wrote ${file}`)
    out(`\n  Set the secrets in the environment (a secret manager, or an untracked .env you source):\n${ENV_VARS.map((name) => `    export ${name}=${MAKE[name] ?? '…'}`).join('\n')}\n`)
    out(`  Then try it without sending anything:\n    erasekit run --config erasekit.config.${format} --input subjects.csv --dry-run\n`)
  },
})
