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

  it('an object message covers a non-object and a missing key; a function message gets the key', () => {
    const pair = v.object({ a: v.text(), b: v.text() }, 'expected { a, b }')
    expect(fails(() => parseProviderOptions('demo', v.object({ pair }), { pair: {} }))).toBe('[erasekit] [demo] options.pair.a: expected { a, b }')
    const hinted = v.object({ url: v.text('expected a URL'), key: v.text() }, (key) => (key === 'url' ? 'required: the URL of your instance' : 'required'))
    expect(fails(() => parseProviderOptions('demo', hinted, { key: 'k' }))).toBe('[erasekit] [demo] options.url: required: the URL of your instance')
    expect(fails(() => parseProviderOptions('demo', hinted, { url: 'u' }))).toBe('[erasekit] [demo] options.key: required')
  })

  it('reports the first problem in key order, depth first', () => {
    expect(fails(() => parse({ nested: { size: 0 }, mode: 'c' }))).toBe('[erasekit] [demo] options.token: required')
    expect(fails(() => parse({ token: 'ok', mode: 'c', nested: { size: 0 } }))).toBe('[erasekit] [demo] options.mode: expected a or b')
  })

  it('allows unknown keys and returns a copy holding the known ones only', () => {
    const input = { token: 'ok', extra: 'x', nested: { size: 2, more: 1 }, labels: { ios: 'k' } }
    const output = parse(input)
    expect(output).toEqual({ token: 'ok', nested: { size: 2 }, labels: { ios: 'k' } })
    expect(output.nested).not.toBe(input.nested)
    expect(output.labels).not.toBe(input.labels)
  })

  it('a record skips inherited keys and never sets a prototype', () => {
    const labels = JSON.parse('{"__proto__": {"polluted": "yes"}, "ios": "k"}')
    const output = parse({ token: 'ok', labels })
    expect(output.labels).toEqual({ ios: 'k' })
    expect(Object.getPrototypeOf(output.labels)).toBe(Object.prototype)
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
