// The library entries run in Workers, Deno, Bun and browsers: Web APIs only, public core API only.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

describe.each(['index.ts', 'emulator.ts'])('src/%s', (file) => {
  const source = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8')

  it('uses no Node built-ins', () => {
    expect(source).not.toMatch(/from ['"]node:|\brequire\(|\bBuffer\b|\bprocess\./)
  })

  it('imports only the public core API', () => {
    const imports = [...source.matchAll(/from ['"]([^'"]+)['"]/g)].map((match) => match[1])
    expect(imports.length).toBeGreaterThan(0)
    for (const specifier of imports) expect(['@erasekit/core', '@erasekit/core/schema', '@erasekit/core/testing']).toContain(specifier)
  })
})
