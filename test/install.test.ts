/**
 * The README's two commands install different parts of the root package.json: the demo's
 * `pnpm install --frozen-lockfile --prod` only its `dependencies` (what `pnpm demo` builds and runs
 * with: 75 MB on disk), the tests' plain `pnpm install --frozen-lockfile` its `devDependencies` too
 * (the Bun, Deno and workerd binaries, playwright-core, vitest: 540 MB). No other test runs the
 * --prod install, so this checks that the split still covers what the demo needs.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
type Manifest = { name: string; scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; peerDependencies?: Record<string, string> }
const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(root, path), 'utf8')) as T
const rootManifest = readJson<Manifest>('package.json')
const dependencies = rootManifest.dependencies ?? {}
const packages = readdirSync(join(root, 'packages')).sort()
const readme = readFileSync(join(root, 'README.md'), 'utf8')

const DEMO = 'npm i -g pnpm@10.34.9 && pnpm install --frozen-lockfile --prod && pnpm demo'
const TESTS = 'bash scripts/setup-machine.sh && pnpm install --frozen-lockfile && pnpm test'

describe('the README install commands', () => {
  test('the demo installs with --prod, the tests (and CI, the same line) without', () => {
    expect(readme.split('\n')).toContain(DEMO)
    expect(readme.split('\n')).toContain(TESTS)
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toContain(`${TESTS} ||`)
    expect(rootManifest.scripts?.demo).toBe('pnpm build && node packages/cli/dist/cli.mjs demo')
  })

  // Without it, the test command after the demo's (or the other way round) stops at a
  // "node_modules will be removed and reinstalled" prompt, and fails where stdin is no terminal.
  test('switching between the two recreates node_modules without a prompt', () => {
    expect(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')).toMatch(/^confirmModulesPurge: false$/m)
  })
})

// --prod skips the packages' own devDependencies, where their @erasekit/core peer is linked for
// development: the built dist then finds it through the root's link.
test.each(packages)('packages/%s builds and runs from the --prod install: build tool, type packages, workspace peers', (short) => {
  const manifest = readJson<Manifest>(`packages/${short}/package.json`)
  const tsconfig = readJson<{ compilerOptions?: { types?: string[] } }>(`packages/${short}/tsconfig.json`)
  expect(manifest.scripts?.build).toBe('unbuild')
  expect(dependencies).toHaveProperty('unbuild')
  expect(dependencies, 'typescript (unbuild writes the declarations with it)').toHaveProperty('typescript')
  for (const name of tsconfig.compilerOptions?.types ?? []) expect(dependencies, `@types/${name}`).toHaveProperty(`@types/${name}`)
  for (const name of Object.keys(manifest.peerDependencies ?? {})) expect(dependencies, name).toHaveProperty(name)
  expect(dependencies).toHaveProperty(manifest.name)
})

test('the test runtimes and tools are devDependencies, so the demo install skips them', () => {
  const dev = rootManifest.devDependencies ?? {}
  for (const name of ['bun', 'deno', 'workerd', 'playwright-core', 'vitest', 'happy-dom', 'esbuild', 'publint', '@arethetypeswrong/cli']) {
    expect(dev, name).toHaveProperty(name)
    expect(dependencies, name).not.toHaveProperty(name)
  }
})
