// The repository root and its workspace packages, for the package and size scripts. The
// packages resolve by name from the root (the built dist, through each package's "exports")
// because the root package.json lists them as workspace:* dependencies.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
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
