import type { ArgsDef } from 'citty'
import { UsageError } from './errors'

/** citty lets unknown flags through; a mistyped `--dryrun` must not turn into a real run. */
export function rejectUnknownFlags(rawArgs: string[], args: ArgsDef) {
  const known = new Set<string>(['help', 'h'])
  for (const [name, def] of Object.entries(args)) {
    known.add(name)
    known.add(name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))
    for (const alias of ['alias' in def ? (def.alias ?? []) : []].flat()) known.add(alias)
    if (def.type === 'boolean') known.add(`no-${name}`)
    known.add(name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()))
  }
  for (const arg of rawArgs) {
    if (arg === '--') break
    const match = /^--?([^=]+)/.exec(arg)
    if (match && !/^-\d/.test(arg) && !known.has(match[1]!)) throw new UsageError(`unknown option ${arg.split('=')[0]} (see --help)`)
  }
}

/** The positional argument after a flag that needs a value (`--input` with nothing after it). */
export function requireValue(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag}: expected a value`)
  return value
}
