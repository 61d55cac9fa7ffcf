// The core's provider conformance suite, run against the Batch emulator in both modes.
import { describe, it } from 'vitest'
import { describeProviderConformance, type LoggedRequest } from '@erasekit/core/testing'
import { batch, type BatchOptions } from '@erasekit/batch'
import { createBatchEmulator, type BatchEmulator } from '@erasekit/batch/emulator'

const REST = 'CONF-REST-KEY-01'
const IOS = 'CONF-IOS-APP-KEY'
const ANDROID = 'CONF-ANDROID-APP-KEY'
const appKeys = { ios: IOS, android: ANDROID }

for (const mode of ['custom_data', 'gdpr'] as const) {
  const build = (options: Partial<BatchOptions>) => () => batch({ restKey: REST, appKeys, mode, ...options } as BatchOptions)
  describeProviderConformance<BatchEmulator>(
    `batch (${mode})`,
    {
      emulator: () => createBatchEmulator({ restKey: REST, appKeys: [IOS, ANDROID] }),
      provider: (overrides) => batch({ restKey: REST, appKeys, mode, ...overrides }),
      providerWithBadCredentials: (overrides) => batch({ restKey: 'CONF-WRONG-REST', appKeys, mode, ...overrides }),
      seed: (emulator, index, id = `conf-user-${index}`) => {
        emulator.store.add(IOS, id, { n: index })
        emulator.store.add(ANDROID, id, { n: index })
        return { ref: `ref-${index}`, userId: id }
      },
      successStatus: 'accepted',
      // Undocumented: Batch queues the job either way (custom data: token; GDPR: ends with "user not found").
      unknownSubject: { subject: { userId: 'conf-nobody' }, status: 'accepted' },
      unusableSubject: { email: 'only-email@example.com' },
      invalidOptions: [
        { build: build({ restKey: '' }), field: 'options.restKey' },
        { build: build({ appKeys: {} }), field: 'options.appKeys' },
        { build: build({ appKeys: { 'bad label': 'CONF-VALUE-1' } }), field: 'options.appKeys', value: 'CONF-VALUE-1' },
        { build: build({ mode: 'CONF-MODE' as 'gdpr' }), field: 'options.mode', value: 'CONF-MODE' },
        { build: build({ customIdFrom: 'ssn' as 'userId' }), field: 'options.customIdFrom', value: 'ssn' },
        { build: build({ callbackUrl: 'http://CONF-HOST.example/cb' }), field: 'options.callbackUrl', value: 'CONF-HOST' },
      ],
      secrets: [REST, IOS, ANDROID, 'CONF-WRONG-REST'],
      batchSize: mode === 'gdpr' ? 1 : 10_000,
      identifiersIn: (request: LoggedRequest) => (Array.isArray(request.body) ? request.body.length : 1),
      // Every 2xx to a GDPR POST filed a request: sending it again would file another.
      malformedSuccess: mode === 'gdpr' ? 'final' : 'retried',
    },
    { describe, it },
  )
}
