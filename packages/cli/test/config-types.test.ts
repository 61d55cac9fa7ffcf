// Type-level: `pnpm typecheck` fails when a @ts-expect-error line stops being an error.
import { defineProvider } from '@erasekit/core'
import { expect, test } from 'vitest'
import { defineConfig, type Config } from '../src/config'

const braze = defineProvider({
  name: 'braze',
  specificationVersion: 1,
  options: {},
  baseURL: 'https://rest.iad-01.braze.com',
  secrets: [],
  limits: { batchSize: 50, concurrency: 2 },
  match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
  erase: async (identifiers) => identifiers.map(() => ({ status: 'accepted' as const })),
})

test('defineConfig: bundled options checked, a third-party provider object taken, a misspelt name refused', () => {
  const config = defineConfig({
    providers: { adapty: { apiKey: { env: 'ADAPTY_API_KEY' } }, clevertap: { accountId: 'A', passcode: { env: 'P' }, region: 'in1' }, braze },
    timeout: 5_000,
  })
  // @ts-expect-error a misspelt provider name holds options, not a provider object
  defineConfig({ providers: { adapti: { apiKey: { env: 'ADAPTY_API_KEY' } } } })
  // @ts-expect-error a misspelt option of a bundled provider
  defineConfig({ providers: { adapty: { apikey: { env: 'ADAPTY_API_KEY' } } } })
  // @ts-expect-error a misspelt optional option of a bundled provider
  defineConfig({ providers: { clevertap: { accountId: 'A', passcode: 'P', regoin: 'in1' } } })
  // @ts-expect-error a misspelt optional option beside a third-party provider
  defineConfig({ providers: { batch: { restKey: 'r', appKeys: { ios: 'k' }, mdoe: 'gdpr' }, braze } })
  // @ts-expect-error a region that does not exist
  defineConfig({ providers: { clevertap: { accountId: 'A', passcode: 'P', region: 'eu2' } } })
  // A third-party provider object with a key of its own, as the loader takes it.
  defineConfig({ providers: { braze: { ...braze, note: 'eu instance' } } })
  // A config built elsewhere and typed Config is still taken.
  const base: Config = { providers: { adapty: { apiKey: 'k' } } }
  expect(defineConfig(base)).toBe(base)
  expect(Object.keys(config.providers)).toEqual(['adapty', 'clevertap', 'braze'])
})
