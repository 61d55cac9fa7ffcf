import type { StandardSchemaV1 } from '@standard-schema/spec'
import { configError, ErasureError, type ErrorCode } from './errors'
import { ignore } from './retry'

/**
 * Parses `input` with any Standard Schema (erasekit's `object()`, valibot, zod, arktype) and
 * throws an ErasureError whose message names the field (`region`, `appKeys.ios`) but never
 * echoes the received value, which may be a secret or personal data. The schema must be
 * synchronous: factories are. `root` names the value in messages; most calls check options.
 */
export function parseOrThrow<S extends StandardSchemaV1>(
  schema: S,
  input: unknown,
  provider?: string,
  root = 'options',
  code: ErrorCode = 'invalid_config',
): StandardSchemaV1.InferOutput<S> {
  const result = schema['~standard'].validate(input)
  if ('then' in result) {
    // Nobody awaits it: a rejection must not surface as an unhandled one.
    result.then(undefined, ignore)
    throw configError(`${root}: the schema is asynchronous; options are checked synchronously, when the factory is called`, provider)
  }
  if (!result.issues) return result.value
  const issue = result.issues[0]!
  const keys = (issue.path ?? []).map((item) => (typeof item === 'object' ? item.key : item))
  const path = keys.join('.')
  // valibot words a missing key, and a strict object's unknown one ("Expected never"), its own way.
  let message = issue.message.startsWith('Invalid key:') ? (issue.message.startsWith('Invalid key: Expected never') ? 'unknown field' : 'required') : issue.message
  // Other libraries may quote the value they got (valibot: "but received 123", arktype: "(was
  // 123)"), and it may be a secret: cut from there, and remove the value itself if it is still quoted.
  if (schema['~standard'].vendor !== 'erasekit') {
    const value = keys.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], input)
    message = message.replace(/,? *(but )?received\b.*|\s*\(was\b.*/is, '')
    if (typeof value === 'string' && value.length > 2) message = message.split(value).join('***')
  }
  throw new ErasureError(code, `${path ? `${root}.${path}` : root}: ${message}`, { provider })
}

/**
 * A check: returns the value (an object: a copy holding the known keys only), or throws an
 * Issue. `optional` marks a key that may be missing or undefined.
 */
export interface Check<T = unknown> {
  (value: unknown): T
  optional?: boolean
}

/** An object check that is also a Standard Schema v1 (what `parseProviderOptions` takes). */
export interface ObjectSchema<T> extends Check<T>, StandardSchemaV1<unknown, T> {
  /** The checks by key. */
  readonly entries: Entries
  /** The message given to `object()`. */
  readonly message?: ObjectMessage
}

/** For a value that is not an object; a function is also asked (with the key) for a missing key. */
export type ObjectMessage = string | ((key?: string) => string)

export type Entries = Record<string, Check>
type Output<C> = C extends Check<infer T> ? T : never
type OptionalKeys<E extends Entries> = { [K in keyof E]: E[K] extends { optional: true } ? K : never }[keyof E]
type Shape<E extends Entries> = { [K in Exclude<keyof E, OptionalKeys<E>>]: Output<E[K]> } & { [K in OptionalKeys<E>]?: Output<E[K]> }

/** The first problem found: a Standard Schema issue. */
class Issue {
  declare readonly message: string
  declare readonly path: PropertyKey[]
  constructor(message: string, path: PropertyKey[] = []) {
    this.message = message
    this.path = path
  }
}

const fail = (message: string, path?: PropertyKey[]): never => {
  throw new Issue(message, path)
}

/** Runs `check` on the value under `key`; an issue from inside gets the key in front of its path. */
function at<T>(key: PropertyKey, check: Check<T>, value: unknown): T {
  try {
    return check(value)
  } catch (error) {
    if (error instanceof Issue) error.path.unshift(key)
    throw error
  }
}

/**
 * A check from a predicate, with a message that describes the expectation only, never the
 * value. Every other check is built on it or on `object`/`record`/`array`.
 */
export const is =
  <T>(test: (value: unknown) => boolean, message: string): Check<T> =>
  (value) =>
    test(value) ? (value as T) : fail(message)

/** The value may be missing or `undefined`; otherwise `check` applies. */
export const optional = <T>(check: Check<T>): Check<T | undefined> & { optional: true } =>
  Object.assign((value: unknown) => (value === undefined ? value : check(value)), { optional: true as const })

/** Checks in order, each on the previous one's output: the first failure is reported. */
export const pipe =
  <T>(first: Check<T>, ...then: Check<unknown>[]): Check<T> =>
  (value) =>
    then.reduce<unknown>((output, check) => check(output), first(value)) as T

/** A string matching `pattern` (after a check that it is a string, e.g. `pipe(text(), regex(...))`). */
export const regex = (pattern: RegExp, message: string): Check<string> => is((value) => pattern.test(value as string), message)

/** One of the given values (the message lists them; it never quotes the value). */
export const oneOf = <const T extends readonly unknown[]>(values: T, message: string): Check<T[number]> =>
  is((value) => values.includes(value), message)

/** A key a message may show: a plain name. A digit, `@`, a space or a control character says it may be data. */
const NAME = /^[a-z_-]{1,39}$/i

/**
 * Whether an unknown key misspells one of `names`: a plain name (letters, `_`, `-`), one edit
 * away, letter case aside (two from six letters up: a short name is one or two edits from many
 * words). Only such a key is named in a message; any other may be data: a map keyed by user id or
 * email, a key pasted where a field name goes.
 */
export function misspells(key: string, names: readonly string[]): boolean {
  const a = key.toLowerCase()
  return NAME.test(a) && names.some((name) => {
    const b = name.toLowerCase()
    // Edit distance, one row at a time.
    let row = [...Array(b.length + 1).keys()]
    for (let i = 0; i < a.length; i++) {
      const next = [i + 1]
      for (let j = 0; j < b.length; j++) next.push(Math.min(row[j + 1]! + 1, next[j]! + 1, row[j]! + +(a[i] !== b[j])))
      row = next
    }
    return row[b.length]! <= (Math.min(a.length, b.length) < 6 ? 1 : 2)
  })
}

/**
 * An object with the given keys. An unknown key with a value is an issue (a misspelt option would
 * silently fall back to its default), named when it misspells one of them. `message` is reported
 * for a value that is not an object (default `expected an object`); a missing key is `required`,
 * unless `message` is a function, which gets the key.
 */
export function object<E extends Entries>(entries: E, message?: ObjectMessage): ObjectSchema<{ [K in keyof Shape<E>]: Shape<E>[K] }> {
  const say = (key?: string) => (typeof message === 'function' ? message(key) : key ? 'required' : (message ?? 'expected an object'))
  const check = (input: unknown) => {
    if (!input || typeof input !== 'object' || Array.isArray(input)) fail(say())
    // Unknown keys first: `apikey` is reported as the typo it is, not as a missing `apiKey`.
    for (const key of Object.keys(input as object)) {
      if (!Object.hasOwn(entries, key) && (input as Record<string, unknown>)[key] !== undefined) {
        const names = Object.keys(entries)
        fail(`unknown field (expected ${names.slice(0, -1).join(', ')} or ${names.at(-1)})`, misspells(key, names) ? [key] : [])
      }
    }
    const output: Record<string, unknown> = {}
    for (const key in entries) {
      if (key in (input as object)) output[key] = at(key, entries[key]!, (input as Record<string, unknown>)[key])
      else if (!entries[key]!.optional) fail(say(key), [key])
    }
    return output
  }
  const validate = (value: unknown) => {
    try {
      return { value: check(value) }
    } catch (error) {
      if (error instanceof Issue) return { issues: [error] }
      throw error
    }
  }
  return Object.assign(check, { entries, message, '~standard': { version: 1 as const, vendor: 'erasekit', validate } }) as never
}

/**
 * An object (not an array) of any keys whose values pass `check`: a copy without a prototype, so
 * every own key is kept (`constructor` and `__proto__` included, as plain data) and none is inherited.
 */
export const record =
  <T>(check: Check<T>, message: string): Check<Record<string, T>> =>
  (input) => {
    if (!input || typeof input !== 'object' || Array.isArray(input)) fail(message)
    const output: Record<string, T> = Object.create(null)
    for (const key of Object.keys(input as object)) {
      const value = (input as Record<string, unknown>)[key]
      // Its keys are open (labels, provider names): one is in a message only when it is a plain name.
      output[key] = NAME.test(key) ? at(key, check, value) : check(value)
    }
    return output
  }

/** An array whose items pass `check` (a copy). */
export const array =
  <T>(check: Check<T>, message: string): Check<T[]> =>
  (input) =>
    Array.isArray(input) ? input.map((item, index) => at(index, check, item)) : fail(message)

export const text = (message = 'expected a non-empty string'): Check<string> => is((value) => typeof value === 'string' && value !== '', message)

/** A credential that travels in a header or URL: printable ASCII, no spaces (a stray newline from an env file fails here, not mid-run). */
export const credential = (): Check<string> => pipe(text(), regex(/^[!-~]+$/, 'expected printable ASCII without spaces'))

export const positiveInt = (message = 'expected a positive integer'): Check<number> =>
  is((value) => Number.isInteger(value) && (value as number) > 0, message)

export const nonNegative = (message = 'expected a number, 0 or more'): Check<number> => is((value) => typeof value === 'number' && value >= 0, message)
