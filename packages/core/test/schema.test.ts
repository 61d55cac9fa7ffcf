/**
 * The option checker of `@erasekit/core/schema` (object, optional, record, array, pipe, is, ...)
 * and how the core reads any Standard Schema: the field is named, the value never quoted.
 */
import { describe, expect, it } from 'vitest'
import { defineProvider, ErasureError, parseProviderOptions } from '@erasekit/core'
import * as v from '@erasekit/core/schema'

const fails = (fn: () => unknown): string => {
  try {
    fn()
  } catch (error) {
    if (!ErasureError.isInstance(error)) throw error
    expect(error.code).toBe('invalid_config')
    return error.message
  }
  throw new Error('expected an ErasureError')
}

const schema = v.object({
  token: v.pipe(v.text(), v.regex(/^[a-z]+$/, 'expected lower-case letters')),
  mode: v.optional(v.oneOf(['a', 'b'], 'expected a or b')),
  nested: v.optional(v.object({ size: v.positiveInt(), deeper: v.optional(v.object({ flag: v.is<boolean>((value) => typeof value === 'boolean', 'expected a boolean') })) })),
  labels: v.optional(v.record(v.text(), 'expected { label: value }')),
  list: v.optional(v.array(v.oneOf(['x', 'y'], 'expected x or y'), 'expected an array')),
})
const parse = (options: unknown) => parseProviderOptions('demo', schema, options)

describe('@erasekit/core/schema', () => {
  it('names the field and never quotes the value', () => {
    expect(fails(() => parse({ token: 'SECRET VALUE' }))).toBe('[erasekit] [demo] options.token: expected lower-case letters')
    expect(fails(() => parse({ token: 42 }))).toBe('[erasekit] [demo] options.token: expected a non-empty string')
    expect(fails(() => parse({ token: 'ok', mode: 'SECRET' }))).toBe('[erasekit] [demo] options.mode: expected a or b')
  })

  it('a missing key is "required"; undefined is checked as a value; an optional key may be absent or undefined', () => {
    expect(fails(() => parse({}))).toBe('[erasekit] [demo] options.token: required')
    expect(fails(() => parse({ token: undefined }))).toBe('[erasekit] [demo] options.token: expected a non-empty string')
    expect(parse({ token: 'ok', mode: undefined })).toEqual({ token: 'ok', mode: undefined })
  })

  it('names nested fields, record keys and array indexes', () => {
    expect(fails(() => parse({ token: 'ok', nested: 5 }))).toBe('[erasekit] [demo] options.nested: expected an object')
    expect(fails(() => parse({ token: 'ok', nested: {} }))).toBe('[erasekit] [demo] options.nested.size: required')
    expect(fails(() => parse({ token: 'ok', nested: { size: 1, deeper: { flag: 'SECRET' } } }))).toBe('[erasekit] [demo] options.nested.deeper.flag: expected a boolean')
    expect(fails(() => parse({ token: 'ok', labels: { ios: 'k', web: '' } }))).toBe('[erasekit] [demo] options.labels.web: expected a non-empty string')
    expect(fails(() => parse({ token: 'ok', labels: 'SECRET' }))).toBe('[erasekit] [demo] options.labels: expected { label: value }')
    expect(fails(() => parse({ token: 'ok', list: ['x', 'SECRET'] }))).toBe('[erasekit] [demo] options.list.1: expected x or y')
    expect(fails(() => parse({ token: 'ok', list: 'x' }))).toBe('[erasekit] [demo] options.list: expected an array')
  })

  it('an object message covers a non-object; a missing key is required, unless a function message says otherwise', () => {
    const pair = v.object({ a: v.text(), b: v.text() }, 'expected { a, b }')
    expect(fails(() => parseProviderOptions('demo', v.object({ pair }), { pair: 5 }))).toBe('[erasekit] [demo] options.pair: expected { a, b }')
    expect(fails(() => parseProviderOptions('demo', v.object({ pair }), { pair: {} }))).toBe('[erasekit] [demo] options.pair.a: required')
    const hinted = v.object({ url: v.text('expected a URL'), key: v.text() }, (key) => (key === 'url' ? 'required: the URL of your instance' : 'required'))
    expect(fails(() => parseProviderOptions('demo', hinted, { key: 'k' }))).toBe('[erasekit] [demo] options.url: required: the URL of your instance')
    expect(fails(() => parseProviderOptions('demo', hinted, { url: 'u' }))).toBe('[erasekit] [demo] options.key: required')
  })
  it('reports the first problem in key order, depth first', () => {
    expect(fails(() => parse({ nested: { size: 0 }, mode: 'c' }))).toBe('[erasekit] [demo] options.token: required')
    expect(fails(() => parse({ token: 'ok', mode: 'c', nested: { size: 0 } }))).toBe('[erasekit] [demo] options.mode: expected a or b')
  })

  it('refuses an unknown key (a typo would fall back to a default), naming it only when it misspells a field', () => {
    expect(fails(() => parse({ token: 'ok', Mode: 'a' }))).toBe(
      '[erasekit] [demo] options.Mode: unknown field (expected token, mode, nested, labels, list, baseURL, fetch, retry, timeout or limits)',
    )
    expect(fails(() => parse({ token: 'ok', nested: { size: 2, sise: 3 } }))).toBe('[erasekit] [demo] options.nested.sise: unknown field (expected size or deeper)')
    expect(fails(() => parse({ token: 'ok', 'jane@example.com': 1 }))).toBe(
      '[erasekit] [demo] options: unknown field (expected token, mode, nested, labels, list, baseURL, fetch, retry, timeout or limits)',
    )
    // Undefined is no value; the common options belong to every provider.
    expect(parse({ token: 'ok', extra: undefined, timeout: 5, retry: { limit: 1 } })).toMatchObject({ token: 'ok' })
    expect(fails(() => parse({ token: 'ok', retry: { limt: 1 } }))).toMatch(/options\.retry\.limt: unknown field \(expected limit, /)
    // A secret pasted where a field name goes, or any key far from every field, is not named.
    for (const key of ['sk_live_abc123', 'toke2', 'secretvalue']) expect(fails(() => parse({ token: 'ok', [key]: 1 }))).toMatch(/^\[erasekit\] \[demo\] options: unknown field/)
  })

  it('misspells: a plain name one edit from a name, letter case aside (two from six letters up)', () => {
    expect(v.misspells('userID', ['userId'])).toBe(true)
    expect(v.misspells('e-mail', ['email'])).toBe(true)
    expect(v.misspells('apikey', ['token', 'apiKey'])).toBe(true)
    expect(v.misspells('usrIdd', ['userId'])).toBe(true)
    // Short names are one edit from many words, first names included.
    for (const word of ['emial', 'emily', 'ben', 'sid', 'ted', 'mial']) expect(v.misspells(word, ['ref', 'userId', 'email', 'phone', 'ids'])).toBe(false)
    // Not a plain name: a control character, a space, a digit in any script.
    for (const key of ['email\n', 'e mail', 'ids\uFF11', 'emai\u202E']) expect(v.misspells(key, ['email', 'ids'])).toBe(false)
    expect(v.misspells('user1d', ['userId'])).toBe(false)
    expect(v.misspells('jane@example.com', ['email'])).toBe(false)
    expect(v.misspells('u_4711', ['userId', 'ref', 'ids'])).toBe(false)
    expect(v.misspells('ref', [])).toBe(false)
  })

  it('returns a copy', () => {
    const input = { token: 'ok', nested: { size: 2 }, labels: { ios: 'k' } }
    const output = parse(input)
    expect(output).toEqual({ token: 'ok', nested: { size: 2 }, labels: { ios: 'k' } })
    expect(output.nested).not.toBe(input.nested)
    expect(output.labels).not.toBe(input.labels)
  })

  it('a record keeps every own key as data, inherits nothing, and cannot be polluted', () => {
    const labels = JSON.parse('{"__proto__": "k0", "constructor": "k1", "ios": "k2"}')
    const output = parse({ token: 'ok', labels })
    expect(Object.keys(output.labels!)).toEqual(['__proto__', 'constructor', 'ios'])
    expect(Object.values(output.labels!)).toEqual(['k0', 'k1', 'k2'])
    expect(Object.getPrototypeOf(output.labels)).toBe(null)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(fails(() => parse({ token: 'ok', labels: JSON.parse('{"__proto__": 5}') }))).toBe('[erasekit] [demo] options.labels.__proto__: expected a non-empty string')
  })

  it('object() is a Standard Schema v1: { value } or { issues: [{ message, path }] }', () => {
    const standard = schema['~standard']
    expect(standard).toMatchObject({ version: 1, vendor: 'erasekit' })
    expect(standard.validate({ token: 'ok' })).toEqual({ value: { token: 'ok' } })
    const result = standard.validate({ token: 'ok', nested: { size: -1 } }) as { issues: { message: string; path: PropertyKey[] }[] }
    expect(result.issues).toHaveLength(1)
    expect(result.issues[0]).toMatchObject({ message: 'expected a positive integer', path: ['nested', 'size'] })
  })

  it('an error thrown by a predicate is not swallowed as an issue', () => {
    const broken = v.object({ a: v.is(() => {
      throw new TypeError('bug in a predicate')
    }, 'never') })
    expect(() => broken['~standard'].validate({ a: 1 })).toThrow('bug in a predicate')
  })
})

describe('any Standard Schema', () => {
  const standard = (validate: (value: unknown) => unknown) => ({ '~standard': { version: 1 as const, vendor: 'test', validate } }) as never

  it('path items may be keys or { key } segments', () => {
    const schema = standard(() => ({ issues: [{ message: 'expected a region', path: [{ key: 'region' }, 0, 'name'] }] }))
    expect(fails(() => parseProviderOptions('demo', schema, {}))).toBe('[erasekit] [demo] options.region.0.name: expected a region')
    expect(fails(() => parseProviderOptions('demo', standard(() => ({ issues: [{ message: 'bad' }] })), {}))).toBe('[erasekit] [demo] options: bad')
  })

  it('defineProvider checks the options with the definition schema', () => {
    const definition = (options: object) =>
      defineProvider({
        name: 'demo',
        specificationVersion: 1,
        options,
        schema: v.object({ token: v.text() }),
        baseURL: 'https://api.demo.example',
        match: () => undefined,
        erase: async () => [],
      })
    expect(fails(() => definition({}))).toBe('[erasekit] [demo] options.token: required')
    expect(definition({ token: 't' }).name).toBe('demo')
  })

  it('an asynchronous schema is refused with invalid_config (factories are synchronous), and its promise is not left unhandled', async () => {
    let settled = false
    const rejecting = standard(() => Promise.reject(new Error('async failure')).finally(() => (settled = true)))
    expect(fails(() => parseProviderOptions('demo', rejecting, {}))).toBe(
      '[erasekit] [demo] options: the schema is asynchronous; options are checked synchronously, when the factory is called',
    )
    const resolving = standard(async (value) => ({ value }))
    expect(fails(() => parseProviderOptions('demo', resolving, {}))).toMatch(/options: the schema is asynchronous/)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(settled).toBe(true)
  })
})
