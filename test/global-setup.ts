// One temporary folder for every test that writes files (CLI inputs, receipts, journals),
// removed when the run ends, so runs leave nothing behind in the system's temp folder.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    tmpRoot: string
  }
}

export default function setup(project: TestProject) {
  const tmpRoot = mkdtempSync(join(tmpdir(), 'erasekit-test-'))
  project.provide('tmpRoot', tmpRoot)
  return () => rmSync(tmpRoot, { recursive: true, force: true })
}
