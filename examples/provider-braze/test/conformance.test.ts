// The core's provider conformance suite, run against this package's emulator: the same checks
// the bundled providers pass. The region below is quoted in docs/writing-a-provider.md.
// #region conformance
import { describe, it } from 'vitest'
import { describeProviderConformance } from '@erasekit/core/testing'
import { braze, type BrazeOptions } from '../src/index'
import { createBrazeEmulator, type BrazeEmulator } from '../src/emulator'

const API_KEY = 'conf-braze-rest-key-1'
const build = (options: Partial<BrazeOptions>) => () => braze({ apiKey: API_KEY, instance: 'EU-01', ...options } as BrazeOptions)

describeProviderConformance<BrazeEmulator>(
  'braze',
  {
    emulator: () => createBrazeEmulator({ apiKey: API_KEY }),
    // `overrides` carries the emulator's fetch, a fast retry policy and per-check limits.
    provider: (overrides) => braze({ apiKey: API_KEY, instance: 'EU-01', ...overrides }),
    providerWithBadCredentials: (overrides) => braze({ apiKey: 'conf-wrong-key-9', instance: 'EU-01', ...overrides }),
    seed: (emulator, index, id = `conf-user-${index}`) => {
      emulator.store.add({ externalId: id })
      return { ref: `ref-${index}`, userId: id }
    },
    // Braze queues deletions ("number of user IDs queued for deletion").
    successStatus: 'accepted',
    // Braze answers an unknown id like a known one ({ deleted: 0 }): still queued, never not_found.
    unknownSubject: { subject: { userId: 'conf-nobody' }, status: 'accepted' },
    unusableSubject: { email: 'only-email@example.com' },
    invalidOptions: [
      { build: build({ apiKey: '' }), field: 'options.apiKey' },
      { build: build({ apiKey: 'conf secret with spaces' }), field: 'options.apiKey', value: 'conf secret' },
      { build: build({ instance: 'MARS-01' as 'US-01' }), field: 'options.instance', value: 'MARS-01' },
      { build: build({ instance: undefined }), field: 'options.instance' },
      { build: build({ externalIdFrom: 'ssn' as 'userId' }), field: 'options.externalIdFrom', value: 'ssn' },
      { build: build({ alias: { label: '', from: 'email' } }), field: 'options.alias.label' },
      { build: build({ limits: { batchSize: 51 } }), field: 'options.limits.batchSize' },
      { build: build({ baseURL: 'http://braze.example.com' }), field: 'options.baseURL' },
    ],
    secrets: [API_KEY, 'conf-wrong-key-9'],
    batchSize: 50,
    // How many identifiers one logged request carried.
    identifiersIn: (request) => (request.body as { external_ids: string[] }).external_ids.length,
  },
  { describe, it },
)
// #endregion conformance
