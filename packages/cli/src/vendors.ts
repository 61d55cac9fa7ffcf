/**
 * The demo's vendor side: the four emulators, seeded and served over loopback, in a worker
 * thread so they get a CPU core of their own while the main thread runs the eraser. The main
 * thread reads their stores through `verify()`.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'

export const IOS_KEY = 'DEMO_IOS_APP_KEY'
export const ANDROID_KEY = 'DEMO_ANDROID_APP_KEY'

/** Demo person i: made-up identifiers on reserved example domains. */
export const person = (i: number) => {
  const n = String(i).padStart(6, '0')
  return { ref: `req-${n}`, userId: `user-${n}`, email: `person${n}@example.com` }
}

export interface Verification {
  /** Persons whose Adapty profile is gone. */
  adapty: number
  /** Persons whose CleverTap profile is marked for deletion. */
  clevertap: number
  /** Profiles CleverTap's deferred removal (`purge()`) then dropped. */
  purged: number
  altcraft: number
  /** Persons whose id was in a Batch deletion call, per app; and whose data was gone after `process()`. */
  iosQueued: number
  androidQueued: number
  ios: number
  android: number
  iosCalls: number
  androidCalls: number
  /** Requests each emulator received. */
  requests: Record<string, number>
}

interface Ready {
  urls: Record<'adapty' | 'clevertap' | 'altcraft' | 'batch', string>
  credentials: { adaptyKey: string; clevertapAccount: string; clevertapPasscode: string; altcraftToken: string; batchRestKey: string }
}

export async function startVendors(people: number) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { erasekitVendors: people } })
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const onError = (error: Error) => reject(error)
      worker.once('error', onError)
      worker.once('message', (message: T) => {
        worker.off('error', onError)
        resolve(message)
      })
    })
  const ready = await next<Ready>()
  return {
    ...ready,
    verify() {
      const answer = next<Verification>()
      worker.postMessage('verify')
      return answer
    },
    async close() {
      const answer = next<string>()
      worker.postMessage('close')
      await answer
      await worker.terminate()
    },
  }
}

async function vendorSide(people: number) {
  const [{ serve }, { createAdaptyEmulator }, { createCleverTapEmulator }, { createAltcraftEmulator }, { createBatchEmulator }] = await Promise.all([
    import('@erasekit/core/testing/node'),
    import('@erasekit/adapty/emulator'),
    import('@erasekit/clevertap/emulator'),
    import('@erasekit/altcraft/emulator'),
    import('@erasekit/batch/emulator'),
  ])
  const emulators = {
    adapty: createAdaptyEmulator(),
    clevertap: createCleverTapEmulator(),
    altcraft: createAltcraftEmulator(),
    batch: createBatchEmulator({ appKeys: [IOS_KEY, ANDROID_KEY] }),
  }
  const altcraftIds: string[] = new Array(people)
  for (let i = 0; i < people; i++) {
    const { userId, email } = person(i)
    emulators.adapty.store.add({ customerUserId: userId })
    emulators.clevertap.store.add({ identity: userId })
    altcraftIds[i] = emulators.altcraft.store.add(1, { email })
    emulators.batch.store.add(IOS_KEY, userId, { plan: 'pro' })
    emulators.batch.store.add(ANDROID_KEY, userId, { plan: 'free' })
  }
  const servers = {
    adapty: await serve(emulators.adapty),
    clevertap: await serve(emulators.clevertap),
    altcraft: await serve(emulators.altcraft),
    batch: await serve(emulators.batch),
  }
  const ready: Ready = {
    urls: { adapty: servers.adapty.url, clevertap: servers.clevertap.url, altcraft: servers.altcraft.url, batch: servers.batch.url },
    credentials: {
      adaptyKey: emulators.adapty.apiKey,
      clevertapAccount: emulators.clevertap.accountId,
      clevertapPasscode: emulators.clevertap.passcode,
      altcraftToken: emulators.altcraft.token,
      batchRestKey: emulators.batch.restKey,
    },
  }
  parentPort!.postMessage(ready)
  parentPort!.on('message', async (message: string) => {
    if (message === 'close') {
      await Promise.all(Object.values(servers).map((server) => server.close()))
      parentPort!.postMessage('closed')
      return
    }
    const { store } = emulators.batch
    const check: Verification = { adapty: 0, clevertap: 0, purged: 0, altcraft: 0, iosQueued: 0, androidQueued: 0, ios: 0, android: 0, iosCalls: 0, androidCalls: 0, requests: {} }
    for (const [name, emulator] of Object.entries(emulators)) check.requests[name] = emulator.requests.length
    const queued = (key: string) => new Set(store.deletions.filter((item) => item.appKey === key).flatMap((item) => item.ids))
    const iosQueued = queued(IOS_KEY)
    const androidQueued = queued(ANDROID_KEY)
    check.iosCalls = store.deletions.filter((item) => item.appKey === IOS_KEY).length
    check.androidCalls = store.deletions.filter((item) => item.appKey === ANDROID_KEY).length
    for (let i = 0; i < people; i++) {
      const { userId } = person(i)
      if (!emulators.adapty.store.has({ customerUserId: userId })) check.adapty++
      if (emulators.clevertap.store.isMarked(userId)) check.clevertap++
      if (!emulators.altcraft.store.has(1, altcraftIds[i]!)) check.altcraft++
      if (iosQueued.has(userId)) check.iosQueued++
      if (androidQueued.has(userId)) check.androidQueued++
    }
    // What the vendors do later on their own: CleverTap drops marked profiles (≤ 48 h), Batch processes its queue.
    check.purged = emulators.clevertap.store.purge()
    store.process()
    for (let i = 0; i < people; i++) {
      const { userId } = person(i)
      if (!store.has(IOS_KEY, userId)) check.ios++
      if (!store.has(ANDROID_KEY, userId)) check.android++
    }
    parentPort!.postMessage(check)
  })
}

if (!isMainThread && (workerData as { erasekitVendors?: number } | undefined)?.erasekitVendors) {
  vendorSide((workerData as { erasekitVendors: number }).erasekitVendors).catch((error) => {
    throw error
  })
}
