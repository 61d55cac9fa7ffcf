/**
 * `erasekit emulate`: the four emulators on loopback and a config pointing at them, so an operator
 * rehearses `erasekit run` (retries, resume, receipts) before sending anything to a vendor.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { cli, csvOf, receiptsOf, start, summaryOf, tmp, waitFor } from './helpers'

const emulate = (dir: string, flags: string[]) => start(['emulate', ...(flags.includes('--port') ? [] : ['--port', '0']), ...flags], { cwd: dir })
const stop = async (emulator: ReturnType<typeof start>) => {
  emulator.child.kill('SIGINT')
  return emulator.done
}

describe('erasekit emulate', () => {
  test('seeded subjects are found and erased through the written config; Ctrl-C prints what each emulator answered', async () => {
    const dir = tmp('emulate')
    writeFileSync(join(dir, 'subjects.csv'), csvOf(1, 3))
    const emulator = emulate(dir, ['--seed', 'subjects.csv', '--config', 'rehearsal.json'])
    await waitFor(emulator, (text) => text.includes('emulators up'))
    expect(emulator.text).toContain('stored 3 subjects from subjects.csv')
    const config = JSON.parse(readFileSync(join(dir, 'rehearsal.json'), 'utf8'))
    expect(Object.keys(config.providers)).toEqual(['adapty', 'clevertap', 'altcraft', 'batch'])
    expect(config.providers.batch.mode).toBe('gdpr')

    const run = await cli(['run', '--config', 'rehearsal.json', '--input', 'subjects.csv', '--receipts', 'r.jsonl'], { cwd: dir })
    expect(run.code, run.output).toBe(0)
    // Found, not not_found: the seed stored them.
    expect(summaryOf(run.stdout)).toMatchObject({
      adapty: { deleted: 3 },
      clevertap: { accepted: 3 },
      altcraft: { deleted: 3 },
      'batch/ios': { accepted: 3 },
      'batch/android': { accepted: 3 },
    })
    // The emulated Batch completes its GDPR requests every 2 s: the rehearsal follows them up.
    let followUp = await cli(['follow-up', '--config', 'rehearsal.json', '--receipts', 'r.jsonl', '--output', 'f.jsonl'], { cwd: dir })
    for (let tries = 0; followUp.code === 4 && tries < 10; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      followUp = await cli(['follow-up', '--config', 'rehearsal.json', '--receipts', 'r.jsonl', '--output', 'f.jsonl'], { cwd: dir })
    }
    expect(followUp.code, followUp.output).toBe(0)
    expect(followUp.output).toContain('6 request(s) done at Batch: 6 deleted, 0 not found')
    const stopped = await stop(emulator)
    expect(stopped.code, stopped.output).toBe(0)
    expect(stopped.output).toMatch(/adapty\s+3\s+204 × 3/)
    expect(stopped.output).toMatch(/altcraft\s+3\s+200 × 3/)
  }, 60_000)

  test('--faults: injected at their rates on every emulator; the run retries them into success', async () => {
    const dir = tmp('emulate-faults')
    writeFileSync(join(dir, 'subjects.csv'), csvOf(1, 40))
    const emulator = emulate(dir, ['--seed', 'subjects.csv', '--faults', 'rate_limit:10%,server_error:10%'])
    await waitFor(emulator, (text) => text.includes('emulators up'))
    // The faults are random (20% of requests): with the default 5 attempts, one of the ~85 requests
    // failing all of them happens in about 3% of runs (0.2^5 × 85); 10 attempts make it 1 in 100 000.
    const config = join(dir, 'erasekit.emulated.json')
    writeFileSync(join(dir, 'retrying.json'), JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), retry: { limit: 9, delayMs: 10 } }))
    const run = await cli(['run', '--config', 'retrying.json', '--input', 'subjects.csv', '--receipts', 'r.jsonl'], { cwd: dir })
    expect(run.code, run.output).toBe(0)
    expect(receiptsOf(join(dir, 'r.jsonl')).filter((r) => r.status === 'failed')).toEqual([])
    // Retried: more than one attempt somewhere.
    expect(receiptsOf(join(dir, 'r.jsonl')).some((r) => r.attempts! > 1)).toBe(true)
    const stopped = await stop(emulator)
    expect(stopped.output).toMatch(/rate_limit × \d+/)
    expect(stopped.output).toMatch(/server_error × \d+/)
  }, 60_000)

  test('bad flags exit 1 naming the flag; a config that is not an emulated one is never overwritten', async () => {
    const dir = tmp('emulate-usage')
    const real = '{"providers":{"adapty":{"apiKey":{"env":"ADAPTY_API_KEY"}}}}'
    writeFileSync(join(dir, 'erasekit.config.json'), real)
    // A real config may point at a loopback proxy, or hold no provider yet.
    const proxied = '{"providers":{"adapty":{"apiKey":{"env":"ADAPTY_API_KEY"},"baseURL":"http://127.0.0.1:8443/adapty"}},"receiptSalt":{"env":"SALT"}}'
    writeFileSync(join(dir, 'proxied.json'), proxied)
    writeFileSync(join(dir, 'empty.json'), '{"providers":{}}')
    const cases: [string[], RegExp][] = [
      [['--faults', 'flood:5%'], /--faults: expected kind:percent items/],
      [['--faults', 'drop:150%'], /--faults: expected kind:percent items/],
      [['--port', '70000'], /--port: expected a whole number from 0 to 65,532/],
      [['--latency', '1.5'], /--latency: expected a whole number/],
      [['--seed', 'people.txt'], /--seed: expected a \.csv or \.jsonl file/],
      [['--config', 'erasekit.config.json'], /--config: erasekit\.config\.json exists and was not written by erasekit emulate/],
      [['--config', 'proxied.json'], /--config: proxied\.json exists and was not written by erasekit emulate/],
      [['--config', 'empty.json'], /--config: empty\.json exists and was not written by erasekit emulate/],
      // The servers were up by then: they are closed, and the command ends.
      [['--config', join('no-such-folder', 'emulated.json')], /--config: cannot write no-such-folder\/emulated\.json \(ENOENT\)/],
    ]
    for (const [flags, message] of cases) {
      const result = await emulate(dir, flags).done
      expect(result.code, `${flags.join(' ')}\n${result.output}`).toBe(1)
      expect(result.output).toMatch(message)
    }
    expect(readFileSync(join(dir, 'erasekit.config.json'), 'utf8')).toBe(real)
    expect(readFileSync(join(dir, 'proxied.json'), 'utf8')).toBe(proxied)
  }, 60_000)
})
