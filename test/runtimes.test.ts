/**
 * The BUILT packages in every runtime users run them in: each run erases one subject across
 * Adapty, CleverTap, Altcraft and Batch (loopback emulators behind serve()), through the
 * providers' real request paths, with one retried 429 (Adapty) and one failure (CleverTap,
 * wrong passcode → 401 unauthorized). The happy-dom run is in runtimes.dom.test.ts.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  bin,
  bunOnBuilt,
  bundle,
  CHROMIUM,
  CHROMIUM_ARGS,
  expectErased,
  node20Binary,
  node22Binary,
  parseProbe,
  prepare,
  requireChromium,
  run,
  runtimesDir,
  startWorkerd,
  startWorld,
  tmpDir,
  WORKER_CONDITIONS,
  type ProbeResult,
  type World,
} from './runtimes/harness'

const timings: Record<string, number> = {}
const probeMjs = join(runtimesDir, 'probe.mjs')
const probeCjs = join(runtimesDir, 'probe.cjs')
const nativeServe = join(runtimesDir, 'native-serve.mjs')

beforeAll(() => prepare())
afterAll(() => {
  console.log(`runtime timings (ms): ${Object.entries(timings).map(([name, ms]) => `${name} ${ms}`).join(', ')}`)
})

/** One fresh world per runtime; the runtime gets its config and returns the probe result. */
async function check(label: string, runtime: (world: World) => Promise<ProbeResult>, expectRuntime: (result: ProbeResult) => void) {
  const world = await startWorld()
  const started = performance.now()
  try {
    const result = await runtime(world)
    timings[label] = Math.round(performance.now() - started)
    expectRuntime(result)
    expectErased(result, world)
    return result
  } finally {
    await world.close()
  }
}

const expectDist = (result: ProbeResult, extension: '.mjs' | '.cjs') => {
  for (const [name, path] of Object.entries(result.resolved ?? {})) {
    const pkg = name.split('/')[1]
    expect(path.replace(/^file:\/\//, ''), name).toMatch(new RegExp(`packages/${pkg}/dist/index\\${extension}$`))
  }
  expect(Object.keys(result.resolved ?? {})).toHaveLength(5)
  if (extension === '.cjs') expect(result.dualInstanceof, 'ErasureError instanceof across the CJS and ESM builds').toBe(true)
  if (extension === '.cjs') expect(result.dualIdentity, 'an ErasureError of the CJS build thrown into an ESM eraser reaches hooks as the same object').toBe(true)
}

describe.concurrent('built packages erase across all four providers', () => {
  test('Node 20, ESM (import)', async () => {
    const node = await node20Binary()
    await check(
      'node20-esm',
      async (world) => parseProbe(await run(node, [probeMjs, JSON.stringify(world.config)]), 'node20 esm'),
      (result) => {
        expect(result.runtime).toMatchObject({ name: 'node', version: expect.stringMatching(/^20\./) })
        expectDist(result, '.mjs')
      },
    )
  }, 60_000)

  test('Node 20, CommonJS (require)', async () => {
    const node = await node20Binary()
    await check(
      'node20-cjs',
      async (world) => parseProbe(await run(node, [probeCjs, JSON.stringify(world.config)]), 'node20 cjs'),
      (result) => {
        expect(result.runtime).toMatchObject({ name: 'node', version: expect.stringMatching(/^20\./) })
        expectDist(result, '.cjs')
      },
    )
  }, 60_000)

  // node@22.23.3 from the npm registry (the `node` package), resolved once through npx.
  test('Node 22, ESM (import)', async () => {
    const node = await node22Binary()
    await check(
      'node22-esm',
      async (world) => parseProbe(await run(node, [probeMjs, JSON.stringify(world.config)]), 'node22 esm'),
      (result) => {
        expect(result.runtime).toMatchObject({ name: 'node', version: '22.23.3' })
        expectDist(result, '.mjs')
      },
    )
  }, 200_000)

  test('Node 22, CommonJS (require)', async () => {
    const node = await node22Binary()
    await check(
      'node22-cjs',
      async (world) => parseProbe(await run(node, [probeCjs, JSON.stringify(world.config)]), 'node22 cjs'),
      (result) => {
        expect(result.runtime).toMatchObject({ name: 'node', version: '22.23.3' })
        expectDist(result, '.cjs')
      },
    )
  }, 200_000)

  test('Deno (--allow-net=127.0.0.1 --allow-read)', async () => {
    await check(
      'deno',
      async (world) => parseProbe(await run(bin('deno'), ['run', '--allow-net=127.0.0.1', '--allow-read', probeMjs, JSON.stringify(world.config)], { timeoutMs: 120_000 }), 'deno'),
      (result) => {
        expect(result.runtime.name).toBe('deno')
        expectDist(result, '.mjs')
      },
    )
  }, 150_000)

  test('Bun, ESM (import)', async () => {
    await check(
      'bun-esm',
      async (world) => parseProbe(await run(bin('bun'), [bunOnBuilt(), probeMjs, JSON.stringify(world.config)]), 'bun esm'),
      (result) => {
        expect(result.runtime.name).toBe('bun')
        expectDist(result, '.mjs')
      },
    )
  }, 60_000)

  test('Bun, CommonJS (require)', async () => {
    await check(
      'bun-cjs',
      async (world) => parseProbe(await run(bin('bun'), [bunOnBuilt(), probeCjs, JSON.stringify(world.config)]), 'bun cjs'),
      (result) => {
        expect(result.runtime.name).toBe('bun')
        expectDist(result, '.cjs')
      },
    )
  }, 60_000)

  // A user hosting the emulators in Bun's or Deno's own server hands it `emulator.fetch` as it is;
  // both pass a second argument of their own (Bun its server, Deno its handler info).
  test.each([
    ['Bun.serve({ fetch: emulator.fetch })', () => [bin('bun'), [bunOnBuilt(), nativeServe]] as const],
    ['Deno.serve(options, emulator.fetch)', () => [bin('deno'), ['run', '--allow-net=127.0.0.1', '--allow-read', '--allow-env', nativeServe]] as const],
  ])('%s: the four emulators answer an erasure through the runtime\'s own server', async (_, command) => {
    const [cmd, args] = command()
    const result = await run(cmd, [...args], { timeoutMs: 60_000 })
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toEqual({
      outcomes: ['adapty deleted', 'clevertap accepted', 'altcraft deleted', 'batch accepted'],
      requests: { adapty: ['DELETE /api/v2/server-side-api/profile/'], clevertap: ['POST /1/delete/profiles.json'], altcraft: ['POST /api/v1.1/profiles/delete'], batch: ['DELETE /1.0/native-ios/data/users/u_native_1'] },
    })
  }, 90_000)

  test('workerd (raw binary, esbuild bundle with workerd,worker,browser conditions)', async () => {
    const script = await bundle(join(runtimesDir, 'worker.mjs'), join(tmpDir, 'probe-worker.mjs'), 'neutral', WORKER_CONDITIONS)
    const workerd = await startWorkerd(script)
    try {
      await check(
        'workerd',
        async (world) => {
          const response = await fetch(workerd.url, { method: 'POST', body: JSON.stringify(world.config) })
          const body = (await response.json()) as ProbeResult & { error?: string }
          if (!response.ok) throw new Error(`workerd probe failed: ${body.error}\n${workerd.output()}`)
          return body
        },
        (result) => expect(result.runtime.name).toBe('workerd'),
      )
    } finally {
      workerd.stop()
    }
  }, 60_000)

  test('workerd: the four emulators created at global scope answer an erasure in the Worker', async () => {
    const script = await bundle(join(runtimesDir, 'emulators-worker.mjs'), join(tmpDir, 'emulators-worker.mjs'), 'neutral', WORKER_CONDITIONS)
    const workerd = await startWorkerd(script)
    try {
      const response = await fetch(workerd.url, { method: 'POST' })
      const body = (await response.json()) as { error?: string; runtime: string; outcomes: { provider: string; target?: string; status: string }[]; adaptyLeft: boolean; clevertapMarked: boolean }
      expect(response.status, `${body.error}\n${workerd.output()}`).toBe(200)
      expect(body.runtime).toBe('Cloudflare-Workers')
      expect(body.outcomes).toEqual([
        { provider: 'adapty', status: 'deleted' },
        { provider: 'clevertap', status: 'accepted' },
        { provider: 'altcraft', status: 'deleted' },
        { provider: 'batch', target: 'ios', status: 'accepted' },
        { provider: 'batch', target: 'android', status: 'accepted' },
      ])
      expect(body.adaptyLeft).toBe(false)
      expect(body.clevertapMarked).toBe(true)
    } finally {
      workerd.stop()
    }
  }, 60_000)

  test('Chromium (playwright-core, page on a second loopback origin)', async () => {
    requireChromium()
    const { chromium } = await import('playwright-core')
    const { serve } = await import('@erasekit/core/testing/node')
    const { readFileSync } = await import('node:fs')
    const script = await bundle(join(runtimesDir, 'browser.mjs'), join(tmpDir, 'probe-browser.mjs'), 'browser', ['browser'])
    const page = await serve((request: Request) => {
      const { pathname } = new URL(request.url)
      if (pathname === '/probe.mjs') return new Response(readFileSync(script), { headers: { 'content-type': 'text/javascript' } })
      return new Response('<!doctype html><title>erasekit</title><script type="module" src="/probe.mjs"></script>', { headers: { 'content-type': 'text/html' } })
    })
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    try {
      const tab = await browser.newPage()
      const errors: string[] = []
      tab.on('pageerror', (error) => errors.push(String(error)))
      await tab.goto(page.url)
      await tab.waitForFunction(() => typeof (globalThis as { runScenario?: unknown }).runScenario === 'function', undefined, { timeout: 10_000 })
      await check(
        'chromium',
        async (world) => tab.evaluate((config) => (globalThis as unknown as { runScenario(c: unknown): Promise<ProbeResult> }).runScenario(config), world.config),
        (result) => {
          expect(result.runtime.name).toBe('browser')
          expect(result.runtime.version).toMatch(/Chrome\/\d+/)
        },
      )
      expect(errors).toEqual([])
    } finally {
      await browser.close()
      await page.close()
    }
  }, 60_000)
})
