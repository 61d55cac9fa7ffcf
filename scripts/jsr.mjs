#!/usr/bin/env node
// jsr.json for every package, derived from its package.json: same name and version, and each
// "exports" subpath mapped from the built file (./dist/x.mjs) to its TypeScript source
// (./src/x.ts), which is what JSR publishes (Deno users: `jsr:@erasekit/core` as well as
// `npm:@erasekit/core`). Conditional exports pick the non-`node` branch except for
// subpaths that only exist for Node (./testing/node).
//   node scripts/jsr.mjs          writes packages/*/jsr.json
//   node scripts/jsr.mjs --check  exits 1 when a jsr.json is missing or out of date
//   node scripts/jsr.mjs --dry-run  `deno publish --dry-run` of every package (what JSR would
//                                   refuse: slow types, unresolvable imports, type errors); exits 1
//                                   on an error or a warning not listed in EXPECTED_WARNINGS
// Deno reads the root package.json "workspaces" (pnpm's list, repeated there): that is how it
// resolves `@erasekit/core` in the providers' sources and rewrites it to `jsr:` on publish.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { root, workspacePackages } from './workspace.mjs'

/** The import target of an exports entry: "./dist/x.mjs". */
function importTarget(entry) {
  if (typeof entry === 'string') return entry
  if (!entry || typeof entry !== 'object') return undefined
  const branch = entry.import ?? entry.default ?? entry.node
  return importTarget(typeof branch === 'object' && branch !== null && 'default' in branch ? branch.default : branch)
}

export function jsrConfig({ manifest, dir }) {
  const exports = {}
  for (const [subpath, entry] of Object.entries(manifest.exports ?? {})) {
    if (subpath === './package.json') continue
    const target = importTarget(entry)
    const source = target?.replace(/^\.\/dist\//, './src/').replace(/\.(mjs|cjs|js)$/, '.ts')
    if (!source || !existsSync(join(dir, source))) throw new Error(`${manifest.name}: no source for export "${subpath}" (${target} → ${source})`)
    exports[subpath] = source
  }
  return {
    $schema: 'https://jsr.io/schema/config-file.v1.json',
    name: manifest.name,
    version: manifest.version,
    license: manifest.license,
    exports,
    publish: { include: ['src/**/*.ts', 'README.md', 'jsr.json'], exclude: ['src/**/*.test.ts'] },
  }
}

export function checkJsr() {
  return workspacePackages().map((pkg) => {
    const file = relative(root, join(pkg.dir, 'jsr.json'))
    let expected
    try {
      expected = `${JSON.stringify(jsrConfig(pkg), null, 2)}\n`
    } catch (error) {
      return { name: pkg.name, file, ok: false, error: error.message }
    }
    const actual = existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : undefined
    return { name: pkg.name, file, expected, ok: actual === expected }
  })
}

/**
 * Warnings JSR may print and why they are accepted. The CLI resolves its own packages with
 * `import.meta.resolve` for the config loader; published on JSR the call is left as written, fails
 * under Deno and is caught, and the loader resolves the config's imports from its own folder.
 */
export const EXPECTED_WARNINGS = { '@erasekit/cli': ['unanalyzable-import-meta-resolve'] }

/** `deno publish --dry-run` in one package: { name, ok, errors, warnings, output }. */
export async function publishDryRun(pkg) {
  const deno = join(root, 'node_modules', '.bin', 'deno')
  const run = promisify(execFile)(deno, ['publish', '--dry-run', '--allow-dirty', '--config', 'jsr.json'], {
    cwd: pkg.dir,
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 16 << 20,
  })
  const { stdout, stderr, code } = await run.then(
    (done) => ({ ...done, code: 0 }),
    (failed) => ({ stdout: failed.stdout ?? '', stderr: failed.stderr ?? failed.message, code: failed.code ?? 1 }),
  )
  const output = `${stdout}${stderr}`
  const warnings = [...output.matchAll(/^warning\[([\w-]+)\]/gm)].map((match) => match[1])
  const unexpected = warnings.filter((warning) => !(EXPECTED_WARNINGS[pkg.name] ?? []).includes(warning))
  const errors = output.split('\n').filter((line) => /^error\b/.test(line))
  const ok = code === 0 && /Success Dry run complete/.test(output) && errors.length === 0 && unexpected.length === 0
  return { name: pkg.name, ok, errors, warnings: unexpected, output }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const results = checkJsr()
  if (process.argv.includes('--dry-run')) {
    for (const pkg of workspacePackages()) {
      const result = await publishDryRun(pkg)
      console.log(`${result.ok ? 'ok    ' : 'FAILED'} ${result.name}${[...result.errors, ...result.warnings].map((line) => `\n  ${line}`).join('')}`)
      if (!result.ok) {
        if (!result.errors.length && !result.warnings.length) console.log(result.output)
        process.exitCode = 1
      }
    }
  } else if (process.argv.includes('--check')) {
    for (const result of results) console.log(`${result.ok ? 'ok     ' : 'STALE  '} ${result.file}${result.error ? ` (${result.error})` : ''}`)
    if (results.some((result) => !result.ok)) {
      console.log('run `node scripts/jsr.mjs` to regenerate')
      process.exitCode = 1
    }
  } else {
    for (const result of results) {
      if (result.error) {
        console.log(`error     ${result.file}: ${result.error}`)
        process.exitCode = 1
        continue
      }
      if (!result.ok) writeFileSync(join(root, result.file), result.expected)
      console.log(`${result.ok ? 'unchanged' : 'wrote    '} ${result.file}`)
    }
  }
}
