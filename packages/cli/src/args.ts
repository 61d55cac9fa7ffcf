import type { ArgsDef } from 'citty'
import { UsageError } from './errors'

/**
 * citty lets unknown flags and stray words through; a mistyped `--dryrun`, `-dry-run`, a pasted
 * `—dry-run` or a bare `dry-run` must not turn into a real run, nor a repeated option pick one
 * silently. The commands take no positionals.
 */
export function rejectUnknownFlags(rawArgs: string[], args: ArgsDef) {
  const known = new Map<string, ArgsDef[string]>()
  for (const [name, def] of Object.entries(args)) {
    for (const alias of [name, name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), ...['alias' in def ? (def.alias ?? []) : []].flat()]) known.set(alias, def)
    if (def.type === 'boolean') known.set(`no-${name}`, def)
  }
  const given = new Set<ArgsDef[string]>()
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!
    // The commands take nothing after `--`: a `-- --dry-run` would be ignored and the run be real.
    if (arg === '--') throw new UsageError(`unexpected argument "--"${rawArgs[i + 1] ? ` before ${rawArgs[i + 1]!.slice(0, 40)}` : ''}: nothing goes after it (a package manager may pass it on: drop it)`)
    if (/^[\u2010-\u2015\u2212]/.test(arg)) throw new UsageError(`unknown option ${arg.split('=')[0]}: a typographic dash; type it with -- (see --help)`)
    const long = /^--([^=]+)(=?)/.exec(arg)
    if (!long) {
      if (arg === '-h') continue
      const suggestion = /^-[^-]/.test(arg) && known.has(arg.slice(1).split('=')[0]!) ? ` (did you mean -${arg}?)` : ''
      throw new UsageError(arg.startsWith('-') ? `unknown option ${arg.split('=')[0]}${suggestion} (see --help)` : `unexpected argument ${JSON.stringify(arg)} (see --help)`)
    }
    const [, name, equals] = long
    if (name === 'help') continue
    const def = known.get(name!)
    if (!def) throw new UsageError(`unknown option --${name} (see --help)`)
    // The last one would win silently: a second --config could point at real vendors.
    if (given.has(def)) throw new UsageError(`--${name}: given more than once; give it once`)
    given.add(def)
    // `--dry-run=false` would run for real and `--dry-run=no` dry: a switch takes no value.
    if (def.type === 'boolean' && equals) throw new UsageError(`--${name}: takes no value; give --${name} or leave it out`)
    // A string option takes the next word as its value, which must not be another option.
    if (def.type === 'string' && !equals) {
      const value = rawArgs[i + 1]
      if (value === undefined || value.startsWith('-')) throw new UsageError(`--${name}: expected a value`)
      i++
    }
  }
}

/** The value of a flag that needs one: missing, or given with nothing after it (`--input` last). */
export function requireValue(value: unknown, flag: string): string {
  if (value === undefined) throw new UsageError(`${flag}: required`)
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag}: expected a value`)
  return value
}
