/** `erasekit init`, then the config it wrote, loaded by `erasekit run --dry-run`. */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { cli, LANES, summaryOf, tmp } from './helpers'

const ENV = {
  ADAPTY_API_KEY: 'secret_live_abc.def',
  CLEVERTAP_ACCOUNT_ID: 'W9R-486-4W5Z',
  CLEVERTAP_PASSCODE: 'passcode-123',
  ALTCRAFT_TOKEN: 'altcraft-token-xyz',
  BATCH_REST_KEY: 'batch-rest-key',
  BATCH_IOS_APP_KEY: 'IOSAPPKEY123',
  BATCH_ANDROID_APP_KEY: 'ANDROIDAPPKEY456',
  ERASEKIT_RECEIPT_SALT: 'salt-0123456789abcdef',
}

describe('erasekit init', () => {
  test.each(['ts', 'mjs', 'json'])('--format %s writes a config that run loads (dry run against the real hosts: nothing sent)', async (format) => {
    const dir = tmp(`init-${format}`)
    const args = format === 'ts' ? ['init'] : ['init', '--format', format]
    const init = await cli(args, { cwd: dir })
    expect(init.code, init.output).toBe(0)
    const file = `erasekit.config.${format}`
    const text = readFileSync(join(dir, file), 'utf8')
    for (const name of Object.keys(ENV)) expect(text).toContain(format === 'json' ? `"env": "${name}"` : `{ env: '${name}' }`)
    if (format !== 'json') {
      expect(text).toContain("import { defineConfig } from '@erasekit/cli'")
      expect(text).toMatch(/^\s*\/\/ Adapty/m)
    }
    // Every variable the written config reads, ready to paste.
    for (const name of Object.keys(ENV)) expect(init.output).toContain(`export ${name}=`)

    writeFileSync(join(dir, 'subjects.csv'), 'ref,userId,email\ndsr-1,u-1,a@example.org\n')
    const dry = await cli(['run', '--config', file, '--input', 'subjects.csv', '--dry-run'], { cwd: dir, env: ENV })
    expect(dry.code, dry.output).toBe(0)
    const summary = summaryOf(dry.stdout)
    expect(Object.keys(summary)).toEqual(LANES)
    for (const lane of LANES) expect(summary[lane]).toMatchObject({ skipped: 1, total: 1 })
    expect(dry.output).toContain('adapty: DELETE https://api.adapty.io/api/v2/server-side-api/profile/')
    expect(dry.output).toContain('clevertap: POST https://api.clevertap.com/1/delete/profiles.json')
    expect(dry.output).toContain('altcraft: POST https://ru.altkraft.com/api/v1.1/profiles/delete')
    // Batch in GDPR mode: an erasure request, not only a Custom Data delete.
    expect(dry.output).toContain('batch/ios: POST https://api.batch.com/1.0/***/gdpr/request')
    for (const secret of Object.values(ENV)) expect(dry.output).not.toContain(secret)
    expect(dry.output).not.toContain('a@example.org')
  }, 60_000)

  test('refuses to overwrite without --force; without the secrets set, each provider fails naming its variables', async () => {
    const dir = tmp('init-force')
    expect((await cli(['init'], { cwd: dir })).code).toBe(0)
    const again = await cli(['init'], { cwd: dir })
    expect(again.code).toBe(1)
    expect(again.output).toMatch(/erasekit\.config\.ts exists; pass --force/)
    expect((await cli(['init', '--force'], { cwd: dir })).code).toBe(0)
    expect((await cli(['init', '--format', 'yaml'], { cwd: dir })).code).toBe(1)

    writeFileSync(join(dir, 'subjects.csv'), 'userId\nu-1\n')
    const unset = Object.fromEntries(Object.keys(ENV).map((name) => [name, undefined]))
    // The salt the written config asks for is not a provider's: without it, nothing runs.
    const unsalted = await cli(['run', '--config', 'erasekit.config.ts', '--input', 'subjects.csv', '--dry-run'], { cwd: dir, env: { ...ENV, ERASEKIT_RECEIPT_SALT: undefined } })
    expect(unsalted.code, unsalted.output).toBe(1)
    expect(unsalted.output).toContain('receiptSalt: environment variable ERASEKIT_RECEIPT_SALT is not set')
    const run = await cli(['run', '--config', 'erasekit.config.ts', '--input', 'subjects.csv', '--dry-run'], { cwd: dir, env: { ...unset, ADAPTY_API_KEY: 'k-1234', ERASEKIT_RECEIPT_SALT: ENV.ERASEKIT_RECEIPT_SALT } })
    expect(run.code, run.output).toBe(2)
    expect(run.output).toContain('providers.clevertap.accountId: environment variable CLEVERTAP_ACCOUNT_ID is not set; providers.clevertap.passcode: environment variable CLEVERTAP_PASSCODE is not set')
    expect(run.output).toContain('providers.batch.restKey: environment variable BATCH_REST_KEY is not set')
    expect(summaryOf(run.stdout).adapty).toMatchObject({ skipped: 1, failed: 0 })
    expect(summaryOf(run.stdout)['batch/android']).toMatchObject({ failed: 1 })

    // With no secret at all, nothing could run: one message says what to set, and nothing is written.
    const none = await cli(['run', '--config', 'erasekit.config.ts', '--input', 'subjects.csv', '--dry-run'], { cwd: dir, env: { ...unset, ERASEKIT_RECEIPT_SALT: ENV.ERASEKIT_RECEIPT_SALT } })
    expect(none.code, none.output).toBe(1)
    expect(none.output).toMatch(/erasekit\.config\.ts: no provider can run: providers\.adapty\.apiKey: environment variable ADAPTY_API_KEY is not set; .*BATCH_REST_KEY is not set.*\. Set the variables and run again/)
    expect(none.output).not.toContain('erasing 1 subject')
  }, 60_000)
})
