/**
 * happy-dom: the browser bundle of the BUILT packages (esbuild, browser condition) runs with
 * happy-dom's window globals — its fetch, which preflights every cross-origin request — and
 * erases one subject across the four loopback emulators, with one retried 429 and one
 * failure, like every other runtime in runtimes.test.ts.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, expect, test } from 'vitest'
import { bundle, expectErased, prepare, runtimesDir, startWorld, tmpDir, type ProbeResult } from './runtimes/harness'

beforeAll(() => prepare())

test('happy-dom: built packages erase across all four providers', async () => {
  expect(typeof window).toBe('object')
  expect(navigator.userAgent).toMatch(/HappyDOM/)
  // The window's own fetch, not Node's.
  expect(globalThis.fetch).toBe(window.fetch)
  const script = await bundle(join(runtimesDir, 'browser.mjs'), join(tmpDir, 'probe-happy-dom.mjs'), 'browser', ['browser'])
  await import(/* @vite-ignore */ pathToFileURL(script).href)
  const world = await startWorld()
  try {
    const started = performance.now()
    const result = (await (globalThis as unknown as { runScenario(config: unknown): Promise<ProbeResult> }).runScenario(world.config))
    console.log(`runtime timings (ms): happy-dom ${Math.round(performance.now() - started)}`)
    expect(result.runtime.name).toBe('happy-dom')
    expectErased(result, world)
  } finally {
    await world.close()
  }
}, 30_000)
