/** buildConfig's refusals that must never quote a secret. */
import { describe, expect, test } from 'vitest'
import { buildConfig } from '../src/config'

const SECRET = 'secret_live_REALKEY_777'
const messageOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected a refusal')
}

describe('buildConfig', () => {
  test.each([
    ['a provider secret', { providers: { adapty: { apiKey: { env: SECRET } } } }, 'providers.adapty.apiKey.env'],
    ['the receipt salt', { providers: { adapty: { apiKey: { env: 'ADAPTY_API_KEY' } } }, receiptSalt: { env: SECRET } }, 'receiptSalt.env'],
  ])('{ env: process.env.KEY } for %s (the value where the name goes) is refused naming the field, never printing the value', (_, raw, field) => {
    const message = messageOf(() => buildConfig(raw, { file: 'erasekit.config.ts', env: { MY_ADAPTY_KEY: SECRET, ADAPTY_API_KEY: 'k' } }))
    expect(message).toContain(`${field}: holds the value of an environment variable, not its name`)
    expect(message).not.toContain(SECRET)
  })

  test('a variable that is simply not set is named: that name is what the operator must set', () => {
    const built = buildConfig({ providers: { adapty: { apiKey: { env: 'ADAPTY_API_KEY' } } } }, { file: 'c.ts', env: {} })
    expect(built.problems).toEqual(['providers.adapty.apiKey: environment variable ADAPTY_API_KEY is not set'])
  })
})
