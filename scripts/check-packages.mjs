#!/usr/bin/env node
// Package quality for every package under packages/: pack it the way it would be published
// (pnpm pack), then
//   - publint on the tarball: any error or warning fails (suggestions are listed, not fatal);
//   - arethetypeswrong on the tarball, profile node16 (node16-CJS, node16-ESM and
//     bundler resolution; node10 is not a target: engines.node >= 20.19): any problem fails.
// Prints a table; `--json` prints the results as JSON instead. Exits 1 when any check fails.
// Needs the packages built (`pnpm build`).
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { root } from './workspace.mjs'
import { packWorkspace } from './pack.mjs'

const json = process.argv.includes('--json')

async function runPublint(pkg) {
  const tarball = readFileSync(pkg.tarball)
  const { messages, pkg: manifest } = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) }, level: 'suggestion', strict: false })
  const format = (message) => `${message.type}: ${formatMessage(message, manifest, { color: false }) ?? message.code}`
  const fatal = messages.filter((message) => message.type === 'error' || message.type === 'warning')
  return { ok: fatal.length === 0, problems: fatal.map(format), suggestions: messages.filter((m) => m.type === 'suggestion').map(format) }
}

/** True when no export offers a `require` branch and there is no CJS main: an ESM-only package. */
export function isEsmOnly(manifest) {
  const hasRequire = (entry) => typeof entry === 'object' && entry !== null && Object.entries(entry).some(([key, value]) => key === 'require' || hasRequire(value))
  return !hasRequire(manifest.exports ?? {}) && !/\.c?js$/.test(manifest.main ?? '')
}

// @arethetypeswrong/core, the engine of the installed @arethetypeswrong/cli (same version),
// used in-process: one TypeScript load for all packages instead of one attw process each.
const attwCore = await import(createRequire(realpathSync(join(root, 'node_modules/@arethetypeswrong/cli/package.json'))).resolve('@arethetypeswrong/core'))

async function runAttw(pkg) {
  // ESM + CJS packages: node16 (CJS and ESM) and bundler. An ESM-only package (the CLI) is
  // checked with attw's esm-only profile, which does not expect a require() entry.
  const profile = isEsmOnly(pkg.manifest) ? 'esm-only' : 'node16'
  const analysis = await attwCore.checkPackage(attwCore.createPackageFromTarballData(new Uint8Array(readFileSync(pkg.tarball))), {})
  if (!analysis.types) return { ok: false, profile, problems: ['no types found in the tarball'], entrypoints: [] }
  // node10 is in neither profile (engines.node >= 20.19); esm-only also leaves out node16-cjs.
  const ignored = profile === 'esm-only' ? ['node10', 'node16-cjs'] : ['node10']
  const problems = (analysis.problems ?? [])
    .filter((problem) => !ignored.includes(problem.resolutionKind))
    .map((problem) => `${problem.kind}${problem.entrypoint ? ` ${problem.entrypoint}` : ''}${problem.resolutionKind ? ` (${problem.resolutionKind})` : ''}`)
  const entrypoints = Object.keys(analysis.entrypoints ?? {})
  if (entrypoints.length === 0) problems.push('no entrypoints analyzed')
  return { ok: problems.length === 0, profile, problems, entrypoints }
}

export async function checkPackages() {
  const packs = await packWorkspace(join(root, '.packs'))
  return Promise.all(
    packs.map(async (pkg) => {
      if (!existsSync(join(pkg.dir, 'dist'))) {
        return { name: pkg.name, publint: { ok: false, problems: ['dist/ is missing: run pnpm build'] }, attw: { ok: false, problems: ['dist/ is missing'] } }
      }
      const [publintResult, attwResult] = await Promise.all([runPublint(pkg), runAttw(pkg)])
      return { name: pkg.name, tarball: pkg.tarball, publint: publintResult, attw: attwResult }
    }),
  )
}

const results = await checkPackages()
const ok = results.every((result) => result.publint.ok && result.attw.ok)
if (json) {
  console.log(JSON.stringify({ ok, results }, null, 2))
} else {
  console.log('| package | publint | attw | attw profile | entrypoints |')
  console.log('|---|---|---|---|---|')
  for (const { name, publint: p, attw: a } of results) {
    console.log(`| ${name} | ${p.ok ? 'ok' : `**${p.problems.length} problem(s)**`} | ${a.ok ? 'ok' : `**${a.problems.length} problem(s)**`} | ${a.profile ?? ''} | ${(a.entrypoints ?? []).join(' ')} |`)
  }
  for (const { name, publint: p, attw: a } of results) {
    for (const line of [...p.problems, ...(p.suggestions ?? []).map((s) => `(publint) ${s}`)]) console.log(`${name}: publint ${line}`)
    for (const line of a.problems) console.log(`${name}: attw ${line}`)
  }
  console.log(ok ? 'package checks passed' : 'package checks FAILED')
}
process.exitCode = ok ? 0 : 1
