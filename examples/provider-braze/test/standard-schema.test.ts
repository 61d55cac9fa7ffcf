/**
 * A third-party provider brings its own schema library: the core takes any Standard Schema v1.
 * This package uses valibot directly (its own dependency); the core reads valibot's issues the
 * way it reads its own checker's: the field is named, a missing key is "required", a strict object's unknown key "unknown field".
 */
import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { defineProvider, ErasureError, parseProviderOptions } from '@erasekit/core'

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

describe('valibot schemas through Standard Schema', () => {
  const schema = v.object({
    apiKey: v.pipe(v.string('expected a string'), v.minLength(4, 'expected 4 characters or more')),
    region: v.optional(v.object({ name: v.picklist(['eu', 'us'], 'expected eu or us') })),
  })

  it('are accepted by parseProviderOptions: typed output, fields named, values never quoted', () => {
    const parsed: { apiKey: string; region?: { name: 'eu' | 'us' } } = parseProviderOptions('braze', schema, { apiKey: 'abcd', region: { name: 'eu' } })
    expect(parsed).toEqual({ apiKey: 'abcd', region: { name: 'eu' } })
    expect(fails(() => parseProviderOptions('braze', schema, { apiKey: 'SEC' }))).toBe('[erasekit] [braze] options.apiKey: expected 4 characters or more')
    expect(fails(() => parseProviderOptions('braze', schema, {}))).toBe('[erasekit] [braze] options.apiKey: required')
    expect(fails(() => parseProviderOptions('braze', schema, { apiKey: 'abcd', region: { name: 'SECRET' } }))).toBe('[erasekit] [braze] options.region.name: expected eu or us')
  })

  it('a strict object\'s unknown key reads "unknown field", not "required"', () => {
    const strict = v.strictObject({ apiKey: v.string('expected a string') })
    expect(fails(() => parseProviderOptions('braze', strict, { apiKey: 'abcd', apikey: 'abcd' }))).toBe('[erasekit] [braze] options.apikey: unknown field')
    expect(fails(() => parseProviderOptions('braze', strict, {}))).toBe('[erasekit] [braze] options.apiKey: required')
    // A missing key whose name holds "never" is still missing.
    expect(fails(() => parseProviderOptions('braze', v.strictObject({ neverExpire: v.boolean('expected a boolean') }), {}))).toBe('[erasekit] [braze] options.neverExpire: required')
  })

  it('are accepted as defineProvider({ schema })', () => {
    const build = (options: object) =>
      defineProvider({ name: 'braze', specificationVersion: 1, options, schema, baseURL: 'https://rest.iad-01.braze.com', match: () => undefined, erase: async () => [] })
    expect(build({ apiKey: 'abcd' }).name).toBe('braze')
    expect(fails(() => build({ apiKey: 5 }))).toBe('[erasekit] [braze] options.apiKey: expected a string')
  })

  it('an async valibot schema is refused: provider factories are synchronous', () => {
    const remote = v.objectAsync({ apiKey: v.pipeAsync(v.string(), v.checkAsync(async () => true, 'rejected by the server')) })
    expect(fails(() => parseProviderOptions('braze', remote, { apiKey: 'abcd' }))).toBe(
      '[erasekit] [braze] options: the schema is asynchronous; options are checked synchronously, when the factory is called',
    )
  })
})
