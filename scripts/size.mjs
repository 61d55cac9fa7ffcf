#!/usr/bin/env node
// Bundle-size budget of the BUILT packages, measured the way a Cloudflare Worker imports them:
// esbuild --bundle --minify --format=esm --platform=neutral
//   --conditions=workerd,worker,browser --main-fields=module,main, then gzip -9.
//
//   createEraser + one provider            target ≤ 7 kB (7168 B, DESIGN.md): NOT MET today
//                                          (see README "Size"); enforced as a
//                                          regression ceiling of 17800 B
//   each extra provider (all four − three) ≤ 1.2 kB (1229 B)   one line per provider
//
// Prints a markdown table and exits 1 when a line is over its enforced limit.
//   --json      the measurements as JSON
//   --explain   also where the bytes go: esbuild metafile bytes per input (minified, before
//               gzip) for every bundle, by package and by file, plus an attribution to
//               packages/*/src files from the same bundle built from sources.
// Needs the packages built (`pnpm build`).
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'
import { root } from './workspace.mjs'

export const BUDGET = { single: 7168, singleCeiling: 17800, extra: 1229 }
export const PROVIDERS = ['adapty', 'clevertap', 'altcraft', 'batch']
const args = new Set(process.argv.slice(2))

const options = {
  // Without it esbuild applies packages/*/tsconfig.json "paths" (@erasekit/* → src, for
  // type-checking) to the dist files as well and measures sources instead of the build.
  tsconfigRaw: '{}',
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
  write: false,
  metafile: true,
  logLevel: 'silent',
}

/** An entry exporting createEraser and the given provider factories (so nothing is tree-shaken away). */
const entry = (providers) =>
  ["export { createEraser } from '@erasekit/core'", ...providers.map((name) => `export { ${name} } from '@erasekit/${name}'`)].join('\n')

/** Resolves @erasekit/* to packages/<pkg>/src/*.ts: attributes bytes to source files. */
const fromSources = {
  name: 'erasekit-sources',
  setup(build) {
    build.onResolve({ filter: /^@erasekit\/[a-z]+(\/[a-z/]+)?$/ }, ({ path }) => {
      const [, pkg, sub] = /^@erasekit\/([a-z]+)(?:\/(.+))?$/.exec(path)
      return { path: join(root, 'packages', pkg, 'src', `${sub ?? 'index'}.ts`) }
    })
  },
}

export async function measure(providers, { sources = false } = {}) {
  const result = await esbuild.build({
    ...options,
    stdin: { contents: entry(providers), resolveDir: root, sourcefile: 'entry.mjs', loader: 'js' },
    plugins: sources ? [fromSources] : [],
  })
  const output = result.outputFiles[0].contents
  const [meta] = Object.values(result.metafile.outputs)
  const inputs = Object.entries(meta.inputs)
    .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
    .filter((input) => input.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
  return { providers, minified: output.byteLength, gzip: gzipSync(output, { level: 9 }).byteLength, inputs }
}

/** The package an input path belongs to (workspace packages by their npm name). */
export function packageOf(path) {
  const workspace = /(?:^|\/)packages\/([^/]+)\//.exec(path)
  if (workspace) return `@erasekit/${workspace[1]}`
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(@[^/]+\/[^/]+|[^/]+)/.exec(path)
  return dependency ? dependency[1] : path
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} kB`

export async function sizeReport() {
  for (const name of ['core', ...PROVIDERS]) {
    if (!existsSync(join(root, 'packages', name, 'dist/index.mjs'))) throw new Error(`packages/${name}/dist is missing: run pnpm build first`)
  }
  const singles = await Promise.all(PROVIDERS.map((name) => measure([name])))
  const all = await measure(PROVIDERS)
  const withoutEach = await Promise.all(PROVIDERS.map((name) => measure(PROVIDERS.filter((other) => other !== name))))
  const lines = [
    ...singles.map((bundle, i) => ({
      id: `single:${PROVIDERS[i]}`,
      label: `createEraser + ${PROVIDERS[i]}`,
      gzip: bundle.gzip,
      minified: bundle.minified,
      budget: BUDGET.single,
      limit: BUDGET.singleCeiling,
    })),
    ...withoutEach.map((bundle, i) => ({
      id: `extra:${PROVIDERS[i]}`,
      label: `extra provider: ${PROVIDERS[i]} (all four − the other three)`,
      gzip: all.gzip - bundle.gzip,
      minified: all.minified - bundle.minified,
      budget: BUDGET.extra,
      limit: BUDGET.extra,
    })),
  ].map((line) => ({ ...line, ok: line.gzip <= line.limit, targetMet: line.gzip <= line.budget }))
  return { esbuild: esbuild.version, lines, all: { gzip: all.gzip, minified: all.minified }, bundles: { singles, all, withoutEach }, ok: lines.every((line) => line.ok) }
}

function printTable(report) {
  console.log(`Bundle size (esbuild ${report.esbuild}, minified, ESM, platform neutral, conditions workerd/worker/browser, gzip -9)\n`)
  console.log('| import | minified | gzip | target | enforced limit |')
  console.log('|---|---:|---:|---|---|')
  for (const line of report.lines) {
    const target = line.targetMet ? `${line.budget} B: met` : `${line.budget} B: **over by ${line.gzip - line.budget} B**`
    console.log(`| ${line.label} | ${line.minified} B | **${line.gzip} B** (${kb(line.gzip)}) | ${target} | ${line.limit} B: ${line.ok ? 'ok' : 'OVER'} |`)
  }
  console.log(`| createEraser + all four providers | ${report.all.minified} B | ${report.all.gzip} B (${kb(report.all.gzip)}) | | |`)
}

function printInputs(title, bundle, top = Infinity) {
  const total = bundle.inputs.reduce((sum, input) => sum + input.bytes, 0)
  const byPackage = new Map()
  for (const input of bundle.inputs) byPackage.set(packageOf(input.path), (byPackage.get(packageOf(input.path)) ?? 0) + input.bytes)
  console.log(`\n### ${title}: ${bundle.minified} B minified, ${bundle.gzip} B gzip\n`)
  console.log('| package | bytes (minified) | share |')
  console.log('|---|---:|---:|')
  for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) console.log(`| ${name} | ${bytes} | ${((bytes / total) * 100).toFixed(1)}% |`)
  console.log('\n| input file | bytes (minified) | share |')
  console.log('|---|---:|---:|')
  for (const { path, bytes } of bundle.inputs.slice(0, top)) console.log(`| ${path.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')} | ${bytes} | ${((bytes / total) * 100).toFixed(1)}% |`)
}

async function explain(report) {
  console.log('\n## Where the bytes go (built dist; esbuild metafile, minified bytes before gzip)')
  report.bundles.singles.forEach((bundle, i) => printInputs(`createEraser + ${PROVIDERS[i]}`, bundle))
  printInputs('createEraser + all four providers', report.bundles.all)
  console.log('\n## The same, built from packages/*/src (attribution to source files; sizes differ slightly from dist)')
  printInputs('createEraser + adapty, from sources', await measure(['adapty'], { sources: true }))
  printInputs('createEraser + all four providers, from sources', await measure(PROVIDERS, { sources: true }))
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await sizeReport()
  if (args.has('--json')) {
    const { bundles, ...rest } = report
    console.log(JSON.stringify(rest, null, 2))
  } else {
    printTable(report)
    if (args.has('--explain')) await explain(report)
    console.log(report.ok ? '\nsize budget: ok' : '\nsize budget: OVER')
  }
  process.exitCode = report.ok ? 0 : 1
}
