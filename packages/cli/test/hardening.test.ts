/**
 * What a careful user gets wrong, and the CLI must not: shared refs and corrected files on resume,
 * mistyped options, files that overlap, a disk that fills up mid-run, config values the core
 * refuses, and output meant for logs.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Outcome } from '@erasekit/core'
import { createOutcomeSink, type LineFile, subjectKey } from '../src/files'
import { CLI, cli, csvOf, journalOf, LANES, person, receiptsOf, start, startWorld, summaryOf, tmp, type World } from './helpers'

describe('erasekit run: mistakes and accidents', () => {
  let world: World
  beforeAll(async () => {
    world = await startWorld(40)
  })
  afterAll(() => world?.close())

  /** A usage error: exit 1, the message, no stack trace, nothing sent to any vendor. Returns the output. */
  const expectRefused = async (args: string[], cwd: string, message: string) => {
    const result = await cli(args, { cwd, env: world.env })
    expect(result.code, result.output).toBe(1)
    expect(result.output).toContain(message)
    expect(result.output).not.toMatch(/\n\s+at /)
    expect(Object.values(world.emulators).every((emulator) => emulator.requests.length === 0)).toBe(true)
    return result.output
  }
  /** A config with Adapty only (`extra`: top-level keys such as receiptSalt). */
  const adaptyOnly = (dir: string, extra?: Record<string, unknown>) =>
    world.config(dir, (providers) => {
      for (const name of ['clevertap', 'altcraft', 'batch']) delete providers[name]
    }, extra)
  const adaptyDeletes = () => world.emulators.adapty.requests.filter((request) => request.method === 'DELETE').map((request) => request.headers['adapty-customer-user-id'])

  test('a resumed run skips only the very subject it confirmed: not another with the same ref, not a corrected identifier, not a line that moved', async () => {
    const dir = tmp('keys')
    const config = world.config(dir)
    const journal = join(dir, 'journal.jsonl')
    const run = () => cli(['run', '--config', config, '--input', 'subjects.csv', '--journal', journal, '--receipts', join(dir, 'r.jsonl')], { cwd: dir, env: world.env })
    // One ticket, two people; the second id has a stray space, which Adapty refuses.
    writeFileSync(join(dir, 'subjects.csv'), `ref,userId\nT-1042,${person(1).userId}\nT-1042, ${person(2).userId}\n`)
    world.clearLogs()
    expect((await run()).code).toBe(2)
    expect(adaptyDeletes()).toEqual([person(1).userId])
    // Fixed: the second person is erased now, the first is not sent again.
    writeFileSync(join(dir, 'subjects.csv'), `ref,userId\nT-1042,${person(1).userId}\nT-1042,${person(2).userId}\n`)
    world.clearLogs()
    const fixed = await run()
    expect(fixed.code, fixed.output).toBe(0)
    expect(adaptyDeletes()).toEqual([person(2).userId])
    expect(world.emulators.adapty.store.has({ customerUserId: person(2).userId })).toBe(false)

    // Without refs, other people on the same lines are other subjects.
    writeFileSync(join(dir, 'subjects.csv'), `userId\n${person(3).userId}\n${person(4).userId}\n`)
    expect((await run()).code).toBe(0)
    writeFileSync(join(dir, 'subjects.csv'), `userId\n${person(5).userId}\n${person(6).userId}\n`)
    world.clearLogs()
    const moved = await run()
    expect(moved.code, moved.output).toBe(0)
    expect(adaptyDeletes().sort()).toEqual([person(5).userId, person(6).userId])

    // Receipts keep the caller's refs; the journal adds the fingerprint, never an identifier.
    expect(new Set(receiptsOf(join(dir, 'r.jsonl')).map((receipt) => receipt.subjectRef))).toEqual(new Set(['T-1042', 'line:2', 'line:3']))
    const lines = journalOf(journal)
    expect(lines.every((line) => /^[\da-f]{16}$/.test(line.fingerprint ?? ''))).toBe(true)
    expect(readFileSync(journal, 'utf8')).not.toContain('cust-')
  }, 60_000)

  test('without a ref column a line is known by its number: the same person on another line, in a later file, is sent again', async () => {
    const dir = tmp('shift')
    const config = world.config(dir)
    const journal = join(dir, 'journal.jsonl')
    const run = () => cli(['run', '--config', config, '--input', 'subjects.csv', '--journal', journal, '--only', 'adapty'], { cwd: dir, env: world.env })
    writeFileSync(join(dir, 'subjects.csv'), csvOf(21, 23, false))
    expect((await run()).code).toBe(0)
    // Months later, with the same journal: person 21 signed up again and asks again, on line 3.
    world.emulators.adapty.store.add({ customerUserId: person(21).userId })
    writeFileSync(join(dir, 'subjects.csv'), csvOf(24, 24, false) + `${person(21).userId},${person(21).email}\n`)
    world.clearLogs()
    const later = await run()
    expect(later.code, later.output).toBe(0)
    expect(adaptyDeletes().sort()).toEqual([person(21).userId, person(24).userId])
    expect(world.emulators.adapty.store.has({ customerUserId: person(21).userId })).toBe(false)
  }, 60_000)

  test('with a receiptSalt the journal fingerprint is salted too (as identifierHash is)', async () => {
    const dir = tmp('salt')
    const config = adaptyOnly(dir, { receiptSalt: { env: 'RECEIPT_SALT' } })
    const { userId, email } = person(1)
    writeFileSync(join(dir, 's.csv'), `ref,userId,email\ndsr-1,${userId},${email}\n`)
    const unsalted = adaptyOnly(mkdirSync(join(dir, 'unsalted'), { recursive: true })!)
    const run = (salt?: string) =>
      cli(['run', '--config', salt ? config : unsalted, '--input', 's.csv', '--journal', 'j.jsonl', '--receipts', 'r.jsonl'], { cwd: dir, env: { ...world.env, RECEIPT_SALT: salt } })
    const result = await run('pepper-123')
    expect(result.code, result.output).toBe(0)
    expect(result.output).not.toContain('no receiptSalt')
    const [check, line] = readFileSync(join(dir, 'j.jsonl'), 'utf8').trim().split('\n').map((text) => JSON.parse(text))
    expect(line.fingerprint).toBe(subjectKey('dsr-1', { userId, email }, 'pepper-123').slice(-16))
    expect(line.fingerprint).not.toBe(subjectKey('dsr-1', { userId, email }).slice(-16))
    // The journal names its salt without revealing it: a resume with another one would match
    // nothing and send every confirmed erasure again, so it is refused before anything is sent.
    expect(Object.keys(check)).toEqual(['saltCheck'])
    expect(readFileSync(join(dir, 'j.jsonl'), 'utf8')).not.toContain('pepper-123')
    world.clearLogs()
    const message = 'was written with another receiptSalt (or none)'
    for (const salt of ['pepper-456', undefined]) {
      const other = await run(salt)
      expect(other.code, other.output).toBe(1)
      expect(other.output).toContain(message)
      expect(world.emulators.adapty.requests).toHaveLength(0)
    }
    const again = await run('pepper-123')
    expect(again.code, again.output).toBe(0)
    expect(world.emulators.adapty.requests).toHaveLength(0)
    expect(readFileSync(join(dir, 'j.jsonl'), 'utf8').match(/saltCheck/g)).toHaveLength(1)
  }, 60_000)

  test('one journal, one run at a time: a live run holds <journal>.lock, a dead one (kill -9) does not', async () => {
    const dir = tmp('lock')
    const config = adaptyOnly(dir)
    writeFileSync(join(dir, 's.csv'), `ref,userId\ndsr-1,${person(1).userId}\n`)
    const lock = join(dir, 'j.jsonl.lock')
    const run = () => cli(['run', '--config', config, '--input', 's.csv', '--journal', 'j.jsonl', '--receipts', 'r.jsonl'], { cwd: dir, env: world.env })
    // This test process stands for a run still going.
    writeFileSync(lock, `${process.pid}\n`)
    world.clearLogs()
    const held = await run()
    expect(held.code, held.output).toBe(1)
    expect(held.output).toContain(`--journal: another run (pid ${process.pid}) is using ${join(dir, 'j.jsonl')}`)
    expect(world.emulators.adapty.requests).toHaveLength(0)
    expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\n`)
    // A run killed with -9 leaves its lock; its process is gone, so the next run takes it over.
    const gone = spawnSync(process.execPath, ['-e', '']).pid
    writeFileSync(lock, `${gone}\n`)
    const next = await run()
    expect(next.code, next.output).toBe(0)
    expect(world.emulators.adapty.requests).toHaveLength(1)
    expect(existsSync(lock)).toBe(false)
  }, 60_000)

  test('runs started together on one journal, with or without a stale lock: the subject is sent once, never twice', async () => {
    for (const stale of [false, true]) {
      const dir = tmp(stale ? 'lock-race-stale' : 'lock-race')
      const config = adaptyOnly(dir)
      writeFileSync(join(dir, 's.csv'), `ref,userId\ndsr-1,${person(2).userId}\n`)
      if (stale) writeFileSync(join(dir, 'j.jsonl.lock'), `${spawnSync(process.execPath, ['-e', '']).pid}\n`)
      world.clearLogs()
      const results = await Promise.all(
        [1, 2, 3, 4].map((n) => cli(['run', '--config', config, '--input', 's.csv', '--journal', 'j.jsonl', '--receipts', `r${n}.jsonl`], { cwd: dir, env: world.env })),
      )
      // Each run either held the lock (and sent, or found the subject journaled) or was refused.
      for (const result of results) expect([0, 1], result.output).toContain(result.code)
      expect(results.some((result) => result.code === 0)).toBe(true)
      expect(world.emulators.adapty.requests, stale ? 'with a stale lock' : 'without a lock').toHaveLength(1)
    }
  }, 60_000)

  test('without a receiptSalt the run warns that receipt hashes can be matched against a list of users', async () => {
    const dir = tmp('nosalt')
    const config = adaptyOnly(dir)
    writeFileSync(join(dir, 's.csv'), `ref,userId\ndsr-1,${person(1).userId}\n`)
    const result = await cli(['run', '--config', config, '--input', 's.csv', '--receipts', 'r.jsonl'], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(0)
    expect(result.stderr).toContain('no receiptSalt: receipts and journal hold plain SHA-256 hashes of the identifiers')
  }, 60_000)

  test('Batch in custom_data mode warns that it does not erase the user (its receipts look like a GDPR removal)', async () => {
    const dir = tmp('batch-mode')
    writeFileSync(join(dir, 's.csv'), `ref,userId\ndsr-1,${person(1).userId}\n`)
    const warning = "providers.batch.mode is custom_data: Batch deletes only the custom data set through its Custom Data API, not the user. For a right-to-erasure request set mode: 'gdpr'"
    const customData = await cli(['run', '--dry-run', '--config', world.config(dir), '--input', 's.csv', '--only', 'batch', '--receipts', 'dry.jsonl'], { cwd: dir, env: world.env })
    expect(customData.code, customData.output).toBe(0)
    expect(customData.stderr).toContain(warning)
    // The run's record says the mode, and that nothing was sent.
    expect(JSON.parse(readFileSync(join(dir, 'dry.runs.jsonl'), 'utf8'))).toMatchObject({ dryRun: true, providers: { batch: { mode: 'custom_data', targets: ['ios', 'android'] } } })
    const gdpr = await cli(['run', '--dry-run', '--config', world.config(dir, (providers) => (providers.batch.mode = 'gdpr')), '--input', 's.csv', '--only', 'batch'], { cwd: dir, env: world.env })
    expect(gdpr.code, gdpr.output).toBe(0)
    expect(gdpr.output).not.toContain('custom_data')
  }, 60_000)

  test('a line with no identifier at all fails as invalid_subject instead of counting as erased', async () => {
    const dir = tmp('empty')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), `ref,userId,email\ndsr-empty,,\ndsr-25,${person(25).userId},\n`)
    writeFileSync(join(dir, 'subjects.jsonl'), `{"ref":"dsr-empty","email":null}\n`)
    world.clearLogs()
    for (const input of ['subjects.csv', 'subjects.jsonl']) {
      const result = await cli(['run', '--config', config, '--input', input, '--receipts', join(dir, `${input}.receipts`)], { cwd: dir, env: world.env })
      expect(result.code, result.output).toBe(2)
      expect(result.output).toMatch(/line \d( \(ref dsr-empty\))?: invalid_subject: no identifier: expected a value in userId, email, phone or ids\.<provider>/)
      const failed = receiptsOf(join(dir, `${input}.receipts`)).filter((receipt) => receipt.status === 'failed')
      expect(failed.length).toBe(LANES.length)
      // The line's own ref stays on its receipts: the ticket is findable.
      expect(failed.every((receipt) => receipt.error?.code === 'invalid_subject' && receipt.subjectRef === 'dsr-empty')).toBe(true)
    }
  }, 60_000)

  test('a ref that holds an identifier of its line fails as invalid_subject under the line number; the identifier is written nowhere', async () => {
    const dir = tmp('ref-pii')
    const config = world.config(dir)
    const { email } = person(26)
    writeFileSync(join(dir, 'subjects.csv'), `ref,email\n${email},${email}\ndsr-27,${person(27).email}\n`)
    writeFileSync(join(dir, 'subjects.jsonl'), `${JSON.stringify({ ref: `DSR ${email.toUpperCase()}`, email })}\n`)
    world.clearLogs()
    for (const input of ['subjects.csv', 'subjects.jsonl']) {
      const receipts = join(dir, `${input}.receipts`)
      const journal = join(dir, `${input}.journal`)
      const result = await cli(['run', '--config', config, '--input', input, '--receipts', receipts, '--journal', journal], { cwd: dir, env: world.env })
      expect(result.code, result.output).toBe(2)
      expect(result.output).toContain('invalid_subject: ref holds an identifier of the subject; receipts show refs as they are (use a case or ticket id)')
      const failed = receiptsOf(receipts).filter((receipt) => receipt.status === 'failed')
      expect(failed.map((receipt) => receipt.subjectRef)).toEqual(LANES.map(() => input === 'subjects.csv' ? 'line:2' : 'line:1'))
      for (const text of [result.output, readFileSync(receipts, 'utf8'), readFileSync(journal, 'utf8')]) expect(text.toLowerCase()).not.toContain(email)
    }
    // The run's own refs end with a hash of the identifiers (dsr-1~2587231992fd5d38 with this salt):
    // a numeric id found inside it by chance is no ref that holds an identifier.
    const salted = world.config(tmp('ref-hash'), undefined, { receiptSalt: 's' })
    writeFileSync(join(dir, 'hash.csv'), 'ref,userId\ndsr-1,231992\n')
    const chance = await cli(['run', '--config', salted, '--input', 'hash.csv', '--receipts', 'hash.jsonl', '--only', 'batch'], { cwd: dir, env: world.env })
    expect(chance.code, chance.output).toBe(0)
    expect(receiptsOf(join(dir, 'hash.jsonl')).map((receipt) => [receipt.subjectRef, receipt.status])).toEqual([['dsr-1', 'accepted'], ['dsr-1', 'accepted']])
    // Nothing was sent for the refused lines.
    expect(world.emulators.altcraft.requests.map((request) => JSON.stringify(request.body)).join()).not.toContain(email)
  }, 60_000)

  test('a corrected column is sent again only to the providers it addresses: the others stay skipped', async () => {
    const dir = tmp('columns')
    const config = world.config(dir)
    const journal = join(dir, 'journal.jsonl')
    const run = () => cli(['run', '--config', config, '--input', 'subjects.csv', '--journal', journal], { cwd: dir, env: world.env })
    const { userId, email } = person(8)
    // A typo in userId: Adapty finds nobody (not_found, success), CleverTap and Batch accept it, Altcraft erases by email.
    writeFileSync(join(dir, 'subjects.csv'), `ref,userId,email\ndsr-8,${userId}x,${email}\n`)
    world.clearLogs()
    expect((await run()).code).toBe(0)
    expect(world.emulators.altcraft.requests).toHaveLength(1)
    writeFileSync(join(dir, 'subjects.csv'), `ref,userId,email\ndsr-8,${userId},${email}\n`)
    world.clearLogs()
    const fixed = await run()
    // Sent again where userId is the identifier; Altcraft, which already erased by email (and would now answer "Profile not found"), is not.
    expect(fixed.code, fixed.output).toBe(0)
    expect(adaptyDeletes()).toEqual([userId])
    expect(world.emulators.altcraft.requests).toHaveLength(0)
    expect(readFileSync(journal, 'utf8')).not.toContain(email)
  }, 60_000)

  test('credentials refused 20 times in a row: nothing more is sent to that provider in this run', async () => {
    const dir = tmp('refused')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(100, 159))
    world.clearLogs()
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--only', 'adapty', '--receipts', join(dir, 'r.jsonl')], {
      cwd: dir,
      env: { ...world.env, ADAPTY_API_KEY: 'secret_live_wrong.key' },
    })
    expect(result.code, result.output).toBe(2)
    // 20, plus at most the requests already in flight (Adapty: 8).
    expect(world.emulators.adapty.requests.length).toBeGreaterThanOrEqual(20)
    expect(world.emulators.adapty.requests.length).toBeLessThanOrEqual(28)
    expect(result.output).toContain('adapty: 20 requests in a row refused (unauthorized); nothing more is sent to it in this run')
    const receipts = receiptsOf(join(dir, 'r.jsonl'))
    expect(receipts).toHaveLength(60)
    expect(receipts.every((receipt) => receipt.status === 'failed' && receipt.error?.code === 'unauthorized')).toBe(true)
    expect(result.output).not.toContain('secret_live_wrong.key')
  }, 60_000)

  test('mistyped options and stray words are refused before anything is sent', async () => {
    const dir = tmp('args')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(7, 7))
    world.clearLogs()
    const base = ['run', '--config', config, '--input', 'subjects.csv']
    for (const [extra, message] of [
      [['-dry-run'], 'unknown option -dry-run (did you mean --dry-run?)'],
      [['\u2014dry-run'], 'unknown option \u2014dry-run: a typographic dash'],
      [['dry-run'], 'unexpected argument "dry-run"'],
      [['--dryrun'], 'unknown option --dryrun'],
      [['--config', 'other.json'], '--config: given more than once; give it once'],
      // Each of these ran for real before: a switch with a value, words after `--`.
      [['--dry-run=false'], '--dry-run: takes no value'],
      [['--dry-run=no'], '--dry-run: takes no value'],
      [['--', '--dry-run'], 'unexpected argument "--" before --dry-run: nothing goes after it'],
    ] as const) {
      await expectRefused([...base, ...extra], dir, message)
    }
    await expectRefused(['run', '--config', '--input', 'subjects.csv'], dir, '--config: expected a value')
    // citty reads a command's options after it only.
    await expectRefused(['--dry-run', ...base], dir, '--dry-run: options go after the command')
  }, 60_000)

  test('receipts and journal must be files of their own, and writable', async () => {
    const dir = tmp('paths')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(8, 8))
    mkdirSync(join(dir, 'adir'))
    world.clearLogs()
    const cases: [string[], string][] = [
      [['--receipts', 'subjects.csv'], `--receipts: ${join(dir, 'subjects.csv')} is also the --input file`],
      [['--receipts', 'x.jsonl', '--journal', 'x.jsonl'], `--journal: ${join(dir, 'x.jsonl')} is also the --receipts file`],
      [['--receipts', 'adir'], `--receipts: cannot write ${join(dir, 'adir')} (EISDIR)`],
      [['--journal', 'adir'], `--journal: cannot use ${join(dir, 'adir')} (not a regular file)`],
      // A device keeps nothing: the proof of erasure, or what a resumed run must skip, would be thrown away.
      [['--receipts', '/dev/null'], '--receipts: cannot write /dev/null (not a regular file)'],
      [['--receipts', 'r.jsonl', '--journal', '/dev/null'], '--journal: cannot use /dev/null (not a regular file)'],
      // Its folder cannot be made (a file stands there): named, before anything is sent.
      [['--receipts', 'r.jsonl', '--journal', 'subjects.csv/j.jsonl'], `--journal: cannot write ${join(dir, 'subjects.csv/j.jsonl')} (EEXIST)`],
      // A link to the input is the input, symbolic or hard; a directory alias is that directory.
      [['--receipts', 'link.jsonl'], `--receipts: ${join(dir, 'link.jsonl')} is also the --input file`],
      [['--receipts', 'hard.jsonl'], `--receipts: ${join(dir, 'hard.jsonl')} is also the --input file`],
      [['--receipts', 'out/x.jsonl', '--journal', 'alias/x.jsonl'], `--journal: ${join(dir, 'alias/x.jsonl')} is also the --receipts file`],
      // A receipts file as the journal would match nothing, and get journal lines.
      [['--journal', 'old-receipts.jsonl'], `old-receipts.jsonl line 1: a receipt, not a journal line`],
    ]
    symlinkSync(join(dir, 'subjects.csv'), join(dir, 'link.jsonl'))
    linkSync(join(dir, 'subjects.csv'), join(dir, 'hard.jsonl'))
    mkdirSync(join(dir, 'out'))
    symlinkSync(join(dir, 'out'), join(dir, 'alias'))
    const receipt = { provider: 'adapty', subjectRef: 'dsr-8', identifier: { kind: 'userId', hash: 'ab'.repeat(32) }, status: 'deleted', attempts: 1, durationMs: 5, at: '2026-11-23T00:00:00.000Z' }
    writeFileSync(join(dir, 'old-receipts.jsonl'), `${JSON.stringify(receipt)}\n`)
    for (const [extra, message] of cases) await expectRefused(['run', '--config', config, '--input', 'subjects.csv', ...extra], dir, message)
    expect(readFileSync(join(dir, 'subjects.csv'), 'utf8')).toBe(csvOf(8, 8))
  }, 60_000)

  test('a CSV without its header row is refused without printing its first line: those "column names" are identifiers', async () => {
    const dir = tmp('headerless')
    const config = world.config(dir)
    const { userId, email } = person(9)
    writeFileSync(join(dir, 'subjects.csv'), `T-4711,${userId},${email}\nT-4712,${person(10).userId},${person(10).email}\n`)
    world.clearLogs()
    const output = await expectRefused(['run', '--config', config, '--input', 'subjects.csv', '--receipts', 'r.jsonl'], dir, 'subjects.csv line 1: no identifier column; expected userId, email, phone or ids.<provider>')
    for (const value of ['T-4711', userId, email]) expect(output).not.toContain(value)
    expect(existsSync(join(dir, 'r.jsonl'))).toBe(false)
  }, 60_000)

  test('output piped to a reader that goes away (| head): the run still finishes and writes every receipt', async () => {
    const dir = tmp('epipe')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(31, 40))
    const run = start(['run', '--config', config, '--input', 'subjects.csv', '--receipts', join(dir, 'r.jsonl'), '--only', 'adapty'], { cwd: dir, env: world.env })
    // The reader closes its end at once: every later write to stdout fails with EPIPE.
    run.child.stdout!.destroy()
    const result = await run.done
    expect(result.stderr).not.toMatch(/EPIPE|\n\s+at /)
    expect(result.code, result.output).toBe(0)
    expect(receiptsOf(join(dir, 'r.jsonl'))).toHaveLength(10)
  }, 60_000)

  test('after a failed write the files get nothing more: a later line would be glued to the torn one', () => {
    let calls = 0
    const written: string[] = []
    const file = {
      write(text: string) {
        if (++calls === 2) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
        written.push(text)
      },
    } as unknown as LineFile
    const sink = createOutcomeSink({ receipts: file })
    const outcome: Outcome = { provider: 'adapty', subjectRef: 'dsr-1', status: 'deleted', attempts: 1, durationMs: 1, at: '2026-11-23T00:00:00.000Z' }
    sink.record(outcome)
    expect(() => sink.record(outcome)).toThrow('no space left on device')
    // Space freed meanwhile: still nothing written, the same error.
    expect(() => sink.record(outcome)).toThrow('no space left on device')
    expect(() => sink.receipt(outcome)).toThrow('no space left on device')
    expect([calls, written.length]).toEqual([2, 1])
  })

  test('a config plugin whose outcome hook throws: every outcome it was shown already has its receipt', async () => {
    const dir = tmp('plugin')
    const json = JSON.parse(readFileSync(world.config(dir), 'utf8'))
    const seen = join(dir, 'seen.txt')
    // The audit sink of the config records what it is shown, then fails on the third outcome.
    writeFileSync(
      join(dir, 'erasekit.config.mjs'),
      `import { appendFileSync } from 'node:fs'\nlet n = 0\nexport default { providers: ${JSON.stringify(json.providers)}, plugins: [{ name: 'audit-sink', hooks: { outcome(o) {\n` +
        `  appendFileSync(${JSON.stringify(seen)}, o.subjectRef + '\\n')\n  if (++n === 3) throw new Error('audit sink down')\n} } }] }\n`,
    )
    writeFileSync(join(dir, 'subjects.csv'), csvOf(41, 50))
    const receipts = join(dir, 'r.jsonl')
    const result = await cli(['run', '--config', 'erasekit.config.mjs', '--input', 'subjects.csv', '--receipts', receipts, '--only', 'adapty'], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(3)
    expect(result.output).toContain('audit sink down')
    const shown = readFileSync(seen, 'utf8').trim().split('\n')
    expect(shown.length).toBeGreaterThanOrEqual(3)
    const written = new Set(receiptsOf(receipts).map((receipt) => receipt.subjectRef))
    // Plugins see the run's subject keys (ref~fingerprint); receipts carry the ref.
    for (const key of shown) expect(written.has(key.replace(/~[\da-f]{16}$/, '')), `${key} has no receipt`).toBe(true)
  }, 60_000)

  test('a disk that fills up mid-run: exit 3, the journal never ahead of the receipts, and the rerun finishes the job', async () => {
    const dir = tmp('full')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(11, 30))
    const receipts = join(dir, 'r.jsonl')
    const journal = join(dir, 'journal.jsonl')
    // Adapty and Batch: a deletion sent again after the stop is `not_found` / accepted again (Altcraft
    // answers an undocumented 400 for a profile it already deleted, a failure on purpose).
    const args = ['run', '--config', config, '--input', 'subjects.csv', '--receipts', receipts, '--journal', journal, '--only', 'adapty,batch']
    // A 4 KiB file-size limit (RLIMIT_FSIZE): a write past it is cut short, then fails with EFBIG.
    const stopped = await cli(args, { cwd: dir, env: world.env, command: ['bash', '-c', 'ulimit -f 4; exec "$0" "$@"', process.execPath, CLI] })
    expect(stopped.code, stopped.output).toBe(3)
    const [, inReceipts, inJournal] = /run stopped \(([\d,]+) outcomes in the receipts, ([\d,]+) confirmed in the journal\): EFBIG/.exec(stopped.output) ?? []
    expect(stopped.output).toContain('run the same command again to resume')
    // The write the limit cut short was cut off again: whole lines only, and the counts are theirs.
    const text = readFileSync(receipts, 'utf8')
    expect(text.endsWith('\n')).toBe(true)
    const complete = text.split('\n').filter(Boolean).map((line) => JSON.parse(line))
    expect([complete.length, journalOf(journal).length]).toEqual([Number(inReceipts), Number(inJournal)])
    for (const line of journalOf(journal)) {
      expect(complete.some((receipt) => receipt.subjectRef === line.subjectRef && receipt.provider === line.provider && receipt.target === line.target)).toBe(true)
    }

    const resumed = await cli(args, { cwd: dir, env: world.env })
    expect(resumed.code, resumed.output).toBe(0)
    for (let i = 11; i <= 30; i++) expect(world.emulators.adapty.store.has({ customerUserId: person(i).userId })).toBe(false)
  }, 60_000)

  test('config: retry and timeout are checked like the rest, naming the field; an empty env name is refused', async () => {
    const dir = tmp('config')
    writeFileSync(join(dir, 'subjects.csv'), csvOf(9, 9))
    world.clearLogs()
    const configIn = (name: string, ...args: Parameters<World['config']> extends [string, ...infer Rest] ? Rest : never) => {
      mkdirSync(join(dir, name))
      return world.config(join(dir, name), ...args)
    }
    const cases: [string, string][] = [
      [configIn('retry', undefined, { retry: { limit: '2' } }), 'erasekit.config.json: retry.limit: expected an integer, 0 or more'],
      [configIn('timeout', undefined, { timeout: 1e12 }), 'erasekit.config.json: timeout:'],
      [configIn('env', (providers) => (providers.adapty.apiKey = { env: '' })), 'erasekit.config.json: providers.adapty.apiKey.env: expected an environment variable name'],
    ]
    for (const [config, message] of cases) await expectRefused(['run', '--config', config, '--input', 'subjects.csv', '--receipts', 'r.jsonl'], dir, message)
  }, 60_000)

  test('more than ten failed subjects: ten are listed, then how many more; one cause is one line, whatever lines it was on', async () => {
    const dir = tmp('failures')
    const config = world.config(dir)
    let csv = 'ref,userId\n'
    for (let i = 1; i <= 12; i++) csv += `T-${1000 + i},"${person(i).userId}\n` // a quote never closed
    writeFileSync(join(dir, 'subjects.csv'), csv)
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--dry-run'], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(2)
    const lines = result.output.split('\n')
    const listed = lines.slice(lines.indexOf('  failed subjects:') + 1)
    // A line that cannot be parsed has no ref: it is known by its number.
    expect(listed.slice(0, 10).map((line) => /^    line (\d+): invalid_subject: malformed CSV: quote opened/.exec(line)?.[1])).toEqual(['2', '3', '4', '5', '6', '7', '8', '9', '10', '11'])
    // A dry run without --receipts writes none to see.
    expect(listed[10]).toBe('    … and 2 more')
    expect(lines.filter((line) => line.startsWith('  • '))).toEqual([
      '  • invalid_subject, 12 × adapty, clevertap, altcraft, batch/ios, batch/android: [erasekit] subjects.csv line …: malformed CSV: quote opened at column 8 is not closed on this line (fields cannot span lines)',
    ])
  }, 60_000)

  test('output for people and logs: each failed provider keeps its own cause, bulk bodies abridged, CR-only files counted, no colours in a pipe', async () => {
    const dir = tmp('output')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(31, 33))
    const env = { ...world.env, CLEVERTAP_PASSCODE: undefined, BATCH_IOS_APP_KEY: undefined }
    const failed = await cli(['run', '--config', config, '--input', 'subjects.csv', '--receipts', 'r.jsonl'], { cwd: dir, env })
    expect(failed.code).toBe(2)
    expect(failed.output).toMatch(/clevertap: invalid_config: [^;\n]*CLEVERTAP_PASSCODE is not set; batch\/ios, batch\/android: invalid_config: [^;\n]*BATCH_IOS_APP_KEY is not set/)

    writeFileSync(join(dir, 'many.csv'), csvOf(1, 12))
    const dry = await cli(['run', '--config', config, '--input', 'many.csv', '--dry-run'], { cwd: dir, env: world.env })
    expect(dry.code, dry.output).toBe(0)
    expect(dry.output).toMatch(/body \{"identity":\["\[id:[\da-f]{8}\]","\[id:[\da-f]{8}\]","\[id:[\da-f]{8}\]","… 9 more"\]\}/)

    writeFileSync(join(dir, 'mac.csv'), csvOf(34, 35).replaceAll('\n', '\r'))
    const mac = await cli(['run', '--config', config, '--input', 'mac.csv', '--dry-run'], { cwd: dir, env: world.env })
    expect(mac.output).toContain('erasing 2 subjects')
    expect(summaryOf(mac.stdout).adapty!.total).toBe(2)

    const help = await cli(['run', '--help'], { env: { NO_COLOR: undefined } })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--dry-run')
    expect(help.stdout + help.stderr).not.toContain('\x1b[')
  }, 60_000)

  test('receipts and journal in folders that do not exist yet: the folders are made, the run goes ahead', async () => {
    const dir = tmp('new-folders')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(38, 38))
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--only', 'adapty', '--receipts', 'proof/2026-11/r.jsonl', '--journal', 'state/j.jsonl'], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(0)
    expect(receiptsOf(join(dir, 'proof/2026-11/r.jsonl'))).toHaveLength(1)
    expect(journalOf(join(dir, 'state/j.jsonl'))).toHaveLength(1)
  }, 60_000)

  test('providers failing for different causes: one summary line per cause, each naming its own variable, and a warning before anything is sent', async () => {
    const dir = tmp('causes')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(36, 37))
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--dry-run'], { cwd: dir, env: { ...world.env, CLEVERTAP_PASSCODE: undefined, BATCH_IOS_APP_KEY: undefined } })
    expect(result.code, result.output).toBe(2)
    const causes = result.output.split('\n').filter((line) => line.startsWith('  • invalid_config'))
    expect(causes).toEqual([
      expect.stringMatching(/^  • invalid_config, 2 × clevertap: .*CLEVERTAP_PASSCODE is not set$/),
      expect.stringMatching(/^  • invalid_config, 2 × batch\/ios, batch\/android: .*BATCH_IOS_APP_KEY is not set$/),
    ])
    // Named as the run starts (a warning), not only in the summary at its end.
    expect(result.stderr).toMatch(/\[warn\][^\n]*providers\.clevertap\.passcode: environment variable CLEVERTAP_PASSCODE is not set/)
  }, 60_000)

  test('a journal whose last line was torn by a crash: the run says it ignored that line, and goes on', async () => {
    const dir = tmp('torn')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(39, 39))
    writeFileSync(join(dir, 'j.jsonl'), '{"subjectRef":"dsr-39","identifierHash":"ab","provider":"adapty","status":"dele')
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--only', 'adapty', '--journal', 'j.jsonl', '--dry-run'], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(0)
    expect(result.stderr).toMatch(/\[warn\][^\n]*journal: ignored 1 unreadable line/)
  }, 60_000)

  test('a dry run with --journal neither creates the journal nor touches one that exists', async () => {
    const dir = tmp('dry-journal')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(39, 39))
    const dry = (journal: string) => cli(['run', '--config', config, '--input', 'subjects.csv', '--only', 'adapty', '--journal', journal, '--dry-run'], { cwd: dir, env: world.env })
    expect((await dry('new.jsonl')).code).toBe(0)
    expect(existsSync(join(dir, 'new.jsonl'))).toBe(false)
    const torn = '{"subjectRef":"dsr-1","identifierHash":"ab","provider":"adapty","status":"deleted","at":"2026-11-23T00:00:00.000Z"}\n{"subjectRef":"dsr-2","ident'
    writeFileSync(join(dir, 'old.jsonl'), torn)
    expect((await dry('old.jsonl')).code).toBe(0)
    expect(readFileSync(join(dir, 'old.jsonl'), 'utf8')).toBe(torn)
  }, 60_000)

  test('no colours in a pipe on a CI runner either (GitHub Actions: CI set, output to a log, not a terminal)', async () => {
    const dir = tmp('ci-pipe')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(39, 39))
    const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--only', 'adapty', '--dry-run'], { cwd: dir, env: { ...world.env, NO_COLOR: undefined, CI: 'true', GITHUB_ACTIONS: 'true' } })
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toContain('provider')
    expect(result.stdout + result.stderr).not.toContain('\x1b[')
  }, 60_000)
})
