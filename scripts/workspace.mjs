// Makes every workspace package resolvable by name from the repository root
// (node_modules/@erasekit/<pkg> → packages/<pkg>), the way an installed dependency is.
// Examples, runtime probes (Node, Deno, Bun) and esbuild bundles then import
// '@erasekit/core' etc. by package name and get the BUILT dist through each package's
// "exports". Idempotent; leaves links that pnpm made alone. Run directly or import.
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Workspace packages under packages/: { name, dir, manifest }. */
export function workspacePackages() {
  const base = join(root, 'packages')
  return readdirSync(base)
    .filter((entry) => existsSync(join(base, entry, 'package.json')))
    .sort()
    .map((entry) => {
      const dir = join(base, entry)
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      return { name: manifest.name, short: entry, dir, manifest }
    })
}

export function linkWorkspace() {
  const made = []
  for (const { name, dir } of workspacePackages()) {
    const link = join(root, 'node_modules', ...name.split('/'))
    const target = relative(dirname(link), dir)
    let stat
    try {
      stat = lstatSync(link)
    } catch {}
    if (stat) {
      if (stat.isSymbolicLink() && resolve(dirname(link), readlinkSync(link)) === dir) continue
      if (!stat.isSymbolicLink()) continue // a real install: leave it
      rmSync(link)
    }
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync(target, link, 'dir')
    made.push(name)
  }
  return made
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const made = linkWorkspace()
  console.log(made.length ? `linked ${made.join(', ')}` : 'workspace packages already linked')
}
