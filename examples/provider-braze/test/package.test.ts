/**
 * Packaged as a third party would publish it: built with unbuild, packed with `pnpm pack`
 * (workspace ranges rewritten), checked with publint, and the BUILT files run in plain Node
 * (test/smoke.mjs: conformance suite + one erasure, importing the package by its own name).
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const exec = promisify(execFile)
const dir = join(dirname(fileURLToPath(import.meta.url)), '..')
const root = join(dir, '../..')
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
const out = mkdtempSync(join(tmpdir(), 'erasekit-braze-pack-'))
let tarball = ''

beforeAll(async () => {
  if (!existsSync(join(root, 'packages/core/dist/index.mjs'))) throw new Error('packages/core/dist is missing: run `pnpm build` first')
  await exec(join(root, 'node_modules/.bin/unbuild'), [], { cwd: dir })
  const { stdout } = await exec('pnpm', ['pack', '--pack-destination', out], { cwd: dir })
  tarball = stdout.trim().split('\n').pop()!
}, 240_000)
afterAll(() => rmSync(out, { recursive: true, force: true }))

function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  return Object.values(value as Record<string, unknown>).flatMap(targets)
}

describe('erasekit-provider-braze as published', () => {
  it('depends on @erasekit/core as a peer (a caret range once packed) and on its own schema library, valibot', async () => {
    // The core takes any Standard Schema: a provider brings the schema library it likes.
    expect(Object.keys(manifest.dependencies)).toEqual(['valibot'])
    expect(readFileSync(join(dir, 'dist/index.mjs'), 'utf8')).toMatch(/from ['"]valibot['"]/)
    expect(Object.keys(manifest.peerDependencies)).toEqual(['@erasekit/core'])
    const { stdout } = await exec('tar', ['-xOzf', tarball, 'package/package.json'])
    const packed = JSON.parse(stdout)
    expect(packed.peerDependencies).toEqual({ '@erasekit/core': `^${JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')).version}` })
    expect(stdout).not.toContain('workspace:')
  })

  it('every "exports" target is built, and the tarball holds dist + package.json + README only', async () => {
    for (const target of targets(manifest.exports)) expect(existsSync(join(dir, target)), target).toBe(true)
    const { stdout } = await exec('tar', ['-tzf', tarball])
    const files = stdout.trim().split('\n').sort()
    expect(files.filter((file) => !file.startsWith('package/dist/'))).toEqual(['package/README.md', 'package/package.json'])
    expect(files).toContain('package/dist/emulator.d.mts')
  })

  it('publint finds no error or warning in the tarball', async () => {
    const { publint } = await import('publint')
    const buffer = readFileSync(tarball)
    const { messages } = await publint({ pack: { tarball: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) }, level: 'warning' })
    expect(messages.map((message) => `${message.type} ${message.code} ${message.path?.join('.')}`)).toEqual([])
  })

  it('the built package passes the conformance suite in plain Node (runProviderConformance, no test runner)', async () => {
    const { stdout } = await exec(process.execPath, [join(dir, 'test/smoke.mjs')], { cwd: dir })
    const result = JSON.parse(stdout)
    expect(result.resolved).toMatch(/provider-braze\/dist\/index\.mjs$/)
    expect(result.conformance.checks.filter((check: { ok: boolean }) => !check.ok)).toEqual([])
    expect(result.conformance.checks.length).toBeGreaterThanOrEqual(13)
    expect(result.status).toBe('accepted')
  }, 60_000)
})
