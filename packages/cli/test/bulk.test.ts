/** A 100 000-line CSV through the built CLI, against emulators served over loopback. */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { cli, countReceipts, journalOf, receiptsOf, startWorld, summaryOf, tmp, type World } from './helpers'

const LINES = 100_000

let world: World
beforeAll(async () => {
  world = await startWorld(0)
})
afterAll(() => world?.close())

test('100 000 subjects: summary = receipts = input lines', async () => {
  const dir = tmp('bulk')
  // The providers with bulk endpoints (CleverTap 100 ids per call, Batch per app key): Adapty and
  // Altcraft take one subject per request, which at 100 000 costs minutes of CPU on a 2-core machine.
  const config = world.config(dir, (providers) => {
    delete providers.adapty
    delete providers.altcraft
  })
  const rows = ['ref,userId,email']
  for (let i = 1; i <= LINES; i++) rows.push(`bulk-${i},bulk-user-${i},bulk${i}@example.org`)
  writeFileSync(join(dir, 'subjects.csv'), `${rows.join('\n')}\n`)
  const receipts = join(dir, 'receipts.jsonl')
  const journal = join(dir, 'journal.jsonl')
  const result = await cli(['run', '--config', config, '--input', 'subjects.csv', '--receipts', receipts, '--journal', journal], { cwd: dir, env: world.env })
  console.log(`100 000-line run: ${(result.ms / 1000).toFixed(1)} s`)
  expect(result.code, result.output.slice(-3000)).toBe(0)
  const summary = summaryOf(result.stdout)
  expect(Object.keys(summary)).toEqual(['clevertap', 'batch/ios', 'batch/android'])
  for (const counts of Object.values(summary)) expect(counts).toEqual({ deleted: 0, accepted: LINES, not_found: 0, skipped: 0, failed: 0, total: LINES })
  const all = receiptsOf(receipts)
  expect(countReceipts(all)).toEqual(summary)
  expect(new Set(all.map((r) => r.subjectRef)).size).toBe(LINES)
  const inputLines = readFileSync(join(dir, 'subjects.csv'), 'utf8').trim().split('\n').length - 1
  expect(inputLines).toBe(LINES)
  expect(result.output).toContain('100,000 subjects: 100,000 ok, 0 with failures')
  expect(journalOf(journal)).toHaveLength(3 * LINES)
  // Batched at CleverTap's 100 ids per call: every id sent once. A batch may go partial when the
  // input pauses past the linger (lingerMs, by design), so the count of calls is bounded, not exact.
  const calls = world.emulators.clevertap.requests.map((entry) => (entry.body as { identity: string[] }).identity)
  expect(calls.every((ids) => ids.length <= 100)).toBe(true)
  expect(calls.flat()).toHaveLength(LINES)
  expect(new Set(calls.flat()).size).toBe(LINES)
  expect(calls.length).toBeLessThanOrEqual(LINES / 90)
}, 240_000)
