/**
 * `erasekit run` driven as a user drives it: the built CLI in a child process, files in and out,
 * against the four emulators served over loopback from this process.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ANDROID, cli, countReceipts, csvOf, IOS, journalOf, LANES, person, receiptsOf, startWorld, summaryOf, tmp, type World } from './helpers'

describe('erasekit run against the emulators', () => {
  let world: World
  beforeAll(async () => {
    world = await startWorld(60)
  })
  afterAll(() => world?.close())

  test('CSV: every subject erased from every provider, summary = receipts, no personal data in the files', async () => {
    const dir = tmp('csv')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(1, 10))
    const receipts = join(dir, 'receipts.jsonl')
    const journal = join(dir, 'journal.jsonl')
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--receipts', receipts, '--journal', journal], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(0)
    const summary = summaryOf(result.stdout)
    expect(summary).toEqual({
      adapty: { deleted: 10, accepted: 0, not_found: 0, skipped: 0, failed: 0, total: 10 },
      clevertap: { deleted: 0, accepted: 10, not_found: 0, skipped: 0, failed: 0, total: 10 },
      altcraft: { deleted: 10, accepted: 0, not_found: 0, skipped: 0, failed: 0, total: 10 },
      'batch/ios': { deleted: 0, accepted: 10, not_found: 0, skipped: 0, failed: 0, total: 10 },
      'batch/android': { deleted: 0, accepted: 10, not_found: 0, skipped: 0, failed: 0, total: 10 },
    })
    expect(countReceipts(receiptsOf(receipts))).toEqual(summary)
    expect(result.output).toContain('10 subjects: 10 ok, 0 with failures')
    expect(result.output).toContain(`receipts: ${receipts} (50 outcomes written)`)
    // Beside the receipts, the run's record: what they cover, no credential.
    const runs = readFileSync(join(dir, 'receipts.runs.jsonl'), 'utf8')
    const [record] = runs.trim().split('\n').map((line) => JSON.parse(line))
    expect(record).toEqual({
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      erasekit: '0.1.0',
      input: 'subjects.csv',
      saltCheck: null,
      providers: {
        adapty: { origin: world.servers.adapty.url, apiVersion: 'v2', customerUserIdFrom: 'userId', verify: false },
        clevertap: { origin: world.servers.clevertap.url, region: 'eu1', identityFrom: 'userId' },
        altcraft: { origin: world.servers.altcraft.url, dbId: 1, matching: ['profile_id', 'email', 'phone', 'custom'] },
        batch: { origin: world.servers.batch.url, targets: ['ios', 'android'], mode: 'custom_data', customIdFrom: 'userId' },
      },
    })
    for (const secret of Object.values(world.env)) expect(runs).not.toContain(secret)
    expect(statSync(join(dir, 'receipts.runs.jsonl')).mode & 0o777).toBe(0o600)
    // Gone from the emulators' stores (CleverTap marked, Batch queued).
    for (let i = 1; i <= 10; i++) {
      const { userId } = person(i)
      expect(world.emulators.adapty.store.has({ customerUserId: userId })).toBe(false)
      expect(world.emulators.clevertap.store.isMarked(userId)).toBe(true)
      expect(world.emulators.altcraft.store.has(1, world.altcraftIds[i]!)).toBe(false)
      for (const key of [IOS, ANDROID]) expect(world.emulators.batch.store.deletions.some((d) => d.appKey === key && d.ids.includes(userId))).toBe(true)
    }
    // Receipts and journal: refs and hashes only, never an identifier or a secret.
    const files = readFileSync(receipts, 'utf8') + readFileSync(journal, 'utf8')
    for (const raw of ['cust-', '@example.org', ...Object.values(world.env)]) expect(files).not.toContain(raw)
    expect(journalOf(journal)).toHaveLength(50)
    expect(receiptsOf(receipts).every((r) => r.subjectRef.startsWith('dsr-') && /^[\da-f]{64}$/.test(r.identifier!.hash))).toBe(true)
  }, 60_000)

  test('JSONL: provider ids, partial subjects and refs from line numbers', async () => {
    const dir = tmp('jsonl')
    const config = world.config(dir)
    const lines = [
      JSON.stringify({ ref: 'j-11', userId: person(11).userId, email: person(11).email, ids: { adapty: world.adaptyIds[11] } }),
      '',
      JSON.stringify({ email: person(12).email }), // Altcraft only: the others have nothing to match
      JSON.stringify({ userId: person(13).userId, email: person(13).email }),
    ]
    writeFileSync(join(dir, 'subjects.jsonl'), `${lines.join('\n')}\n`)
    const receipts = join(dir, 'receipts.jsonl')
    const result = await cli(['run', '--config', config, '--input', 'subjects.jsonl', '--receipts', receipts], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(0)
    const summary = summaryOf(result.stdout)
    expect(summary.adapty).toEqual({ deleted: 2, accepted: 0, not_found: 0, skipped: 1, failed: 0, total: 3 })
    expect(summary.altcraft).toEqual({ deleted: 3, accepted: 0, not_found: 0, skipped: 0, failed: 0, total: 3 })
    expect(summary['batch/ios']).toEqual({ deleted: 0, accepted: 2, not_found: 0, skipped: 1, failed: 0, total: 3 })
    expect(result.output).toMatch(/skipped, no identifier this provider can use: 1 × adapty, clevertap, batch\/ios, batch\/android/)
    // Counted ok, and said: the person may still be at the providers never asked.
    expect(result.output).toContain('3 subjects: 3 ok (1 not sent to every provider: no identifier it can use), 0 with failures')
    const all = receiptsOf(receipts)
    expect(countReceipts(all)).toEqual(summary)
    expect(new Set(all.map((r) => r.subjectRef))).toEqual(new Set(['j-11', 'line:3', 'line:4']))
    expect(all.find((r) => r.subjectRef === 'j-11' && r.provider === 'adapty')!.identifier!.kind).toBe('profile_id')
    expect(world.emulators.adapty.store.has({ profileId: world.adaptyIds[11]! })).toBe(false)
  }, 60_000)

  test('an Altcraft custom field filled from ids.<key> (custom.from) makes ids.<key> a known CSV column', async () => {
    const dir = tmp('custom-ids')
    const config = world.config(dir, (providers) => {
      providers.altcraft.matching = ['custom']
      providers.altcraft.custom = { field: 'CRM_ID', from: 'ids.crm' }
    })
    const profile = world.emulators.altcraft.store.add(1, { fields: { CRM_ID: 'CRM-9001' } })
    writeFileSync(join(dir, 'subjects.csv'), 'ref,ids.crm\ndsr-crm,CRM-9001\n')
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--only', 'altcraft'], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(0)
    expect(result.output).not.toContain('unknown column')
    expect(summaryOf(result.stdout)).toEqual({ altcraft: { deleted: 1, accepted: 0, not_found: 0, skipped: 0, failed: 0, total: 1 } })
    expect(world.emulators.altcraft.store.has(1, profile)).toBe(false)
    // With Altcraft left out (--only), the column is still known: the other providers run on the same file
    // (a user the emulators do not hold: the world's persons stay as the other tests expect them).
    writeFileSync(join(dir, 'more.csv'), 'ref,userId,ids.crm\ndsr-crm-2,crm-only-user,CRM-9002\n')
    const only = await cli(['run', '--config', config, '--input', 'more.csv', '--only', 'adapty'], { cwd: dir, env: world.env })
    expect(only.code, only.output).toBe(0)
    expect(only.output).not.toContain('unknown column')
    expect(summaryOf(only.stdout)).toEqual({ adapty: { deleted: 0, accepted: 0, not_found: 1, skipped: 0, failed: 0, total: 1 } })
    // custom.from given as an environment variable, as any option may be.
    const fromEnv = world.config(dir, (providers) => {
      providers.altcraft.matching = ['custom']
      providers.altcraft.custom = { field: 'CRM_ID', from: { env: 'ALTCRAFT_FROM' } }
    })
    const profile2 = world.emulators.altcraft.store.add(1, { fields: { CRM_ID: 'CRM-9003' } })
    writeFileSync(join(dir, 'env.csv'), 'ref,ids.crm\ndsr-crm-3,CRM-9003\n')
    const viaEnv = await cli(['run', '--config', fromEnv, '--input', 'env.csv', '--only', 'altcraft'], { cwd: dir, env: { ...world.env, ALTCRAFT_FROM: 'ids.crm' } })
    expect(viaEnv.code, viaEnv.output).toBe(0)
    expect(world.emulators.altcraft.store.has(1, profile2)).toBe(false)
  }, 60_000)

  test('an Altcraft custom.from that differs from a provider\'s ids column only in case is refused before anything is read', async () => {
    const dir = tmp('custom-ids-case')
    const config = world.config(dir, (providers) => {
      providers.altcraft.custom = { field: 'CRM_ID', from: 'ids.Adapty' }
      providers.batch.mode = 'gdpr'
    })
    writeFileSync(join(dir, 'subjects.csv'), 'ref,ids.adapty\ndsr-a,x\n')
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv'], { cwd: dir, env: world.env })
    expect(result.code).toBe(1)
    expect(result.output).toContain('providers.altcraft.custom.from: differs from the ids.adapty column only in case')
    // follow-up reads no input columns: the same config is not refused there.
    writeFileSync(join(dir, 'r.jsonl'), '')
    const followUp = await cli(['follow-up', '--config', config, '--receipts', 'r.jsonl'], { cwd: dir, env: world.env })
    expect(followUp.code, followUp.output).toBe(0)
    expect(followUp.output).toContain('nothing to follow up')
  }, 60_000)

  test('a custom.from key Altcraft refuses is no column, even with Altcraft left out by --only', async () => {
    const dir = tmp('custom-ids-bad')
    const config = world.config(dir, (providers) => {
      providers.altcraft.custom = { field: 'CRM_ID', from: `ids.${'k'.repeat(41)}` }
    })
    writeFileSync(join(dir, 'subjects.csv'), `ref,userId,ids.${'k'.repeat(41)}\ndsr-k,crm-only-user,x\n`)
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--only', 'adapty', '--dry-run'], { cwd: dir, env: world.env })
    expect(result.output).toContain('unknown column')
  }, 60_000)

  test('--only restricts the providers; --dry-run sends nothing', async () => {
    const dir = tmp('only')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(14, 16))
    world.clearLogs()
    const dry = await cli(['run', '--config', config, '--input', 'subjects.csv', '--dry-run'], { cwd: dir, env: world.env })
    expect(dry.code, dry.output).toBe(0)
    expect(Object.values(world.emulators).every((emulator) => emulator.requests.length === 0)).toBe(true)
    expect(summaryOf(dry.stdout).adapty).toEqual({ deleted: 0, accepted: 0, not_found: 0, skipped: 3, failed: 0, total: 3 })
    expect(dry.output).toContain('dry run: nothing was sent')
    expect(dry.output).toMatch(/adapty: DELETE http:\/\/127\.0\.0\.1:\d+\/api\/v2\/server-side-api\/profile\//)
    expect(dry.output).not.toContain(world.env.ADAPTY_API_KEY)
    expect(dry.output).not.toContain('cust-14')
    // The first line's subject, though the second (email only: no batching lane) is reported first.
    writeFileSync(join(dir, 'order.csv'), `ref,userId,email\ndsr-a,${person(20).userId},\ndsr-b,,${person(21).email}\n`)
    const ordered = await cli(['run', '--config', config, '--input', 'order.csv', '--dry-run'], { cwd: dir, env: world.env })
    expect(ordered.output).toContain('requests for the first subject (dsr-a)')

    const only = await cli(['run', '--config', config, '--input', 'subjects.csv', '--only', 'adapty,batch', '--receipts', join(dir, 'r.jsonl')], { cwd: dir, env: { ...world.env, CLEVERTAP_PASSCODE: undefined } })
    expect(only.code, only.output).toBe(0)
    expect(Object.keys(summaryOf(only.stdout))).toEqual(['adapty', 'batch/ios', 'batch/android'])
    expect(world.emulators.clevertap.requests).toHaveLength(0)
    expect(world.emulators.altcraft.requests).toHaveLength(0)
    expect(world.emulators.adapty.requests).toHaveLength(3)
  }, 60_000)

  test('bad input: malformed CSV lines and an unknown column fail with their line numbers; the rest is erased', async () => {
    const dir = tmp('bad')
    const config = world.config(dir)
    const p = (i: number) => person(i)
    const text = [
      'ref,userId,email,mail',
      `dsr-20,${p(20).userId},${p(20).email},`,
      `dsr-21,"${p(21).userId},${p(21).email},`, // quote never closed
      `dsr-22,${p(22).userId},${p(22).email},,extra`, // one field too many
      `dsr-23,${p(23).userId},,${p(23).email}`, // a value in the unknown column
      `dsr-24,${p(24).userId},${p(24).email},`,
    ].join('\n')
    writeFileSync(join(dir, 'subjects.csv'), `${text}\n`)
    const receipts = join(dir, 'receipts.jsonl')
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--receipts', receipts], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(2)
    expect(result.output).toMatch(/subjects\.csv line 1: unknown column "mail"/)
    expect(result.output).toMatch(/line 3: invalid_subject: malformed CSV: quote opened at column 8 is not closed on this line/)
    expect(result.output).toMatch(/line 4: invalid_subject: malformed CSV: expected 4 fields as in the header, got 5/)
    expect(result.output).toMatch(/line 5: invalid_subject: unknown column "mail" has a value/)
    for (const lane of LANES) expect(summaryOf(result.stdout)[lane]).toMatchObject({ failed: 3, total: 5 })
    expect(result.output).toContain('5 subjects: 2 ok, 3 with failures')
    const all = receiptsOf(receipts)
    expect(countReceipts(all)).toEqual(summaryOf(result.stdout))
    for (const line of [3, 4, 5]) {
      const failed = all.filter((r) => r.subjectRef === `line:${line}`)
      expect(failed).toHaveLength(5)
      expect(failed.every((r) => r.status === 'failed' && r.error!.code === 'invalid_subject' && r.error!.message.includes(`subjects.csv line ${line}:`))).toBe(true)
    }
    expect(world.emulators.adapty.store.has({ customerUserId: p(20).userId })).toBe(false)
    expect(world.emulators.adapty.store.has({ customerUserId: p(24).userId })).toBe(false)
    expect(world.emulators.adapty.store.has({ customerUserId: p(21).userId })).toBe(true)
    expect(readFileSync(receipts, 'utf8')).not.toContain('cust-')
  }, 60_000)

  test('a CSV column whose header is data (an email, an id) is named by its position, never by its header, on screen and in receipts', async () => {
    const dir = tmp('header-data')
    const text = ['ref,userId,ann@example.org,cust_48213,e-mail,', `dsr-55,${person(55).userId},,,,`, `dsr-56,${person(56).userId},x,,,`].join('\n')
    writeFileSync(join(dir, 'subjects.csv'), `${text}\n`)
    const receipts = join(dir, 'receipts.jsonl')
    const result = await cli(['run', '--config', world.config(dir), '--input', 'subjects.csv', '--receipts', receipts], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(2)
    expect(result.output).toContain('subjects.csv line 1: unknown columns 3 (not named: it may be personal data), 4 (not named: it may be personal data), "e-mail", 6 (empty header)')
    expect(result.output).toContain('line 3: invalid_subject: unknown column 3 (not named: it may be personal data) has a value')
    for (const header of ['ann@example.org', 'cust_48213']) {
      expect(result.output).not.toContain(header)
      expect(readFileSync(receipts, 'utf8')).not.toContain(header)
    }
  }, 60_000)

  test('bad input: JSONL lines that are not JSON, have unknown fields or wrong types', async () => {
    const dir = tmp('badjsonl')
    const config = world.config(dir)
    const lines = [
      JSON.stringify({ userId: person(25).userId }),
      '{"userId": "cust-26", ',
      JSON.stringify({ userId: person(27).userId, mail: 'x@example.org' }),
      JSON.stringify({ userId: 28 }),
      JSON.stringify({ ids: { mixpanel: 'x' } }),
      '["not", "an", "object"]',
      // JSON keeps the last of two equal keys (also spelt with an escape, or inside ids): refused.
      '{"ref":"x{\\"[","userId":"cust-29","user\\u0049d":"cust-30"}',
      '{"ids":{"adapty":"3286abd3-48b0-4e9c-a5f6-ac0a006804a6","adapty":"3286abd3-48b0-4e9c-a5f6-ac0a006804a7"},"userId":"cust-31"}',
      '{"ref":"r-32","userId":"cust-32","email":["userId","userId"],"phone":{"userId":"a"}}',
      '{"userId":"cust-33","ids":{"adapty":"3286abd3-48b0-4e9c-a5f6-ac0a006804a6","Adapty":"3286abd3-48b0-4e9c-a5f6-ac0a006804a7"}}',
      // Keys that are data (an export keyed by email or id) are never printed; a misspelling is.
      '{"ref":"r-34","ann@example.org":"x"}',
      '{"userId":"cust-35","ids":{"u_998877":"y"}}',
      '{"userId":"cust-36","ids":{"adaptyy":"y"}}',
      '{"userId":"cust-37","cust_48213":"x","cust_48213":"y"}',
    ]
    writeFileSync(join(dir, 'subjects.jsonl'), `${lines.join('\n')}\n`)
    const receipts = join(dir, 'receipts.jsonl')
    const result = await cli(['run', '--config', config, '--input', 'subjects.jsonl', '--receipts', receipts], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(2)
    expect(result.output).toContain('line 2: invalid_subject: not valid JSON')
    expect(result.output).toContain('line 3: invalid_subject: unknown field "mail"')
    expect(result.output).toContain('line 4: invalid_subject: userId: expected a string')
    expect(result.output).toContain('line 5: invalid_subject: ids: unknown provider (not named: it may be personal data); known: adapty, clevertap, altcraft, batch')
    expect(result.output).toContain('line 6: invalid_subject: expected a JSON object')
    expect(result.output).toContain('line 7: invalid_subject: "userId" given more than once')
    expect(result.output).toContain('line 8: invalid_subject: "adapty" given more than once')
    // Equal keys in different objects are no repeat: this line fails on its types only.
    expect(result.output).toContain('line 9: invalid_subject: email: expected a string')
    expect(result.output).toContain('line 10: invalid_subject: ids.adapty given more than once')
    // The screen lists the first ten failed subjects; the receipts hold every one.
    const messageOf = (line: number) => receiptsOf(receipts).find((r) => r.subjectRef === `line:${line}` || r.subjectRef === `r-${line + 23}`)?.error?.message
    expect(messageOf(11)).toBe('[erasekit] subjects.jsonl line 11: unknown field (not named: it may be personal data); known: ref, userId, email, phone, ids')
    expect(messageOf(12)).toBe('[erasekit] subjects.jsonl line 12: ids: unknown provider (not named: it may be personal data); known: adapty, clevertap, altcraft, batch')
    expect(messageOf(13)).toBe('[erasekit] subjects.jsonl line 13: ids: unknown provider "adaptyy"; known: adapty, clevertap, altcraft, batch')
    expect(messageOf(14)).toBe('[erasekit] subjects.jsonl line 14: a key (not named: it may be personal data) given more than once (JSON keeps the last: which one was meant is unknowable)')
    expect(result.output).not.toContain('cust-26')
    expect(result.output).not.toContain('cust-30')
    for (const key of ['ann@example.org', 'u_998877', 'cust_48213']) {
      expect(result.output).not.toContain(key)
      expect(readFileSync(receipts, 'utf8')).not.toContain(key)
    }
    expect(result.output).toContain('14 subjects: 1 ok (1 not sent to every provider: no identifier it can use), 13 with failures')
    expect(receiptsOf(receipts)).toHaveLength(70)
    expect(world.emulators.adapty.store.has({ customerUserId: person(25).userId })).toBe(false)
  }, 60_000)

  test('the closing journal line counts what the journal got: confirmed outcomes, not skipped ones, none on a rerun', async () => {
    const dir = tmp('journal-count')
    const config = world.config(dir)
    // dsr-42 has no email: Altcraft skips it, and a skipped outcome is not journaled.
    writeFileSync(join(dir, 'subjects.csv'), `ref,userId,email\ndsr-41,${person(41).userId},${person(41).email}\ndsr-42,${person(42).userId},\n`)
    const journal = join(dir, 'journal.jsonl')
    const run = (receipts: string) => cli(['run', '--config', config, '--input', 'subjects.csv', '--journal', journal, '--receipts', join(dir, receipts)], { cwd: dir, env: world.env })
    const first = await run('r1.jsonl')
    expect(first.code, first.output).toBe(0)
    expect(receiptsOf(join(dir, 'r1.jsonl'))).toHaveLength(10)
    expect(journalOf(journal)).toHaveLength(9)
    expect(first.output).toContain(`journal: ${journal} (9 confirmed outcomes added)`)
    // Everything confirmed is skipped now: ten receipts, nothing added to the journal.
    const again = await run('r2.jsonl')
    expect(again.code, again.output).toBe(0)
    expect(receiptsOf(join(dir, 'r2.jsonl'))).toHaveLength(10)
    expect(journalOf(journal)).toHaveLength(9)
    expect(again.output).toContain(`journal: ${journal} (0 confirmed outcomes added)`)
  }, 60_000)

  test('without --receipts a run writes them to ./erasekit-receipts-<UTC time>.jsonl; a dry run writes none', async () => {
    const dir = tmp('default-receipts')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(43, 45))
    const written = () => readdirSync(dir).filter((name) => name.startsWith('erasekit-receipts-') && !name.endsWith('.runs.jsonl'))
    const dry = await cli(['run', '--config', config, '--input', 'subjects.csv', '--dry-run'], { cwd: dir, env: world.env })
    expect(dry.code, dry.output).toBe(0)
    expect(written()).toEqual([])
    const before = Math.floor(Date.now() / 1000) * 1000
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv'], { cwd: dir, env: world.env })
    const after = Date.now()
    expect(result.code, result.output).toBe(0)
    expect(written()).toHaveLength(1)
    const [name] = written() as [string]
    const stamp = /^erasekit-receipts-(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)Z\.jsonl$/.exec(name)
    expect(stamp, name).not.toBeNull()
    const time = Date.parse(`${stamp![1]}T${stamp![2]}:${stamp![3]}:${stamp![4]}Z`)
    expect(time).toBeGreaterThanOrEqual(before)
    expect(time).toBeLessThanOrEqual(after)
    expect(result.output).toContain(`receipts: ${join(dir, name)} (15 outcomes written); run record: ${join(dir, name.replace(/\.jsonl$/, '.runs.jsonl'))}`)
    expect(countReceipts(receiptsOf(join(dir, name)))).toEqual(summaryOf(result.stdout))
  }, 60_000)

  test('a missing secret fails that provider only, naming the field and the variable', async () => {
    const dir = tmp('secret')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(30, 32))
    const receipts = join(dir, 'receipts.jsonl')
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--receipts', receipts], { cwd: dir, env: { ...world.env, CLEVERTAP_PASSCODE: '' } })
    expect(result.code, result.output).toBe(2)
    expect(result.output).toContain('providers.clevertap.passcode: environment variable CLEVERTAP_PASSCODE is not set')
    const summary = summaryOf(result.stdout)
    expect(summary.clevertap).toMatchObject({ failed: 3 })
    expect(summary.adapty).toMatchObject({ deleted: 3, failed: 0 })
    expect(summary['batch/android']).toMatchObject({ accepted: 3, failed: 0 })
    const failed = receiptsOf(receipts).filter((r) => r.provider === 'clevertap')
    expect(failed.map((r) => r.error!.code)).toEqual(['invalid_config', 'invalid_config', 'invalid_config'])
    expect(world.emulators.clevertap.store.isMarked(person(30).userId)).toBe(false)
  }, 60_000)

  test('an unreachable provider: a network failure per subject, named in the summary; the others erase; exit 4 (only retryable failures)', async () => {
    const dir = tmp('unreachable')
    // Port 9 (discard) on loopback: nothing listens, connections are refused.
    const config = world.config(dir, (providers) => (providers.altcraft.baseURL = 'http://127.0.0.1:9'), { retry: { limit: 2, delayMs: 10 } })
    writeFileSync(join(dir, 'subjects.csv'), csvOf(33, 40))
    const receipts = join(dir, 'receipts.jsonl')
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--receipts', receipts], { cwd: dir, env: world.env })
    // A scheduler can tell "run again later" from "a person must fix something" (exit 2).
    expect(result.code, result.output).toBe(4)
    expect(result.output).toContain('8 subjects: 0 ok, 8 with failures. Every failure is retryable: run again later.')
    const summary = summaryOf(result.stdout)
    expect(summary.altcraft).toMatchObject({ failed: 8, total: 8 })
    expect(summary.adapty).toMatchObject({ deleted: 8, failed: 0 })
    expect(result.output).toMatch(/network, 8 × altcraft: \[erasekit\] \[altcraft\] network error/)
    expect(result.output).toMatch(/ref dsr-33\): altcraft: network:|line 2 \(ref dsr-33\): altcraft: network:/)
    expect(receiptsOf(receipts).filter((r) => r.provider === 'altcraft').every((r) => r.error!.code === 'network')).toBe(true)
  }, 60_000)

  test('retryable failures beside one that needs a fix: exit 2, not 4', async () => {
    const dir = tmp('mixed-failures')
    const config = world.config(dir, (providers) => (providers.altcraft.baseURL = 'http://127.0.0.1:9'), { retry: { limit: 0 } })
    // The last line has no identifier at all: invalid_subject, which no rerun mends.
    writeFileSync(join(dir, 'subjects.csv'), `${csvOf(41, 42)}dsr-43,,\n`)
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--receipts', 'r.jsonl'], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(2)
    expect(result.output).toContain('3 subjects: 0 ok, 3 with failures. Fix the causes above and run again.')
  }, 60_000)
})

describe('usage and config errors exit 1 with a message naming the field', () => {
  const dir = tmp('usage')
  writeFileSync(join(dir, 'subjects.csv'), 'userId\nu1\n')
  const write = (name: string, content: unknown) => {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content))
    return name
  }
  const ok = { providers: { adapty: { apiKey: { env: 'ADAPTY_API_KEY' } } } }
  const cases: [string, string[], RegExp][] = [
    ['no --config', ['run', '--input', 'subjects.csv'], /--config: required/],
    ['a mistyped flag', ['run', '--config', write('ok.json', ok), '--input', 'subjects.csv', '--dryrun'], /unknown option --dryrun/],
    ['an unknown command', ['erase'], /Unknown command erase/],
    ['a missing input file', ['run', '--config', 'ok.json', '--input', 'nope.csv'], /--input: cannot read nope\.csv \(ENOENT\)/],
    ['an input that is a directory', ['run', '--config', 'ok.json', '--input', (mkdirSync(join(dir, 'folder.csv'), { recursive: true }), 'folder.csv')], /--input: cannot read folder\.csv \(EISDIR\)/],
    ['an input of another type', ['run', '--config', 'ok.json', '--input', 'subjects.txt'], /--input: expected a \.csv or \.jsonl file/],
    ['a config that is not JSON', ['run', '--config', write('broken.json', '{\n  "providers": {\n    adapty: 1\n'), '--input', 'subjects.csv'], /broken\.json: not valid JSON at line 3/],
    // The parser's message would quote the unquoted secret.
    ['an unquoted secret in a JSON config', ['run', '--config', write('literal.json', '{"providers":{"adapty":{"apiKey":secret_live_abc}}}'), '--input', 'subjects.csv'], /literal\.json: not valid JSON(?![^\n]*secret)/],
    // Nor the loader's message for a .ts config: a secret written without quotes is a ReferenceError that names it.
    ['an unquoted secret in a .ts config', ['run', '--config', write('literal.config.ts', 'export default {\n  providers: { adapty: { apiKey: secret_live_abc } },\n}\n'), '--input', 'subjects.csv'], /literal\.config\.ts: could not be loaded \(ReferenceError near line 2\); its message is not shown(?![^\n]*secret)/],
    ['an unknown provider', ['run', '--config', write('unknown.json', { providers: { mixpanel: {} } }), '--input', 'subjects.csv'], /providers\.mixpanel: unknown provider/],
    ['a bad provider option', ['run', '--config', write('region.json', { providers: { clevertap: { accountId: 'a', passcode: 'b', region: 'mars' } } }), '--input', 'subjects.csv'], /region\.json: providers\.clevertap\.region: expected eu1, in1, sg1, us1, aps3 or mec1/],
    // A missing secret makes the provider fail its subjects at run time; its other options are still checked now.
    ['a bad provider option next to a missing secret', ['run', '--config', write('region-env.json', { providers: { adapty: { apiKey: { env: 'ADAPTY_API_KEY' } }, clevertap: { accountId: 'W9R-486-4W5Z', passcode: { env: 'UNSET_CLEVERTAP_PASSCODE' }, region: 'mars' } } }), '--input', 'subjects.csv', '--dry-run'], /region-env\.json: providers\.clevertap\.region: expected eu1, in1, sg1, us1, aps3 or mec1/],
    ['a missing required option', ['run', '--config', write('dbid.json', { providers: { altcraft: { baseURL: 'https://ru.altkraft.com', token: 't' } } }), '--input', 'subjects.csv'], /providers\.altcraft\.dbId: /],
    ['an unknown top-level field', ['run', '--config', write('top.json', { ...ok, retries: 3 }), '--input', 'subjects.csv'], /top\.json: retries: unknown field/],
    ['--only naming a provider not in the config', ['run', '--config', 'ok.json', '--input', 'subjects.csv', '--only', 'batch'], /--only: "batch" is not in ok\.json \(configured: adapty\)/],
    ['a CSV without identifier columns', ['run', '--config', 'ok.json', '--input', write('noid.csv', 'ref,name\nr1,x\n')], /noid\.csv line 1: no identifier column/],
    ['a journal that is not an erasekit journal', ['run', '--config', 'ok.json', '--input', 'subjects.csv', '--journal', write('other.jsonl', '{"id":1}\n')], /other\.jsonl line 1: not an erasekit journal line/],
    // Any configured provider's ids column, not only a bundled one's: a .mjs config's own provider.
    ['an Altcraft custom.from that differs from a configured provider\'s ids column only in case', ['run', '--config', write('twin.mjs', "import { defineProvider } from '@erasekit/core'\nexport default {\n  providers: {\n    altcraft: { baseURL: 'https://ru.altkraft.com', token: 't', dbId: 1, custom: { field: 'CRM_ID', from: 'ids.CRM' } },\n    crm: defineProvider({ name: 'crm', specificationVersion: 1, options: {}, baseURL: 'https://crm.example', match: () => undefined, erase: async () => [] }),\n  },\n}\n"), '--input', 'subjects.csv', '--dry-run'], /twin\.mjs: providers\.altcraft\.custom\.from: differs from the ids\.crm column only in case/],
    ['a CSV with a duplicate column', ['run', '--config', 'ok.json', '--input', write('dup.csv', 'userId,email,UserId\nu,e,u\n')], /dup\.csv line 1: column "userId" appears twice/],
    // A journal holds confirmations and their withdrawals (failed) only: a skipped one in it would skip a subject never erased.
    ['a journal line whose outcome is neither confirmed nor failed', ['run', '--config', 'ok.json', '--input', 'subjects.csv', '--dry-run', '--journal', write('skipped.jsonl', '{"subjectRef":"line:2","provider":"adapty","status":"skipped","at":"2026-11-23T00:00:00.000Z"}\n')], /skipped\.jsonl line 1: not an erasekit journal line/],
  ]
  test.each(cases)('%s', async (_, args, message) => {
    const result = await cli(args, { cwd: dir, env: { ADAPTY_API_KEY: 'k' } })
    expect(result.code, result.output).toBe(1)
    expect(result.output).toMatch(message)
    expect(result.output).not.toMatch(/\n\s+at .+:\d+:\d+/) // no stack trace
  }, 30_000)

  test('--help and --version exit 0', async () => {
    const help = await cli(['run', '--help'], { cwd: dir })
    expect(help.code).toBe(0)
    expect(help.output).toContain('--journal')
    const version = await cli(['--version'], { cwd: dir })
    expect(version.stdout.trim()).toBe('0.1.0')
    expect((await cli(['-v'], { cwd: dir })).stdout.trim()).toBe('0.1.0')
  })
})
