/**
 * Ctrl-C mid-run, then the same command again: nothing redone, nothing lost. And the progress
 * bar in a real terminal (util-linux `script` gives the CLI a pty).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ANDROID, CONFIRMED, csvOf, IOS, LANES, laneOf, person, receiptsOf, start, startWorld, stripAnsi, summaryOf, tmp, waitFor, type World } from './helpers'

const PEOPLE = 3000

describe('interrupt and resume', () => {
  let world: World
  beforeAll(async () => {
    // A little latency per request, so the run lasts long enough to be interrupted on any machine.
    world = await startWorld(PEOPLE, { latencyMs: 3 })
  })
  afterAll(() => world?.close())

  test('SIGINT once progress shows: exit 130, every subject read is reported; the rerun sends nothing journaled', async () => {
    const dir = tmp('resume')
    const config = world.config(dir)
    // No ref column: refs are line numbers, and the journal resumes by line.
    let csv = 'userId,email\n'
    for (let i = 1; i <= PEOPLE; i++) csv += `${person(i).userId},${person(i).email}\n`
    writeFileSync(join(dir, 'subjects.csv'), csv)
    const journal = join(dir, 'journal.jsonl')
    const args = (receipts: string) => ['run', '--config', config, '--input', 'subjects.csv', '--journal', journal, '--receipts', join(dir, receipts)]

    const first = start(args('receipts-1.jsonl'), { cwd: dir, env: world.env })
    await waitFor(first, (text) => /progress: [1-9][\d,]*\/3,000 subjects/.test(text), 60_000)
    first.child.kill('SIGINT')
    const one = await first.done
    expect(one.code, one.output).toBe(130)
    expect(one.output).toContain('SIGINT: reading no more subjects')
    expect(one.output).toMatch(/interrupted after [\d,]+ subjects/)
    const r1 = receiptsOf(join(dir, 'receipts-1.jsonl'))
    const reported = new Set(r1.map((r) => r.subjectRef))
    expect(reported.size).toBeGreaterThan(0)
    expect(reported.size).toBeLessThan(PEOPLE)
    // Every subject read was reported with one outcome per provider target, and the summary says so.
    expect(r1).toHaveLength(reported.size * LANES.length)
    expect(summaryOf(one.stdout).adapty!.total).toBe(reported.size)
    const confirmed1 = new Set(r1.filter((r) => CONFIRMED.has(r.status)).map((r) => `${r.subjectRef} ${laneOf(r)}`))
    expect(confirmed1.size).toBeGreaterThan(0)

    world.clearLogs()
    const two = await start(args('receipts-2.jsonl'), { cwd: dir, env: world.env }).done
    expect(two.code, two.output).toBe(0)
    expect(two.output).toContain(`${confirmed1.size.toLocaleString('en-US')} confirmed outcomes from earlier runs will be skipped`)
    const r2 = receiptsOf(join(dir, 'receipts-2.jsonl'))
    expect(r2).toHaveLength(PEOPLE * LANES.length)
    expect(r2.filter((r) => r.reason === 'journaled')).toHaveLength(confirmed1.size)

    // The union: each subject × provider target confirmed exactly once.
    const confirmations = new Map<string, number>()
    for (const r of [...r1, ...r2]) {
      if (CONFIRMED.has(r.status)) confirmations.set(`${r.subjectRef} ${laneOf(r)}`, (confirmations.get(`${r.subjectRef} ${laneOf(r)}`) ?? 0) + 1)
    }
    expect(confirmations.size).toBe(PEOPLE * LANES.length)
    expect([...confirmations.values()].every((n) => n === 1)).toBe(true)

    // The second run sent no request for what the first confirmed (read from the emulators' logs).
    const sent = new Map<string, Set<string>>(LANES.map((lane) => [lane, new Set()]))
    for (const request of world.emulators.adapty.requests) sent.get('adapty')!.add(request.headers['adapty-customer-user-id']!)
    for (const request of world.emulators.clevertap.requests) for (const id of (request.body as { identity: string[] }).identity) sent.get('clevertap')!.add(id)
    for (const request of world.emulators.altcraft.requests) sent.get('altcraft')!.add((request.body as { email: string }).email)
    for (const request of world.emulators.batch.requests) {
      const [, , key, , , id] = request.path.split('/')
      const lane = key === IOS ? 'batch/ios' : key === ANDROID ? 'batch/android' : 'unknown'
      for (const value of id ? [decodeURIComponent(id)] : (request.body as string[])) sent.get(lane)!.add(value)
    }
    let checked = 0
    for (const key of confirmed1) {
      const [ref, lane] = key.split(' ') as [string, string]
      const i = Number(ref.slice('line:'.length)) - 1
      const value = lane === 'altcraft' ? person(i).email : person(i).userId
      expect(sent.get(lane)!.has(value), `${key} was sent again`).toBe(false)
      checked++
    }
    expect(checked).toBe(confirmed1.size)
    // …and did send the rest.
    expect(sent.get('adapty')!.size).toBe(PEOPLE - [...confirmed1].filter((key) => key.endsWith(' adapty')).length)
  }, 180_000)
})

describe('SIGTERM', () => {
  let world: World
  beforeAll(async () => {
    world = await startWorld(PEOPLE, { latencyMs: 3 })
  })
  afterAll(() => world?.close())

  test('SIGTERM (a scheduler stopping the job) is a Ctrl-C: reading stops, what was read is reported, exit 130', async () => {
    const dir = tmp('sigterm')
    let csv = 'userId,email\n'
    for (let i = 1; i <= PEOPLE; i++) csv += `${person(i).userId},${person(i).email}\n`
    writeFileSync(join(dir, 'subjects.csv'), csv)
    const run = start(['run', '--config', world.config(dir), '--input', 'subjects.csv', '--receipts', 'r.jsonl'], { cwd: dir, env: world.env })
    await waitFor(run, (text) => /progress: [1-9][\d,]*\/3,000 subjects/.test(text), 60_000)
    run.child.kill('SIGTERM')
    const result = await run.done
    expect(result.code, result.output).toBe(130)
    expect(result.output).toContain('SIGTERM: reading no more subjects')
    const receipts = receiptsOf(join(dir, 'r.jsonl'))
    const refs = new Set(receipts.map((receipt) => receipt.subjectRef))
    expect(refs.size).toBeLessThan(PEOPLE)
    expect(receipts).toHaveLength(refs.size * LANES.length)
  }, 90_000)
})

describe('Ctrl-C twice', () => {
  let world: World
  beforeAll(async () => {
    // Slow vendors: requests are still in flight when the second Ctrl-C comes.
    world = await startWorld(400, { latencyMs: 150 })
  })
  afterAll(() => world?.close())

  test('aborts the subjects in flight: each is reported (failed: aborted), exit 130', async () => {
    const dir = tmp('abort')
    const config = world.config(dir)
    let csv = 'userId,email\n'
    for (let i = 1; i <= 400; i++) csv += `${person(i).userId},${person(i).email}\n`
    writeFileSync(join(dir, 'subjects.csv'), csv)
    const receipts = join(dir, 'receipts.jsonl')
    const run = start(['run', '--config', config, '--input', 'subjects.csv', '--receipts', receipts, '--journal', join(dir, 'journal.jsonl')], { cwd: dir, env: world.env })
    await waitFor(run, (text) => /progress: [1-9][\d,]*\/400 subjects/.test(text), 60_000)
    run.child.kill('SIGINT')
    await waitFor(run, (text) => text.includes('SIGINT: reading no more subjects'))
    run.child.kill('SIGINT')
    const result = await run.done
    expect(result.code, result.output).toBe(130)
    expect(result.output).toContain('SIGINT: aborting the subjects in flight')
    const all = receiptsOf(receipts)
    const refs = new Set(all.map((r) => r.subjectRef))
    expect(all).toHaveLength(refs.size * LANES.length)
    expect(summaryOf(result.stdout).adapty!.total).toBe(refs.size)
    const aborted = all.filter((r) => r.error?.code === 'aborted')
    expect(aborted.length).toBeGreaterThan(0)
    expect(aborted.every((r) => r.status === 'failed')).toBe(true)
  }, 120_000)
})

describe('Ctrl-C three times', () => {
  let world: World
  beforeAll(async () => {
    world = await startWorld(20)
  })
  afterAll(() => world?.close())

  test('exits at once, even while a config plugin holds the run: no summary, the receipts written so far intact', async () => {
    const dir = tmp('third')
    const json = JSON.parse(readFileSync(world.config(dir), 'utf8'))
    // An audit sink that never returns: the run cannot finish on its own, and after the second
    // Ctrl-C the core still waits a second for it before letting go: the third comes well within it.
    writeFileSync(
      join(dir, 'erasekit.config.mjs'),
      `let said = false\nexport default { providers: ${JSON.stringify(json.providers)}, plugins: [{ name: 'stuck-sink', hooks: { outcome() {\n` +
        `  if (!said) (said = true), process.stderr.write('stuck-sink: holding\\n')\n  return new Promise(() => {})\n} } }] }\n`,
    )
    writeFileSync(join(dir, 'subjects.csv'), csvOf(1, 20, false))
    const receipts = join(dir, 'r.jsonl')
    const run = start(['run', '--config', 'erasekit.config.mjs', '--input', 'subjects.csv', '--receipts', receipts], { cwd: dir, env: world.env })
    await waitFor(run, (text) => text.includes('stuck-sink: holding'))
    run.child.kill('SIGINT')
    await waitFor(run, (text) => text.includes('SIGINT: reading no more subjects'))
    run.child.kill('SIGINT')
    await waitFor(run, (text) => text.includes('SIGINT: aborting the subjects in flight'))
    run.child.kill('SIGINT')
    const result = await run.done
    expect(result.code, result.output).toBe(130)
    // Not the end of a run that waited for the plugin: no table, no closing lines.
    expect(result.output).not.toMatch(/provider\s+deleted\s+accepted/)
    expect(result.output).not.toContain('interrupted after')
    // Receipts are written before the plugin is shown an outcome: they are on disk, every line whole (receiptsOf parses each).
    expect(receiptsOf(receipts).length).toBeGreaterThan(0)
  }, 60_000)
})

describe('a real terminal', () => {
  let world: World
  beforeAll(async () => {
    world = await startWorld(400, { latencyMs: 5 })
  })
  afterAll(() => world?.close())

  test('draws a progress bar in place, then the summary', async () => {
    const dir = tmp('tty')
    const config = world.config(dir)
    let csv = 'userId,email\n'
    for (let i = 1; i <= 400; i++) csv += `${person(i).userId},${person(i).email}\n`
    writeFileSync(join(dir, 'subjects.csv'), csv)
    const command = `${process.execPath} ${join(__dirname, '../dist/cli.mjs')} run --config ${config} --input subjects.csv --receipts r.jsonl`
    const result = await start(['-qec', command, '/dev/null'], { cwd: dir, env: { ...world.env, NO_COLOR: undefined, CI: undefined, TERM: 'xterm-256color' }, command: ['script'] }).done
    expect(result.code, result.output).toBe(0)
    const raw = result.stdout
    expect(raw).toContain('\x1b[2K') // the bar is redrawn in place…
    expect(raw).toMatch(/\x1b\[3\dm/) // …in colour
    const frames = stripAnsi(raw).split('\r').filter((frame) => /█|░/.test(frame))
    expect(frames.length).toBeGreaterThan(1)
    expect(frames.some((frame) => /░/.test(frame) && /\d+\/400 subjects/.test(frame))).toBe(true)
    expect(stripAnsi(raw)).toMatch(/100%\s+400\/400 subjects/)
    expect(stripAnsi(raw)).not.toContain('progress: ') // no plain lines on a terminal
    expect(summaryOf(stripAnsi(raw).replace(/\r/g, '')).adapty).toMatchObject({ deleted: 400, total: 400 })
  }, 120_000)

  test('CI=true on a terminal: plain progress lines, as in a log', async () => {
    const dir = tmp('tty-ci')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), `userId\n${person(1).userId}\n`)
    const command = `${process.execPath} ${join(__dirname, '../dist/cli.mjs')} run --config ${config} --input subjects.csv --receipts r.jsonl`
    const result = await start(['-qec', command, '/dev/null'], { cwd: dir, env: { ...world.env, NO_COLOR: undefined, CI: 'true', TERM: 'xterm-256color' }, command: ['script'] }).done
    expect(result.code, result.output).toBe(0)
    expect(stripAnsi(result.stdout)).toContain('progress: 1/1 subjects')
    expect(result.stdout).not.toContain('\x1b[2K')
  }, 60_000)
  test('CI=false on a terminal is no CI: the bar is drawn', async () => {
    const dir = tmp('tty-ci-false')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), `userId\n${person(2).userId}\n`)
    const command = `${process.execPath} ${join(__dirname, '../dist/cli.mjs')} run --config ${config} --input subjects.csv --receipts r.jsonl`
    const result = await start(['-qec', command, '/dev/null'], { cwd: dir, env: { ...world.env, NO_COLOR: undefined, CI: 'false', TERM: 'xterm-256color' }, command: ['script'] }).done
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toContain('\x1b[2K')
    expect(stripAnsi(result.stdout)).not.toContain('progress: ')
  }, 60_000)
})

describe('a slow provider holds reports back', () => {
  let world: World
  beforeAll(async () => {
    // Altcraft answers in 1.5 s (4 in flight): a subject's report waits for it, Adapty's deletions do not.
    world = await startWorld(2003, { latencyMs: { altcraft: 1500 } })
  })
  afterAll(() => world?.close())

  test('kill -9: every deletion a vendor confirmed is already in the receipts and the journal', async () => {
    const dir = tmp('kill9')
    const config = world.config(dir)
    let csv = 'userId,email\n'
    for (let i = 1; i <= 2000; i++) csv += `${person(i).userId},${person(i).email}\n`
    writeFileSync(join(dir, 'subjects.csv'), csv)
    const journal = join(dir, 'journal.jsonl')
    const receipts = join(dir, 'receipts.jsonl')
    const run = start(['run', '--config', config, '--input', 'subjects.csv', '--journal', journal, '--receipts', receipts], { cwd: dir, env: world.env })
    const deleted = () => world.emulators.adapty.store.deleted.length
    const until = Date.now() + 30_000
    while (deleted() < 300 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10))
    run.child.kill('SIGKILL')
    await run.done
    const confirmed = deleted()
    expect(confirmed).toBeGreaterThanOrEqual(300)
    const journaled = readFileSync(journal, 'utf8').split('\n').filter((line) => line.includes('"provider":"adapty"'))
    const receipted = receiptsOf(receipts).filter((receipt) => receipt.provider === 'adapty' && receipt.status === 'deleted')
    // All but those whose answer was still on its way (Adapty: 8 in flight).
    expect(journaled.length).toBeGreaterThanOrEqual(confirmed - 8)
    expect(receipted.length).toBeGreaterThanOrEqual(journaled.length)
  }, 60_000)

  test('Ctrl-C after the last subject was read stops nothing: the run completes, exit 0', async () => {
    const dir = tmp('late-stop')
    const config = world.config(dir)
    writeFileSync(join(dir, 'subjects.csv'), `userId,email\n${[2001, 2002, 2003].map((i) => `${person(i).userId},${person(i).email}`).join('\n')}\n`)
    const run = start(['run', '--config', config, '--input', 'subjects.csv', '--receipts', join(dir, 'r.jsonl')], { cwd: dir, env: world.env })
    await waitFor(run, (text) => text.includes('erasing 3 subjects'))
    await new Promise((resolve) => setTimeout(resolve, 300))
    run.child.kill('SIGINT')
    const result = await run.done
    expect(result.code, result.output).toBe(0)
    expect(result.output).not.toContain('interrupted')
    expect(receiptsOf(join(dir, 'r.jsonl'))).toHaveLength(3 * LANES.length)
  }, 60_000)
})
