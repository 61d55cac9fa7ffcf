/**
 * `erasekit follow-up`: the Batch GDPR requests a run left `accepted`, looked up until Batch says
 * done. Against the emulators behind loopback servers, through the built CLI.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CLI, cli, csvOf, receiptsOf, startWorld, tmp, type World } from './helpers'

let world: World
beforeAll(async () => {
  world = await startWorld(3)
})
afterAll(() => world.close())

const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>)

describe('erasekit follow-up', () => {
  test('pending, then deleted and not_found once Batch has processed them; no identifier in the output', async () => {
    const dir = tmp('follow-up')
    // Persons 1-3 are stored at Batch; person 4 is not (Batch answers "user not found").
    writeFileSync(join(dir, 'subjects.csv'), csvOf(1, 4))
    const config = world.config(dir, (providers) => (providers.batch.mode = 'gdpr'), { receiptSalt: 'follow-up-salt' })
    const env = world.env
    const run = await cli(['run', '--config', config, '--input', 'subjects.csv', '--receipts', 'r.jsonl', '--journal', 'j.jsonl', '--only', 'batch'], { cwd: dir, env })
    expect(run.code, run.output).toBe(0)
    const accepted = receiptsOf(join(dir, 'r.jsonl')).filter((receipt) => receipt.status === 'accepted')
    expect(accepted).toHaveLength(8)

    const pending = await cli(['follow-up', '--config', config, '--receipts', 'r.jsonl', '--output', 'f1.jsonl'], { cwd: dir, env })
    expect(pending.code, pending.output).toBe(4)
    expect(pending.output).toMatch(/batch\/android\s+4\s+0\s+0\s+0\s+0/)
    expect(pending.output).toContain('8 request(s) still pending at Batch')
    const first = linesOf(join(dir, 'f1.jsonl'))
    expect(first).toHaveLength(8)
    expect(first[0]).toMatchObject({ provider: 'batch', state: 'pending', status: 'accepted', identifier: { kind: 'custom_id' } })
    expect(first.map((line) => line.subjectRef).sort()).toEqual(['dsr-1', 'dsr-1', 'dsr-2', 'dsr-2', 'dsr-3', 'dsr-3', 'dsr-4', 'dsr-4'])

    world.emulators.batch.store.process()
    const done = await cli(['follow-up', '--config', config, '--receipts', 'r.jsonl', '--output', 'f2.jsonl'], { cwd: dir, env })
    expect(done.code, done.output).toBe(0)
    expect(done.output).toMatch(/batch\/ios\s+0\s+3\s+1\s+0\s+0/)
    expect(done.output).toContain('8 request(s) done at Batch: 6 deleted, 2 not found')
    expect(done.output).not.toContain('more than 20 days')
    const second = linesOf(join(dir, 'f2.jsonl'))
    expect(second.find((line) => line.subjectRef === 'dsr-4')).toMatchObject({ state: 'done', status: 'not_found', error: 'user not found' })
    // The follow-up holds what the receipts hold: hashes and refs, no raw identifier or secret.
    // A resumed run's receipts hold journaled skips, which name no request: the follow-up says so.
    const resumed = await cli(['run', '--config', config, '--input', 'subjects.csv', '--receipts', 'r2.jsonl', '--journal', 'j.jsonl', '--only', 'batch'], { cwd: dir, env })
    expect(resumed.code, resumed.output).toBe(0)
    const fromResumed = await cli(['follow-up', '--config', config, '--receipts', 'r2.jsonl', '--output', 'f4.jsonl'], { cwd: dir, env })
    expect(fromResumed.code, fromResumed.output).toBe(0)
    expect(fromResumed.output).toContain("8 Batch receipt(s) say an earlier run confirmed the request (skipped: journaled) and name no request id: give that run's receipts file too, or the journal")
    // The journal keeps Batch's request ids as well: it is enough to follow up from when receipts are lost.
    const fromJournal = await cli(['follow-up', '--config', config, '--receipts', 'j.jsonl', '--output', 'f3.jsonl'], { cwd: dir, env })
    expect(fromJournal.code, fromJournal.output).toBe(0)
    expect(fromJournal.output).toContain('8 request(s) done at Batch: 6 deleted, 2 not found')
    expect(linesOf(join(dir, 'f3.jsonl')).map((line) => [line.subjectRef, line.requestId]).sort()).toEqual(second.map((line) => [line.subjectRef, line.requestId]).sort())
    // Receipts and journal together name each request twice: looked up and counted once.
    const both = await cli(['follow-up', '--config', config, '--receipts', 'r.jsonl,j.jsonl', '--output', 'f5.jsonl'], { cwd: dir, env })
    expect(both.code, both.output).toBe(0)
    expect(both.output).toContain('8 request(s) listed more than once')
    expect(both.output).toContain('8 request(s) done at Batch: 6 deleted, 2 not found')
    expect(linesOf(join(dir, 'f5.jsonl'))).toHaveLength(8)
    const text = readFileSync(join(dir, 'f2.jsonl'), 'utf8') + done.output
    for (const secret of ['cust-1', 'cust-4', 'someone1@example.org', ...Object.values(env)]) expect(text).not.toContain(secret)
  }, 60_000)

  test('an accepted receipt without a request id (Batch\'s 2xx carried none that could be read) is counted and named, never dropped in silence', async () => {
    const dir = tmp('follow-up-unnamed')
    writeFileSync(join(dir, 'r.jsonl'), `${JSON.stringify({ provider: 'batch', target: 'ios', subjectRef: 'dsr-8', status: 'accepted', httpStatus: 200, attempts: 1, durationMs: 1, at: new Date().toISOString() })}\n`)
    // A journal line from before journals kept request ids names none either: not Batch's doing, not counted.
    writeFileSync(join(dir, 'j.jsonl'), `${JSON.stringify({ subjectRef: 'dsr-8', provider: 'batch', target: 'ios', status: 'accepted', at: new Date().toISOString() })}\n`)
    const gdpr = world.config(dir, (providers) => (providers.batch.mode = 'gdpr'))
    const result = await cli(['follow-up', '--config', gdpr, '--receipts', 'r.jsonl,j.jsonl', '--output', 'f.jsonl'], { cwd: dir, env: world.env })
    expect(result.code, result.output).toBe(0)
    expect(result.output).toContain("1 accepted Batch receipt(s) name no request id (Batch's 2xx carried none that could be read): look them up in Batch's dashboard by custom id")
  }, 60_000)

  test('a failed request or a refused lookup exits 2; refused before anything is sent when the config cannot follow up', async () => {
    const dir = tmp('follow-up-errors')
    const receipt = (target: string, requestId: string) => JSON.stringify({ provider: 'batch', target, subjectRef: 'dsr-9', status: 'accepted', requestId, attempts: 1, durationMs: 1, at: '2026-10-01T00:00:00.000Z' })
    writeFileSync(join(dir, 'r.jsonl'), `${receipt('ios', '00000000-0000-4000-8000-000000000000')}\nnot json\n${JSON.stringify({ provider: 'adapty', subjectRef: 'dsr-9', status: 'deleted' })}\n`)
    const gdpr = world.config(dir, (providers) => (providers.batch.mode = 'gdpr'))
    const env = world.env
    const before = world.emulators.batch.requests.length

    const unknown = await cli(['follow-up', '--config', gdpr, '--receipts', 'r.jsonl', '--output', 'f.jsonl'], { cwd: dir, env })
    expect(unknown.code, unknown.output).toBe(2)
    expect(unknown.output).toContain('r.jsonl: 1 unreadable line(s) skipped')
    expect(unknown.output).toContain('1 request(s) filed more than 20 days ago: Batch keeps requests 20–30 days')
    expect(linesOf(join(dir, 'f.jsonl'))).toMatchObject([{ subjectRef: 'dsr-9', lookupError: { code: 'invalid_request', retryable: false } }])
    expect(world.emulators.batch.requests.length - before).toBe(1)

    const usage: [string[], RegExp][] = [
      [['--receipts', 'r.jsonl'], /--config: required/],
      [['--config', gdpr], /--receipts: required/],
      [['--config', gdpr, '--receipts', 'missing.jsonl'], /--receipts: cannot read missing\.jsonl \(ENOENT\)/],
      [['--config', gdpr, '--receipts', 'r.jsonl,r.jsonl'], /--receipts: r\.jsonl is given twice/],
      [['--config', gdpr, '--receipts', 'r.jsonl', '--output', 'r.jsonl'], /--output: .*r\.jsonl is also an input or the journal/],
      [['--config', gdpr, '--receipts', 'r.jsonl', '--journal', 'j.jsonl', '--output', 'j.jsonl'], /--output: .*j\.jsonl is also an input or the journal/],
      [['--config', gdpr, '--receipts', 'r.jsonl', '--journal', 'missing.journal'], /--journal: cannot read .*missing\.journal \(ENOENT\)/],
      // world.config() writes erasekit.config.json in the folder it is given.
      [['--config', world.config(tmp('custom-data')), '--receipts', 'r.jsonl'], /providers\.batch\.mode: expected gdpr/],
      [['--config', world.config(tmp('no-batch'), (providers) => delete providers.batch), '--receipts', 'r.jsonl'], /providers\.batch: required/],
    ]
    writeFileSync(join(dir, 'j.jsonl'), '')
    for (const [flags, message] of usage) {
      const result = await cli(['follow-up', ...flags], { cwd: dir, env })
      expect(result.code, result.output).toBe(1)
      expect(result.output, result.output).toMatch(message)
    }
    const noEnv = await cli(['follow-up', '--config', gdpr, '--receipts', 'r.jsonl'], { cwd: dir, env: { ...env, BATCH_REST_KEY: '' } })
    expect(noEnv.code, noEnv.output).toBe(1)
    expect(noEnv.output).toContain('providers.batch.restKey: environment variable BATCH_REST_KEY is not set')
    expect(world.emulators.batch.requests.length - before).toBe(1)
  }, 60_000)

  /** Persons `from..to` in a folder of their own, Batch in GDPR mode, runs and follow-ups with the journal j.jsonl. */
  const gdprRuns = (name: string, from: number, to: number) => {
    const dir = tmp(name)
    writeFileSync(join(dir, 'subjects.csv'), csvOf(from, to))
    const config = world.config(dir, (providers) => (providers.batch.mode = 'gdpr'), { receiptSalt: `${name}-salt` })
    const { env } = world
    const ids = Array.from({ length: to - from + 1 }, (_, i) => `cust-${from + i}`)
    return {
      dir,
      config,
      env,
      run: (receipts: string) => cli(['run', '--config', config, '--input', 'subjects.csv', '--receipts', receipts, '--journal', 'j.jsonl', '--only', 'batch'], { cwd: dir, env }),
      followUp: (receipts: string, output: string, journal = 'j.jsonl') => cli(['follow-up', '--config', config, '--receipts', receipts, '--journal', journal, '--output', output], { cwd: dir, env }),
      sent: () => world.emulators.batch.store.gdprRequests.filter((request) => ids.includes(request.id.value)),
    }
  }

  test('a request Batch failed is withdrawn from the runs\' journal with --journal: the next run sends it again; a failure sent again since is history, a second failure is withdrawn too', async () => {
    const { dir, config, env, run, followUp, sent } = gdprRuns('follow-up-withdraw', 11, 12)
    const batch = world.emulators.batch.store
    const fail = (request: (typeof batch.gdprRequests)[number]) => (batch.process(), (request.error = 'internal processing error'))
    expect((await run('r1.jsonl')).code).toBe(0)
    expect(sent()).toHaveLength(4)
    // Batch failed person 11's request on one app key.
    const first = sent().find((request) => request.id.value === 'cust-11')!
    fail(first)

    const without = await cli(['follow-up', '--config', config, '--receipts', 'r1.jsonl', '--output', 'f1.jsonl'], { cwd: dir, env })
    expect(without.code, without.output).toBe(2)
    expect(without.output).toContain('run this with --journal')
    // Without the withdrawal the journal skips it: nothing is sent.
    expect((await run('r-skip.jsonl')).code).toBe(0)
    expect(sent()).toHaveLength(4)
    // A receipts file is no journal: refused before any lookup.
    const before = world.emulators.batch.requests.length
    const notJournal = await followUp('r1.jsonl', 'f0.jsonl', 'r1.jsonl')
    expect(notJournal.code, notJournal.output).toBe(1)
    expect(notJournal.output).toMatch(/r1\.jsonl line 1: not an erasekit journal line/)
    expect(world.emulators.batch.requests.length).toBe(before)

    const withJournal = await followUp('r1.jsonl', 'f2.jsonl')
    expect(withJournal.code, withJournal.output).toBe(2)
    expect(withJournal.output).toContain('1 withdrawn from j.jsonl: erasekit run with that journal sends them to Batch again')
    expect((await run('r2.jsonl')).code).toBe(0)
    expect(sent()).toHaveLength(5)
    const second = sent().at(-1)!
    expect(second).toMatchObject({ id: { value: 'cust-11' }, appKey: first.appKey, status: 'pending' })

    // Every receipt and the journal again: the first failure was sent again since (history, not
    // withdrawn again); the new request is pending.
    const later = await followUp('r1.jsonl,r2.jsonl', 'f3.jsonl')
    expect(later.code, later.output).toBe(4)
    expect(later.output).toContain('1 failed request(s) or refused lookup(s) were sent again since')
    expect(later.output).not.toContain('not withdrawn')
    expect((await run('r3.jsonl')).code).toBe(0)
    expect(sent()).toHaveLength(5)

    // Batch fails the second request too. Following up the first run's receipts alone cannot tell:
    // the journal names the second request, not looked up, so nothing is withdrawn and it says so.
    fail(second)
    const partly = await followUp('r1.jsonl', 'f5.jsonl')
    expect(partly.code, partly.output).toBe(2)
    expect(partly.output).toContain("1 failed request(s) not withdrawn: the journal's latest line for that subject names another request")
    // While a run holds the journal, the follow-up stops before any lookup.
    const lock = join(dir, 'j.jsonl.lock')
    writeFileSync(lock, `${process.pid}\n`)
    const lookups = world.emulators.batch.requests.length
    const locked = await followUp('r1.jsonl', 'f6.jsonl')
    expect(locked.code, locked.output).toBe(1)
    expect(locked.output).toContain('another run')
    expect(world.emulators.batch.requests.length).toBe(lookups)
    rmSync(lock)
    // Both runs' receipts: the latest is withdrawn.
    const both = await followUp('r2.jsonl,r1.jsonl', 'f4.jsonl')
    expect(both.code, both.output).toBe(2)
    expect(both.output).toContain('1 withdrawn from j.jsonl')
    expect(both.output).toContain('1 request(s) failed at Batch')
    expect((await run('r4.jsonl')).code).toBe(0)
    expect(sent()).toHaveLength(6)
    // The journal's lines hold no identifier either.
    expect(readFileSync(join(dir, 'j.jsonl'), 'utf8')).not.toMatch(/cust-1[12]|someone1[12]@/)
  }, 60_000)

  test('a file that cannot be written (a full disk) stops the follow-up with exit 3: the output part-way, or the withdrawal after the table; run again, each is withdrawn once', async () => {
    const { dir, config, env, run, sent } = gdprRuns('follow-up-full', 15, 18)
    expect((await run('r1.jsonl')).code).toBe(0)
    world.emulators.batch.store.process()
    const failed = sent().find((request) => request.id.value === 'cust-15')!
    failed.error = 'internal processing error'
    // A 1 KiB file-size limit (RLIMIT_FSIZE): a write past it fails with EFBIG. The journal (8 lines) is over it already.
    const limited = (receipts: string, output: string) =>
      cli(['follow-up', '--config', config, '--receipts', receipts, '--journal', 'j.jsonl', '--output', output], { cwd: dir, env, command: ['bash', '-c', 'ulimit -f 1; exec "$0" "$@"', process.execPath, CLI] })
    expect(readFileSync(join(dir, 'j.jsonl')).length).toBeGreaterThan(1024)

    // Eight lookups do not fit in the output: stopped part-way, whole lines kept, nothing withdrawn.
    const partWay = await limited('r1.jsonl', 'f1.jsonl')
    expect(partWay.code, partWay.output).toBe(3)
    expect(partWay.output).toMatch(/follow-up stopped after \d lookups, written to f1\.jsonl: EFBIG/)
    expect(partWay.output).toContain('run the same command again')
    expect(readFileSync(join(dir, 'f1.jsonl'), 'utf8')).toMatch(/\}\n$/)
    expect(linesOf(join(dir, 'j.jsonl')).filter((line) => line.status === 'failed')).toEqual([])

    // The failed request alone fits; the journal does not take its withdrawal: the table, then exit 3.
    const only = receiptsOf(join(dir, 'r1.jsonl')).filter((receipt) => receipt.requestId === failed.request_id)
    writeFileSync(join(dir, 'failed.jsonl'), only.map((receipt) => `${JSON.stringify(receipt)}\n`).join(''))
    const stopped = await limited('failed.jsonl', 'f2.jsonl')
    expect(stopped.code, stopped.output).toBe(3)
    expect(stopped.output).toMatch(/batch\/\w+\s+0\s+0\s+0\s+1\s+0/)
    expect(stopped.output).toMatch(/could not withdraw from j\.jsonl after 0 withdrawal line\(s\): EFBIG/)
    expect(linesOf(join(dir, 'f2.jsonl'))).toHaveLength(1)

    // With room again: withdrawn, and a second follow-up withdraws nothing more.
    const again = await cli(['follow-up', '--config', config, '--receipts', 'failed.jsonl', '--journal', 'j.jsonl', '--output', 'f3.jsonl'], { cwd: dir, env })
    expect(again.code, again.output).toBe(2)
    expect(again.output).toContain('1 withdrawn from j.jsonl')
    const twice = await cli(['follow-up', '--config', config, '--receipts', 'failed.jsonl', '--journal', 'j.jsonl', '--output', 'f4.jsonl'], { cwd: dir, env })
    expect(twice.output).toContain('1 withdrawn from j.jsonl (1 by an earlier follow-up)')
    expect(linesOf(join(dir, 'j.jsonl')).filter((line) => line.status === 'failed')).toHaveLength(1)
  }, 60_000)

  test('a withdrawal stopped part-way by a full disk says how many lines it wrote; run again, the rest is withdrawn', async () => {
    const { dir, config, env, run, sent } = gdprRuns('follow-up-partial', 19, 20)
    expect((await run('r1.jsonl')).code).toBe(0)
    world.emulators.batch.store.process()
    // Batch failed one request of each person.
    const failed = ['cust-19', 'cust-20'].map((id) => sent().find((request) => request.id.value === id)!)
    for (const request of failed) request.error = 'internal processing error'
    const ids = new Set(failed.map((request) => request.request_id))
    const receipts = receiptsOf(join(dir, 'r1.jsonl')).filter((receipt) => ids.has(receipt.requestId!))
    writeFileSync(join(dir, 'failed.jsonl'), receipts.map((receipt) => `${JSON.stringify(receipt)}\n`).join(''))
    // A journal of those two requests, padded to 724 bytes: under a 1 KiB file-size limit one
    // withdrawal line (243 bytes: its ids, time and request id have fixed lengths) fits, the second does not.
    const lines = readFileSync(join(dir, 'j.jsonl'), 'utf8').split('\n').filter((line) => line && ids.has(JSON.parse(line).requestId))
    expect(lines).toHaveLength(2)
    const text = lines.map((line) => `${line}\n`).join('')
    writeFileSync(join(dir, 'j2.jsonl'), `${text}${JSON.stringify({ pad: 'x'.repeat(724 - text.length - 11) })}\n`)
    expect(readFileSync(join(dir, 'j2.jsonl')).length).toBe(724)
    const stopped = await cli(['follow-up', '--config', config, '--receipts', 'failed.jsonl', '--journal', 'j2.jsonl', '--output', 'f1.jsonl'], { cwd: dir, env, command: ['bash', '-c', 'ulimit -f 1; exec "$0" "$@"', process.execPath, CLI] })
    expect(stopped.code, stopped.output).toBe(3)
    expect(stopped.output).toMatch(/could not withdraw from j2\.jsonl after 1 withdrawal line\(s\): EFBIG/)
    expect(linesOf(join(dir, 'j2.jsonl')).filter((line) => line.status === 'failed')).toHaveLength(1)
    // With room again: the other one is withdrawn, the first not twice.
    const again = await cli(['follow-up', '--config', config, '--receipts', 'failed.jsonl', '--journal', 'j2.jsonl', '--output', 'f2.jsonl'], { cwd: dir, env })
    expect(again.code, again.output).toBe(2)
    expect(again.output).toContain('2 withdrawn from j2.jsonl (1 by an earlier follow-up)')
    expect(linesOf(join(dir, 'j2.jsonl')).filter((line) => line.status === 'failed')).toHaveLength(2)
  }, 60_000)

  test('--journal withdraws a confirmation written before journals kept identifier hashes (fingerprint only)', async () => {
    const { dir, run, followUp, sent } = gdprRuns('follow-up-legacy', 13, 13)
    const batch = world.emulators.batch.store
    expect((await run('r1.jsonl')).code).toBe(0)
    // The journal as erasekit wrote it before identifierHash and requestId.
    const journal = join(dir, 'j.jsonl')
    writeFileSync(journal, linesOf(journal).map(({ identifierHash: _, requestId: __, ...line }) => `${JSON.stringify(line)}\n`).join(''))
    expect((await run('r-skip.jsonl')).code).toBe(0)
    expect(sent()).toHaveLength(2)
    batch.process()
    for (const request of sent()) request.error = 'internal processing error'
    const withdrawn = await followUp('r1.jsonl', 'f.jsonl')
    expect(withdrawn.code, withdrawn.output).toBe(2)
    expect(withdrawn.output).toContain('2 withdrawn from j.jsonl')
    expect((await run('r2.jsonl')).code).toBe(0)
    expect(sent()).toHaveLength(4)
  }, 60_000)
})
