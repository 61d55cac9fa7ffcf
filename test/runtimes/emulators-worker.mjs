// workerd: the four emulators created at a Worker's global scope (where a module creates what it
// reuses; random values are not allowed there), then an erasure through their fetch, in the Worker.
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { createAdaptyEmulator } from '@erasekit/adapty/emulator'
import { clevertap } from '@erasekit/clevertap'
import { createCleverTapEmulator } from '@erasekit/clevertap/emulator'
import { altcraft } from '@erasekit/altcraft'
import { createAltcraftEmulator } from '@erasekit/altcraft/emulator'
import { batch } from '@erasekit/batch'
import { createBatchEmulator } from '@erasekit/batch/emulator'

const appKeys = { ios: 'IOS_APP_KEY_0001', android: 'ANDROID_APP_KEY_1' }
const emulators = {
  adapty: createAdaptyEmulator({ apiKey: 'secret_live_worker.key' }),
  clevertap: createCleverTapEmulator({ accountId: 'W-ACCOUNT', passcode: 'W-PASSCODE' }),
  altcraft: createAltcraftEmulator({ token: 'worker-token', databases: [1] }),
  batch: createBatchEmulator({ restKey: 'worker-rest-key', appKeys: Object.values(appKeys) }),
}

export default {
  async fetch() {
    try {
      const subject = { userId: 'cust-worker', email: 'worker@example.org' }
      emulators.adapty.store.add({ customerUserId: subject.userId })
      emulators.clevertap.store.add({ identity: subject.userId })
      emulators.altcraft.store.add(1, { email: subject.email })
      for (const appKey of Object.values(appKeys)) emulators.batch.store.add(appKey, subject.userId, { plan: 'pro' })
      const eraser = createEraser({
        providers: [
          adapty({ apiKey: 'secret_live_worker.key', fetch: emulators.adapty.fetch }),
          clevertap({ accountId: 'W-ACCOUNT', passcode: 'W-PASSCODE', fetch: emulators.clevertap.fetch }),
          altcraft({ baseURL: 'https://ru.altkraft.com', token: 'worker-token', dbId: 1, fetch: emulators.altcraft.fetch }),
          batch({ restKey: 'worker-rest-key', appKeys, fetch: emulators.batch.fetch }),
        ],
      })
      const report = await eraser.erase(subject)
      return Response.json({
        runtime: navigator.userAgent,
        outcomes: report.outcomes.map(({ provider, target, status }) => ({ provider, target, status })),
        adaptyLeft: emulators.adapty.store.has({ customerUserId: subject.userId }),
        clevertapMarked: emulators.clevertap.store.isMarked(subject.userId),
      })
    } catch (error) {
      return Response.json({ error: String(error?.stack ?? error) }, { status: 500 })
    }
  },
}
