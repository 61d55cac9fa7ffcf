// ESM probe (Node, Deno, Bun): imports the BUILT packages by name and prints one JSON line.
// Usage: <runtime> probe.mjs '<config json>'
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch } from '@erasekit/batch'
import { eraseEverywhere } from './scenario.mjs'

const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2)
const config = JSON.parse(args[0])
const result = await eraseEverywhere({ createEraser, adapty, clevertap, altcraft, batch }, config)
const resolved = Object.fromEntries(
  ['@erasekit/core', '@erasekit/adapty', '@erasekit/clevertap', '@erasekit/altcraft', '@erasekit/batch'].map((name) => [name, import.meta.resolve(name)]),
)
console.log(JSON.stringify({ ...result, format: 'esm', resolved }))
