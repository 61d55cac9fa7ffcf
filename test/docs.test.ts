/**
 * The guides' code blocks are copies of regions of files the tests run (scripts/docs-sync.mjs).
 * This fails when a guide is out of date with its sources, and checks the sync script itself.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, inject, it } from 'vitest'

type Sync = {
  extractRegion(source: string, name?: string, label?: string): string
  syncMarkdown(markdown: string, load: (path: string) => string): { text: string; includes: string[] }
}
// A plain .mjs script (no type declarations): imported for its pure functions.
const { extractRegion, syncMarkdown } = (await import('../scripts/docs-sync.mjs' as string)) as Sync
const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const exec = promisify(execFile)
const script = join(root, 'scripts/docs-sync.mjs')
const tmp = mkdtempSync(join(inject('tmpRoot'), 'docs-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [script, ...args], { cwd: root })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('docs/*.md', () => {
  it('every included code block matches its source region (node scripts/docs-sync.mjs --check)', async () => {
    const result = await run('--check')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/docs in sync \(\d+ included blocks\)/)
  })

  it('every fenced code block in the guides comes from an include marker (no hand-written code)', () => {
    for (const guide of ['writing-a-provider.md', 'writing-a-plugin.md']) {
      const lines = readFileSync(join(root, 'docs', guide), 'utf8').split('\n')
      for (let i = 0; i < lines.length; i++) {
        if (!lines[i]!.startsWith('```')) continue
        expect(lines[i - 1], `${guide}:${i + 1}`).toMatch(/^<!-- include: /)
        i = lines.findIndex((line, index) => index > i && line.startsWith('```'))
      }
    }
  })

  it('the guides include code from the third-party example packages and their tests', () => {
    const provider = readFileSync(join(root, 'docs/writing-a-provider.md'), 'utf8')
    const plugin = readFileSync(join(root, 'docs/writing-a-plugin.md'), 'utf8')
    for (const include of ['src/index.ts#erase', 'src/index.ts#map', 'src/emulator.ts#emulator-kit', 'test/conformance.test.ts#conformance', 'test/eraser.test.ts#serve']) {
      expect(provider).toContain(`<!-- include: examples/provider-braze/${include} -->`)
    }
    expect(plugin).toContain('<!-- include: examples/plugin-logger/src/index.ts#plugin -->')
    expect(plugin).toContain('<!-- include: examples/plugin-logger/test/logger.test.ts#console-sink -->')
  })
})

describe('scripts/docs-sync.mjs', () => {
  const source = ['const a = 1', '  // #region demo', '  if (a) {', '    // #region inner', '    run()', '    // #endregion inner', '  }', '  // #endregion demo'].join('\n')
  const load = () => source

  it('extracts a region dedented, without nested region markers', () => {
    expect(extractRegion(source, 'demo')).toBe('if (a) {\n  run()\n}')
    expect(extractRegion(source, 'inner')).toBe('run()')
    expect(() => extractRegion(source, 'missing', 'x.ts')).toThrow('x.ts: no "#region missing"')
  })

  it('rewrites a stale block, adds a missing one, leaves other code blocks alone', () => {
    const doc = ['# T', '<!-- include: a.ts#demo -->', '```ts', 'old()', '```', '', '<!-- include: a.ts#inner -->', '', '```md', '<!-- include: a.ts#demo -->', '```'].join('\n')
    const { text, includes } = syncMarkdown(doc, load)
    expect(includes).toEqual(['a.ts#demo', 'a.ts#inner'])
    expect(text).toBe(['# T', '<!-- include: a.ts#demo -->', '```ts', 'if (a) {', '  run()', '}', '```', '', '<!-- include: a.ts#inner -->', '```ts', 'run()', '```', '', '```md', '<!-- include: a.ts#demo -->', '```'].join('\n'))
    expect(syncMarkdown(text, load).text).toBe(text)
  })

  it('--check exits 1 on an out-of-date doc and names it; a plain run fixes it', async () => {
    const doc = join(tmp, 'stale.md')
    writeFileSync(doc, '<!-- include: examples/provider-braze/src/index.ts#limits -->\n```ts\nlimits: { batchSize: 5000 },\n```\n')
    const stale = await run('--check', doc)
    expect(stale.code).toBe(1)
    expect(stale.stderr).toContain('out of date:')
    expect(readFileSync(doc, 'utf8')).toContain('batchSize: 5000')
    expect((await run(doc)).code).toBe(0)
    expect(readFileSync(doc, 'utf8')).toContain('limits: { batchSize: 50, rate: { requests: 20_000, perMs: 60_000 } },')
    expect((await run('--check', doc)).code).toBe(0)
  })

  it('a marker naming a missing region is an error in both modes', async () => {
    const doc = join(tmp, 'broken.md')
    writeFileSync(doc, '<!-- include: examples/provider-braze/src/index.ts#no-such-region -->\n')
    for (const args of [['--check', doc], [doc]]) {
      const result = await run(...args)
      expect(result.code).toBe(1)
      expect(result.stderr).toContain('no "#region no-such-region"')
    }
  })
})
