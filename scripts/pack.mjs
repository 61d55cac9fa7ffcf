// `pnpm pack` every workspace package (workspace:* deps rewritten to versions, only the
// "files" that npm would publish) into a folder; returns { name, short, version, tarball }.
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { root, workspacePackages } from './workspace.mjs'

const exec = promisify(execFile)

export const tarballName = (name, version) => `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`

/** `only`: package names to pack (default: all). */
export async function packWorkspace(destination = join(root, '.packs'), only) {
  const dest = resolve(destination)
  rmSync(dest, { recursive: true, force: true })
  mkdirSync(dest, { recursive: true })
  const packages = workspacePackages().filter((pkg) => !only || only.includes(pkg.name))
  return Promise.all(
    packages.map(async ({ name, short, dir, manifest }) => {
      try {
        await exec('pnpm', ['pack', '--pack-destination', dest], { cwd: dir })
      } catch (error) {
        throw new Error(`pnpm pack failed in packages/${short}: ${error.stderr || error.message}`)
      }
      return { name, short, dir, manifest, version: manifest.version, tarball: join(dest, tarballName(name, manifest.version)) }
    }),
  )
}
