/** `erasekit demo`, as the README's first command runs it. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { cli, LANES, summaryOf, tmp } from './helpers'

test('demo: every provider green, the stores checked, receipts written without a raw identifier', async () => {
  const receipts = join(tmp('demo'), 'receipts.jsonl')
  const result = await cli(['demo', '--receipts', receipts])
  console.log(`demo: ${(result.ms / 1000).toFixed(1)} s`)
  expect(result.code, result.output).toBe(0)
  // The single erasure: one row per provider target.
  for (const lane of LANES) expect(result.output).toMatch(new RegExp(`^\\s+${lane.replace('/', '\\/')}\\s+(deleted|accepted)\\s`, 'm'))
  // The bulk run: 10 000 people plus the first one, no failure anywhere.
  const summary = summaryOf(result.stdout)
  expect(Object.keys(summary)).toEqual(LANES)
  for (const lane of LANES) expect(summary[lane]).toMatchObject({ failed: 0, skipped: 0, total: 10_001 })
  // Checked through the emulators' stores.
  for (const lane of LANES) expect(result.output).toMatch(new RegExp(`✔ ${lane.replace('/', '\\/')}\\s+10,001\\s+10,001`))
  expect(result.output).toContain('Every provider green')
  expect(result.output).toContain(`Receipts: ${receipts}`)
  expect(existsSync(receipts)).toBe(true)
  const text = readFileSync(receipts, 'utf8')
  expect(text.trim().split('\n')).toHaveLength(5 * 10_001)
  // Demo identifiers are user-NNNNNN / personNNNNNN@example.com; app keys DEMO_*_APP_KEY.
  expect(text).not.toMatch(/user-\d{6}|person\d{6}|@example\.com|DEMO_IOS|DEMO_ANDROID/)
  expect(text).toMatch(/"hash":"[\da-f]{64}"/)
}, 300_000)

test('demo --subjects N: small runs, and a bad N is a usage error', async () => {
  const receipts = join(tmp('demo-small'), 'r.jsonl')
  const result = await cli(['demo', '--subjects', '20', '--receipts', receipts])
  expect(result.code, result.output).toBe(0)
  expect(summaryOf(result.stdout).adapty).toMatchObject({ deleted: 21, total: 21 })
  const bad = await cli(['demo', '--subjects', 'lots'])
  expect(bad.code).toBe(1)
  expect(bad.output).toContain('--subjects: expected a whole number')
}, 60_000)
