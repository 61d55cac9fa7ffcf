// The core's provider conformance suite, run against the CleverTap emulator.
import { describeProviderConformance } from '@erasekit/core/testing'
import { describe, it } from 'vitest'
import { createCleverTapEmulator, type CleverTapEmulator } from '../src/emulator'
import { clevertap, type CleverTapOptions } from '../src/index'

const ACCOUNT = 'CONF-ACCOUNT-01'
const PASSCODE = 'CONF-PASSCODE-01'

describeProviderConformance<CleverTapEmulator>(
  'clevertap',
  {
    emulator: () => createCleverTapEmulator({ accountId: ACCOUNT, passcode: PASSCODE }),
    provider: (overrides) => clevertap({ accountId: ACCOUNT, passcode: PASSCODE, ...overrides }),
    providerWithBadCredentials: (overrides) => clevertap({ accountId: ACCOUNT, passcode: 'CONF-WRONG-PASS', ...overrides }),
    seed: (emulator, index, id = `conf-user-${index}`) => {
      emulator.store.add({ identity: id })
      return { ref: `ref-${index}`, userId: id }
    },
    successStatus: 'accepted',
    // Undocumented; the call only marks profiles, so success is the expected answer (low confidence).
    unknownSubject: { subject: { userId: 'conf-nobody' }, status: 'accepted' },
    unusableSubject: { email: 'only-email@example.com' },
    invalidOptions: [
      { build: () => clevertap({ passcode: PASSCODE } as CleverTapOptions), field: 'options.accountId' },
      { build: () => clevertap({ accountId: ACCOUNT, passcode: 'CONF PASS' }), field: 'options.passcode', value: 'CONF PASS' },
      { build: () => clevertap({ accountId: ACCOUNT, passcode: PASSCODE, region: 'xx9' as 'eu1' }), field: 'options.region', value: 'xx9' },
      { build: () => clevertap({ accountId: ACCOUNT, passcode: PASSCODE, identityFrom: 'ssn' as 'userId' }), field: 'options.identityFrom', value: 'ssn' },
    ],
    secrets: [ACCOUNT, PASSCODE, 'CONF-WRONG-PASS'],
    batchSize: 100,
    identifiersIn: (request) => {
      const body = request.body as { identity?: string[]; guid?: string[] }
      return (body.identity ?? body.guid ?? []).length
    },
  },
  { describe, it },
)
