/** buildConfig's refusals that must never quote a secret. */
import { describe, expect, test } from 'vitest'
import { buildConfig } from '../src/config'

const SECRET = 'secret_live_REALKEY_777'
describe('buildConfig', () => {
  test.each([
    ['the value of another variable ({ env: process.env.KEY })', SECRET],
    ['a vault\'s value', 'k9F2xQ7vLm3Rt8Wz'],
    ['a Batch app key', 'DEV61C7AC1E2F8C4E1B2F0E5E1A2F7E8E9'],
  ])('a secret where the variable name goes (%s) is never printed: the message points at the field', (_, value) => {
    const built = buildConfig({ providers: { adapty: { apiKey: { env: value } } } }, { file: 'c.ts', env: { MY_ADAPTY_KEY: SECRET } })
    expect(built.problems).toEqual([
      'providers.adapty.apiKey: environment variable named at providers.adapty.apiKey.env is not set',
    ])
    const salted = () => buildConfig({ providers: { adapty: { apiKey: { env: 'MY_ADAPTY_KEY' } } }, receiptSalt: { env: value } }, { file: 'c.ts', env: { MY_ADAPTY_KEY: SECRET } })
    expect(salted).toThrow(/receiptSalt: environment variable named at receiptSalt\.env/)
    expect(salted).not.toThrow(value)
  })

  test("an upper-case secret shaped like a variable name is not printed when it is another variable's value", () => {
    const built = buildConfig({ providers: { adapty: { apiKey: { env: 'SK_LIVE_ABC123XYZ' } } } }, { file: 'c.ts', env: { ADAPTY_KEY: 'SK_LIVE_ABC123XYZ' } })
    expect(built.problems).toEqual(['providers.adapty.apiKey: environment variable named at providers.adapty.apiKey.env is not set'])
  })

  test('a variable that is simply not set is named: that name is what the operator must set', () => {
    const built = buildConfig({ providers: { adapty: { apiKey: { env: 'ADAPTY_API_KEY' } } } }, { file: 'c.ts', env: {} })
    expect(built.problems).toEqual(['providers.adapty.apiKey: environment variable ADAPTY_API_KEY is not set'])
  })
})
