/**
 * The third-party provider erasing through createEraser beside bundled ones (Adapty, CleverTap):
 * in process, and over real loopback HTTP with serve().
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createEraser } from '@erasekit/core'
import { serve, type Served } from '@erasekit/core/testing/node'
import { adapty } from '@erasekit/adapty'
import { createAdaptyEmulator } from '@erasekit/adapty/emulator'
import { clevertap } from '@erasekit/clevertap'
import { createCleverTapEmulator } from '@erasekit/clevertap/emulator'
import { braze } from 'erasekit-provider-braze'
import { createBrazeEmulator } from 'erasekit-provider-braze/emulator'

const servers: Served[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

describe('braze beside the bundled providers', () => {
  it('one erase() reaches Adapty and Braze; one outcome each, no secret in the report', async () => {
    const adaptyEmulator = createAdaptyEmulator()
    const brazeEmulator = createBrazeEmulator()
    adaptyEmulator.store.add({ customerUserId: 'user-77' })
    brazeEmulator.store.add({ externalId: 'user-77' })
    const eraser = createEraser({
      providers: [
        adapty({ apiKey: adaptyEmulator.apiKey, fetch: adaptyEmulator.fetch }),
        braze({ apiKey: brazeEmulator.apiKey, instance: 'US-01', fetch: brazeEmulator.fetch }),
      ],
    })
    expect(eraser.providers).toEqual(['adapty', 'braze'])
    const report = await eraser.erase({ ref: 'ticket-1', userId: 'user-77' })
    expect(report.ok).toBe(true)
    expect(report.outcomes.map(({ provider, status }) => ({ provider, status }))).toEqual([
      { provider: 'adapty', status: 'deleted' },
      { provider: 'braze', status: 'accepted' },
    ])
    expect(adaptyEmulator.store.has({ customerUserId: 'user-77' })).toBe(false)
    expect(brazeEmulator.store.has({ externalId: 'user-77' })).toBe(false)
    const text = JSON.stringify(report)
    for (const value of ['user-77', adaptyEmulator.apiKey, brazeEmulator.apiKey]) expect(text).not.toContain(value)
  })

  // #region serve
  it('over loopback HTTP: each emulator behind serve(), providers pointed at it with baseURL', async () => {
    const brazeEmulator = createBrazeEmulator()
    const adaptyEmulator = createAdaptyEmulator()
    const clevertapEmulator = createCleverTapEmulator()
    const [brazeServer, adaptyServer, clevertapServer] = await Promise.all([serve(brazeEmulator), serve(adaptyEmulator), serve(clevertapEmulator)])
    servers.push(brazeServer, adaptyServer, clevertapServer)
    brazeEmulator.store.add({ externalId: 'user-88' })
    adaptyEmulator.store.add({ customerUserId: 'user-88' })

    const eraser = createEraser({
      providers: [
        braze({ apiKey: brazeEmulator.apiKey, baseURL: brazeServer.url }),
        adapty({ apiKey: adaptyEmulator.apiKey, baseURL: adaptyServer.url }),
        clevertap({ accountId: clevertapEmulator.accountId, passcode: clevertapEmulator.passcode, baseURL: clevertapServer.url }),
      ],
    })
    const report = await eraser.erase({ ref: 'ticket-2', userId: 'user-88' })
    expect(report.ok).toBe(true)
    expect(Object.fromEntries(report.outcomes.map((outcome) => [outcome.provider, outcome.status]))).toEqual({
      braze: 'accepted',
      adapty: 'deleted',
      clevertap: 'accepted',
    })
    expect(brazeEmulator.store.has({ externalId: 'user-88' })).toBe(false)
  })
  // #endregion serve

  it('eraseMany batches Braze by 50 while Adapty goes one by one', async () => {
    const adaptyEmulator = createAdaptyEmulator()
    const brazeEmulator = createBrazeEmulator()
    const subjects = Array.from({ length: 120 }, (_, i) => ({ ref: `r${i}`, userId: `bulk-${i}` }))
    for (const { userId } of subjects) {
      adaptyEmulator.store.add({ customerUserId: userId })
      brazeEmulator.store.add({ externalId: userId })
    }
    const eraser = createEraser({
      providers: [
        adapty({ apiKey: adaptyEmulator.apiKey, fetch: adaptyEmulator.fetch }),
        braze({ apiKey: brazeEmulator.apiKey, instance: 'EU-01', fetch: brazeEmulator.fetch }),
      ],
    })
    let reports = 0
    for await (const report of eraser.eraseMany(subjects)) {
      expect(report.ok).toBe(true)
      reports++
    }
    expect(reports).toBe(120)
    expect(adaptyEmulator.requests).toHaveLength(120)
    const sizes = brazeEmulator.requests.map((request) => (request.body as { external_ids: string[] }).external_ids.length)
    expect(sizes.every((size) => size <= 50)).toBe(true)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(120)
    expect(brazeEmulator.store.size).toBe(0)
  })
})
