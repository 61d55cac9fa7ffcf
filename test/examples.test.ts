/**
 * The examples/ run in their own runtimes against the loopback emulators, so they cannot rot:
 * Node script, Deno script (plus `deno check` by package name), Bun script, and the
 * Cloudflare Worker (esbuild bundle in the raw workerd binary, env bindings as wrangler
 * would set them). Every run erases one subject from all four providers.
 */
import { copyFileSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  bin,
  bunOnBuilt,
  bundle,
  exampleEnv,
  installPublished,
  expectErased,
  prepare,
  root,
  run,
  startWorkerd,
  startWorld,
  tmpDir,
  WORKER_CONDITIONS,
  WRONG_PASSCODE,
  type ProbeResult,
  type RunResult,
  type World,
} from './runtimes/harness'

const examples = join(root, 'examples')
const timings: Record<string, number> = {}

beforeAll(() => prepare())
afterAll(() => {
  console.log(`example timings (ms): ${Object.entries(timings).map(([name, ms]) => `${name} ${ms}`).join(', ')}`)
})

function parseReport(result: RunResult, label: string): ProbeResult {
  try {
    return { runtime: { name: label, version: '' }, report: JSON.parse(result.stdout) }
  } catch {
    throw new Error(`${label} exited with ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`)
  }
}

async function script(label: string, command: (world: World) => [string, string[]]) {
  const world = await startWorld({ faults: false })
  try {
    const [cmd, args] = command(world)
    const result = await run(cmd, [...args, JSON.stringify(world.subject)], { env: exampleEnv(world), timeoutMs: 120_000, cwd: join(examples, label) })
    timings[label] = result.ms
    expect(result.code, result.stderr).toBe(0)
    expectErased(parseReport(result, label), world, 'gdpr')
  } finally {
    await world.close()
  }
}

describe.concurrent('examples', () => {
  test('examples/node/erase.mjs (Node)', () => script('node', () => [process.execPath, ['erase.mjs']]), 60_000)

  test('examples/deno/erase.ts (Deno)', () => script('deno', () => [bin('deno'), ['run', '--allow-net=127.0.0.1', '--allow-env', 'erase.ts']]), 120_000)

  test('examples/bun/erase.ts (Bun)', () => script('bun', () => [bin('bun'), [bunOnBuilt(), 'erase.ts']]), 60_000)

  // Type-checked the way a Deno user gets the packages: installed in node_modules (bare names,
  // published files only), not through the workspace symlinks.
  test('deno check: examples/deno/erase.ts and examples/worker/src/index.ts against the installed packages', async () => {
    const started = performance.now()
    const project = await installPublished('deno-check')
    try {
      copyFileSync(join(examples, 'deno/erase.ts'), join(project, 'erase.ts'))
      copyFileSync(join(examples, 'worker/src/index.ts'), join(project, 'worker.ts'))
      const result = await run(bin('deno'), ['check', 'erase.ts', 'worker.ts'], { cwd: project, timeoutMs: 120_000 })
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    } finally {
      rmSync(project, { recursive: true, force: true })
    }
    timings['deno-check'] = Math.round(performance.now() - started)
  }, 150_000)

  test('examples/worker (workerd): POST /erase with env bindings', async () => {
    const started = performance.now()
    const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(examples, 'worker/wrangler.toml'), 'utf8'))?.[1]
    expect(compatibilityDate).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    const script = await bundle(join(examples, 'worker/src/index.ts'), join(tmpDir, 'example-worker.mjs'), 'neutral', WORKER_CONDITIONS)
    const world = await startWorld({ faults: false })
    const token = 'erase-endpoint-token'
    const workerd = await startWorkerd(script, { compatibilityDate, bindings: { ...exampleEnv(world), ERASE_TOKEN: token } })
    const erase = (body: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
      fetch(`${workerd.url}/erase`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
    try {
      expect((await erase(JSON.stringify(world.subject), {})).status).toBe(401)
      expect((await erase(JSON.stringify(world.subject), { authorization: 'Bearer nope' })).status).toBe(401)
      expect((await fetch(`${workerd.url}/erase`)).status).toBe(405)
      expect((await erase('{not json')).status).toBe(400)
      const malformed = await erase(JSON.stringify({ userId: 42 }))
      expect(malformed.status).toBe(400)
      expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid_subject')
      // An identifier no provider may send (CR/LF): failed outcomes, no request sent.
      const unsafe = await erase(JSON.stringify({ userId: 'u_1\r\nx-injected: 1', email: 'a\r\nb@example.com' }))
      expect(unsafe.status).toBe(502)
      const unsafeReport = (await unsafe.json()) as ProbeResult['report']
      expect(unsafeReport.outcomes.map((o) => o.error?.code ?? o.status)).toEqual(unsafeReport.outcomes.map(() => 'invalid_subject'))
      // Nothing reached a provider so far.
      expect(Object.values(world.emulators).flatMap((emulator) => emulator.requests)).toEqual([])

      const response = await erase(JSON.stringify(world.subject))
      const text = await response.text()
      expect(response.status, text).toBe(200)
      expectErased({ runtime: { name: 'workerd', version: '' }, report: JSON.parse(text) }, world, 'gdpr')

      // Requests at once, more than CleverTap's 3 in flight, while it is slow: each request has its
      // own providers, so none waits on another's slot (workerd would cancel it: a 500, and the slot lost).
      world.emulators.clevertap.inject({ kind: 'slow', delayMs: 300 }, { times: 6 })
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => erase(JSON.stringify({ ref: `at-once-${i}`, userId: `u_at_once_${i}` }))))
      const seen = await Promise.all(answers.map(async (answer) => `${answer.status} ${(await answer.text()).slice(0, 80)}`))
      seen.forEach((answer, i) => expect(answer).toMatch(new RegExp(`^(200|502) \\{"subjectRef":"at-once-${i}"`)))
    } finally {
      workerd.stop()
      await world.close()
    }
    timings.worker = Math.round(performance.now() - started)
  }, 60_000)

  test('examples/worker queue(): done messages acked, a retryable failure retried and then sent only where it failed (D1 journal), a malformed one acked', async () => {
    const script = await bundle(join(examples, 'worker/src/index.ts'), join(tmpDir, 'example-worker-queue.mjs'), 'neutral', WORKER_CONDITIONS)
    const worker = (await import(pathToFileURL(script).href)).default as { queue(batch: unknown, env: unknown): Promise<void> }
    const world = await startWorld({ faults: false })
    // D1 as the two statements of the journal use it.
    const rows = new Map<string, string>()
    const db = {
      prepare: (query: string) => ({
        bind: (...values: unknown[]) => ({
          run: async () => void rows.set(JSON.stringify(values.slice(0, 4)), String(values[4])),
          first: async () => (query.startsWith('SELECT') && rows.has(JSON.stringify(values)) ? { 1: 1 } : null),
        }),
      }),
    }
    const decided: Record<string, string> = {}
    const message = (id: string, body: unknown) => ({
      id,
      body,
      attempts: 1,
      ack: () => void (decided[id] = 'ack'),
      retry: (options?: { delaySeconds?: number }) => void (decided[id] = `retry ${options?.delaySeconds ?? '-'}`),
    })
    const errors: string[] = []
    const warnings: string[] = []
    const [logged, warned] = [console.error, console.warn]
    console.error = (line: string) => void errors.push(line)
    console.warn = (line: string) => void warnings.push(line)
    try {
      const env = { ...exampleEnv(world), ERASURE_DB: db }
      // Altcraft answers 429 with Retry-After: 1 to every attempt of the first delivery (five with the default retry).
      world.emulators.altcraft.inject({ kind: 'rate_limit', retryAfterSeconds: 1 }, { times: 5 })
      await worker.queue({ messages: [message('m-1', world.subject), message('m-2', { userID: 'typo' }), message('m-3', { ids: { adaptyy: 'p-1' } })] }, env)
      expect(decided).toEqual({ 'm-1': 'retry 1', 'm-2': 'ack', 'm-3': 'ack' })
      // Every retry and every drop is logged (a message past max_retries leaves the queue), with no raw identifier.
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain('"retrying":{"message":"m-1","attempts":1')
      expect(errors).toHaveLength(2)
      expect(errors.every((line) => line.includes('unrecoverable'))).toBe(true)
      for (const line of [...warnings, ...errors]) for (const value of [world.subject.userId, world.subject.email, 'typo', 'p-1']) expect(line).not.toContain(value)
      const sent = () => Object.fromEntries(Object.entries(world.emulators).map(([name, emulator]) => [name, emulator.requests.length]))
      const before = sent()
      // Redelivered: the providers that confirmed are skipped through the journal; only Altcraft is sent.
      await worker.queue({ messages: [message('m-1', world.subject)] }, env)
      expect(decided['m-1']).toBe('ack')
      expect(sent()).toEqual({ ...before, altcraft: before.altcraft! + 1 })
      expect(world.emulators.adapty.store.has({ customerUserId: world.subject.userId })).toBe(false)
      expect(world.emulators.altcraft.store.deleted).toHaveLength(1)
      expect(rows.size).toBe(5)
    } finally {
      console.error = logged
      console.warn = warned
      await world.close()
    }
  }, 60_000)

  test('examples/worker (workerd): a provider failure answers 502 with the report', async () => {
    const script = await bundle(join(examples, 'worker/src/index.ts'), join(tmpDir, 'example-worker-502.mjs'), 'neutral', WORKER_CONDITIONS)
    const world = await startWorld({ faults: false })
    const workerd = await startWorkerd(script, { bindings: { ...exampleEnv(world), CLEVERTAP_PASSCODE: WRONG_PASSCODE, ERASE_TOKEN: 't', BATCH_MODE: 'custom_data' } })
    try {
      const response = await fetch(`${workerd.url}/erase`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: JSON.stringify(world.subject) })
      expect(response.status).toBe(502)
      const report = (await response.json()) as ProbeResult['report']
      expect(report.ok).toBe(false)
      expect(report.outcomes.map((o) => [o.provider, o.target, o.status, o.error?.code])).toEqual(
        expect.arrayContaining([
          ['clevertap', undefined, 'failed', 'unauthorized'],
          ['adapty', undefined, 'deleted', undefined],
          ['altcraft', undefined, 'deleted', undefined],
          ['batch', 'ios', 'accepted', undefined],
          ['batch', 'android', 'accepted', undefined],
        ]),
      )
      expect(JSON.stringify(report)).not.toContain(WRONG_PASSCODE)
      // BATCH_MODE=custom_data: Custom Data deletes instead of the default GDPR requests.
      expect(world.emulators.batch.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE'])
    } finally {
      workerd.stop()
      await world.close()
    }
  }, 60_000)
})
