// The core's provider conformance suite, run against the Adapty emulator.
import { describeProviderConformance } from '@erasekit/core/testing'
import { describe, it } from 'vitest'
import { createAdaptyEmulator, type AdaptyEmulator } from '../src/emulator'
import { adapty, type AdaptyOptions } from '../src/index'

const API_KEY = 'secret_live_conf.key-01'

describeProviderConformance<AdaptyEmulator>(
  'adapty',
  {
    emulator: () => createAdaptyEmulator({ apiKey: API_KEY }),
    provider: (overrides) => adapty({ apiKey: API_KEY, ...overrides }),
    providerWithBadCredentials: (overrides) => adapty({ apiKey: 'secret_live_conf.wrong-02', ...overrides }),
    seed: (emulator, index, id = `conf-user-${index}`) => {
      emulator.store.add({ customerUserId: id })
      return { ref: `ref-${index}`, userId: id }
    },
    successStatus: 'deleted',
    // 404 profile_does_not_exist (documented).
    unknownSubject: { subject: { userId: 'conf-nobody' }, status: 'not_found' },
    unusableSubject: { email: 'only-email@example.com' },
    invalidOptions: [
      { build: () => adapty({} as AdaptyOptions), field: 'options.apiKey' },
      { build: () => adapty({ apiKey: 'secret live' }), field: 'options.apiKey', value: 'secret live' },
      { build: () => adapty({ apiKey: API_KEY, apiVersion: 'v9' as 'v2' }), field: 'options.apiVersion', value: 'v9' },
    ],
    secrets: [API_KEY, 'secret_live_conf.wrong-02'],
    batchSize: 1,
  },
  { describe, it },
)
