/**
 * The versioned provider contract, seen from a third-party package: a provider object shaped for
 * another contract version fails createEraser with a message that says what to upgrade; the v1
 * provider this package builds runs beside the bundled ones.
 */
import { describe, expect, it } from 'vitest'
import { createEraser, createProviderContext, defineProvider, ErasureError, SPECIFICATION_VERSION, type Provider } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { createAdaptyEmulator } from '@erasekit/adapty/emulator'
import { batch } from '@erasekit/batch'
import { createBatchEmulator } from '@erasekit/batch/emulator'
import { braze } from 'erasekit-provider-braze'
import { createBrazeEmulator } from 'erasekit-provider-braze/emulator'

const KEY = 'contract-braze-key'
const current = () => braze({ apiKey: KEY, instance: 'US-01' })

function thrown(fn: () => unknown): ErasureError {
  try {
    fn()
  } catch (error) {
    if (ErasureError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected an ErasureError')
}

describe('specificationVersion', () => {
  it('this package builds providers for the contract the core implements (1)', () => {
    expect(SPECIFICATION_VERSION).toBe(1)
    expect(current().specificationVersion).toBe(1)
  })

  it('an older-shaped provider (no specificationVersion) fails createEraser, naming the provider and the fix', () => {
    // What a package written before the contract was versioned would hand over.
    const { specificationVersion: _omitted, ...legacy } = current()
    const error = thrown(() => createEraser({ providers: [legacy as unknown as Provider] }))
    expect(error.code).toBe('invalid_config')
    expect(error.provider).toBe('braze')
    // Today: "[erasekit] [braze] provider declares no specificationVersion; this @erasekit/core
    // implements provider specification 1. Upgrade the provider package or @erasekit/core."
    expect(error.message).toMatch(/^\[erasekit\] \[braze\] /)
    expect(error.message).toContain('no specificationVersion')
    expect(error.message).toContain(`provider specification ${SPECIFICATION_VERSION}`)
    expect(error.message).toMatch(/upgrade/i)
  })

  it('a provider for a future contract (2) fails createEraser the same way, before any request', () => {
    const emulator = createBrazeEmulator({ apiKey: KEY })
    const future = { ...braze({ apiKey: KEY, instance: 'US-01', fetch: emulator.fetch }), specificationVersion: 2 }
    const error = thrown(() => createEraser({ providers: [adapty({ apiKey: 'contract-adapty-key' }), future] }))
    expect(error).toMatchObject({ code: 'invalid_config', provider: 'braze' })
    expect(error.message).toContain('specificationVersion 2')
    expect(error.message).toContain(`provider specification ${SPECIFICATION_VERSION}`)
    expect(emulator.requests).toHaveLength(0)
  })

  it('defineProvider and createProviderContext check the version too', () => {
    const definition = {
      name: 'braze-next',
      specificationVersion: 2 as unknown as 1,
      options: {},
      baseURL: 'https://rest.iad-01.braze.com',
      match: () => undefined,
      erase: async () => [],
    }
    expect(thrown(() => defineProvider(definition)).message).toContain('specificationVersion 2')
    const { specificationVersion: _omitted, ...legacy } = current()
    expect(thrown(() => createProviderContext(legacy as unknown as Provider)).code).toBe('invalid_config')
  })

  it('the v1 provider from this package runs beside bundled Adapty and Batch', async () => {
    const brazeEmulator = createBrazeEmulator({ apiKey: KEY })
    const adaptyEmulator = createAdaptyEmulator()
    const batchEmulator = createBatchEmulator({ restKey: 'contract-batch-rest', appKeys: ['contract-batch-ios'] })
    brazeEmulator.store.add({ externalId: 'v1-user' })
    adaptyEmulator.store.add({ customerUserId: 'v1-user' })
    batchEmulator.store.add('contract-batch-ios', 'v1-user')
    const eraser = createEraser({
      providers: [
        braze({ apiKey: KEY, instance: 'US-01', fetch: brazeEmulator.fetch }),
        adapty({ apiKey: adaptyEmulator.apiKey, fetch: adaptyEmulator.fetch }),
        batch({ restKey: 'contract-batch-rest', appKeys: { ios: 'contract-batch-ios' }, fetch: batchEmulator.fetch }),
      ],
    })
    const report = await eraser.erase({ userId: 'v1-user' })
    expect(report.ok).toBe(true)
    expect(report.outcomes.map((outcome) => `${outcome.provider}${outcome.target ? `/${outcome.target}` : ''}:${outcome.status}`)).toEqual([
      'braze:accepted',
      'adapty:deleted',
      'batch/ios:accepted',
    ])
  })
})
