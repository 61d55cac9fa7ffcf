// The core's provider conformance suite, run against the Altcraft emulator.
import { describeProviderConformance } from '@erasekit/core/testing'
import { describe, it } from 'vitest'
import { type AltcraftEmulator, createAltcraftEmulator } from '../src/emulator'
import { altcraft, type AltcraftOptions } from '../src/index'

const BASE = 'https://ru.altkraft.com'
const TOKEN = 'conf-altcraft-token-01'

describeProviderConformance<AltcraftEmulator>(
  'altcraft',
  {
    emulator: () => createAltcraftEmulator({ token: TOKEN, databases: [1] }),
    provider: (overrides) => altcraft({ baseURL: BASE, token: TOKEN, dbId: 1, ...overrides }),
    providerWithBadCredentials: (overrides) => altcraft({ baseURL: BASE, token: 'conf-altcraft-wrong-02', dbId: 1, ...overrides }),
    seed: (emulator, index, id = `conf-user-${index}`) => {
      emulator.store.add(1, { email: `${id}@example.com` })
      return { ref: `ref-${index}`, email: `${id}@example.com` }
    },
    successStatus: 'deleted',
    // "Profile not found" (no documented code, read from the text): nothing to delete.
    unknownSubject: { subject: { email: 'conf-nobody@example.com' }, status: 'not_found' },
    unusableSubject: { userId: 'only-user-id' },
    invalidOptions: [
      { build: () => altcraft({ baseURL: BASE, dbId: 1 } as AltcraftOptions), field: 'options.token' },
      { build: () => altcraft({ baseURL: BASE, token: TOKEN, dbId: 0 }), field: 'options.dbId' },
      { build: () => altcraft({ baseURL: 'http://altcraft.example', token: TOKEN, dbId: 1 }), field: 'baseURL' },
    ],
    secrets: [TOKEN, 'conf-altcraft-wrong-02'],
    batchSize: 1,
  },
  { describe, it },
)
