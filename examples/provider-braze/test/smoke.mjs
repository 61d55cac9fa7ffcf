// Plain Node, no test runner, no aliases: imports this package by its own name (package
// self-reference through "exports", so the BUILT dist is what runs) and @erasekit/core from
// node_modules, runs the conformance suite with runProviderConformance and prints the result.
import { createEraser } from '@erasekit/core'
import { runProviderConformance } from '@erasekit/core/testing'
import { braze } from 'erasekit-provider-braze'
import { createBrazeEmulator } from 'erasekit-provider-braze/emulator'

const apiKey = 'smoke-braze-key-1'
const result = await runProviderConformance({
  emulator: () => createBrazeEmulator({ apiKey }),
  provider: (overrides) => braze({ apiKey, instance: 'EU-01', ...overrides }),
  providerWithBadCredentials: (overrides) => braze({ apiKey: 'smoke-wrong-key', instance: 'EU-01', ...overrides }),
  seed: (emulator, index, id = `smoke-${index}`) => {
    emulator.store.add({ externalId: id })
    return { userId: id }
  },
  successStatus: 'accepted',
  unknownSubject: { subject: { userId: 'smoke-nobody' }, status: 'accepted' },
  unusableSubject: { email: 'nobody@example.com' },
  invalidOptions: [{ build: () => braze({ apiKey: '', instance: 'EU-01' }), field: 'options.apiKey' }],
  secrets: [apiKey, 'smoke-wrong-key'],
  batchSize: 50,
  identifiersIn: (request) => request.body.external_ids.length,
})

const emulator = createBrazeEmulator({ apiKey })
emulator.store.add({ externalId: 'smoke-user' })
const report = await createEraser({ providers: [braze({ apiKey, instance: 'US-01', fetch: emulator.fetch })] }).erase({ userId: 'smoke-user' })
console.log(JSON.stringify({ conformance: result, status: report.outcomes[0].status, resolved: import.meta.resolve('erasekit-provider-braze') }))
