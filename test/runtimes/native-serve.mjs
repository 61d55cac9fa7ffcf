// Bun and Deno: each emulator's fetch handed to the runtime's own server as it is
// (`Bun.serve({ fetch: emulator.fetch })`, `Deno.serve(info, emulator.fetch)`), then one subject
// erased across all four providers through those servers. Prints one JSON line.
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch } from '@erasekit/batch'
import { createAdaptyEmulator } from '@erasekit/adapty/emulator'
import { createCleverTapEmulator } from '@erasekit/clevertap/emulator'
import { createAltcraftEmulator } from '@erasekit/altcraft/emulator'
import { createBatchEmulator } from '@erasekit/batch/emulator'

const subject = { ref: 'native-1', userId: 'u_native_1', email: 'native.1@example.com' }
const emulators = {
  adapty: createAdaptyEmulator({ apiKey: 'native-adapty-key' }),
  clevertap: createCleverTapEmulator({ accountId: 'NATIVE-ACC', passcode: 'native-pass' }),
  altcraft: createAltcraftEmulator({ token: 'native-token', databases: [1] }),
  batch: createBatchEmulator({ restKey: 'native-rest', appKeys: ['native-ios'] }),
}
emulators.adapty.store.add({ customerUserId: subject.userId })
emulators.clevertap.store.add({ identity: subject.userId })
emulators.altcraft.store.add(1, { email: subject.email })
emulators.batch.store.add('native-ios', subject.userId)

const listen = (handler) => {
  if (globalThis.Bun) {
    const server = globalThis.Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler })
    return { url: `http://127.0.0.1:${server.port}`, close: () => server.stop(true) }
  }
  const server = globalThis.Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, handler)
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() }
}
const servers = Object.fromEntries(Object.entries(emulators).map(([name, emulator]) => [name, listen(emulator.fetch)]))
const eraser = createEraser({
  providers: [
    adapty({ apiKey: 'native-adapty-key', baseURL: servers.adapty.url }),
    clevertap({ accountId: 'NATIVE-ACC', passcode: 'native-pass', baseURL: servers.clevertap.url }),
    altcraft({ baseURL: servers.altcraft.url, token: 'native-token', dbId: 1 }),
    batch({ restKey: 'native-rest', appKeys: { ios: 'native-ios' }, baseURL: servers.batch.url }),
  ],
  retry: { limit: 0 },
})
const report = await eraser.erase(subject)
await Promise.all(Object.values(servers).map((server) => server.close()))
const requests = Object.fromEntries(Object.entries(emulators).map(([name, emulator]) => [name, emulator.requests.map((request) => `${request.method} ${request.path}`)]))
console.log(JSON.stringify({ outcomes: report.outcomes.map((outcome) => `${outcome.provider} ${outcome.status}`), requests }))
