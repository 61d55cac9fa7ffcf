import { readFile, writeFile } from 'node:fs/promises'
import { createAdaptyEmulator } from '@erasekit/adapty/emulator'
import { createAltcraftEmulator } from '@erasekit/altcraft/emulator'
import { createBatchEmulator } from '@erasekit/batch/emulator'
import { createCleverTapEmulator } from '@erasekit/clevertap/emulator'
import type { EmulatorHandle, Fault } from '@erasekit/core/testing'
import { serve, type Served } from '@erasekit/core/testing/node'
import { defineCommand, type ArgsDef } from 'citty'
import { rejectUnknownFlags, requireValue } from '../args'
import { BUNDLED_NAMES } from '../config'
import { UsageError } from '../errors'
import { formatOf, readSubjects } from '../input'
import { fmt, logger, out, table } from '../ui'

const args = {
  port: { type: 'string', default: '4510', description: 'First port: adapty on it, clevertap, altcraft and batch on the next three (0: any free ports)', valueHint: 'N' },
  config: { type: 'string', default: 'erasekit.emulated.json', description: 'Config file to write, pointing at the emulators (an existing one is replaced only if emulate wrote it)', valueHint: 'FILE' },
  seed: { type: 'string', description: 'Subjects (.csv or .jsonl, as for run) to store in the emulators first, so that erasing them finds them', valueHint: 'FILE' },
  faults: { type: 'string', description: 'Faults at a rate on every emulator, e.g. rate_limit:5%,server_error:2%,drop:1% (also lost_response, slow, malformed)', valueHint: 'LIST' },
  latency: { type: 'string', description: 'Added to every response, ms', valueHint: 'MS' },
} satisfies ArgsDef

const DB_ID = 1
const APP_KEYS = { ios: 'EMULATED_IOS_APP_KEY', android: 'EMULATED_ANDROID_APP_KEY' }
/** How often the emulated Batch processes what it queued (its GDPR requests go pending → done). */
const BATCH_PROCESSING_MS = 2_000
const FAULTS: Record<string, Fault> = {
  rate_limit: { kind: 'rate_limit', retryAfterSeconds: 1 },
  server_error: { kind: 'server_error' },
  drop: { kind: 'drop' },
  lost_response: { kind: 'lost_response' },
  slow: { kind: 'slow', delayMs: 2_000 },
  malformed: { kind: 'malformed' },
}

/** `rate_limit:5%,drop:1%` as faults with their rates (0..1). */
function parseFaults(list: string): [Fault, number][] {
  return list.split(',').map((item) => {
    const match = /^\s*([a-z_]+):(\d+(?:\.\d+)?)%\s*$/.exec(item)
    const fault = match && Object.hasOwn(FAULTS, match[1]!) ? FAULTS[match[1]!]! : undefined
    if (!fault || Number(match![2]) > 100) throw new UsageError(`--faults: expected kind:percent items (${Object.keys(FAULTS).join(', ')}), e.g. rate_limit:5%,drop:1%`)
    return [fault, Number(match![2]) / 100]
  })
}

const wholeNumber = (value: string, flag: string, max: number) => {
  const number = Number(value)
  if (!/^\d+$/.test(value) || number > max) throw new UsageError(`${flag}: expected a whole number from 0 to ${fmt(max)}`)
  return number
}

/** Marks a config this command wrote: receipts of a rehearsal are not comparable with real ones anyway. */
const REHEARSAL_SALT = 'emulated-rehearsal-salt'

/** Overwriting is safe only for a config `emulate` wrote: its salt, and every provider on loopback. */
async function checkReplaceable(file: string) {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return
  }
  let config: { providers?: Record<string, { baseURL?: unknown }>; receiptSalt?: unknown } | undefined
  try {
    config = JSON.parse(text)
  } catch {}
  const providers = Object.values(config?.providers ?? {})
  const ours = config?.receiptSalt === REHEARSAL_SALT && providers.length > 0 && providers.every((options) => typeof options?.baseURL === 'string' && options.baseURL.startsWith('http://127.0.0.1:'))
  if (!ours) throw new UsageError(`--config: ${file} exists and was not written by erasekit emulate; give another file`)
}

export default defineCommand({
  meta: { name: 'emulate', description: 'Serve the four vendor emulators on loopback and write a config that points at them, for rehearsing runs' },
  args,
  async run({ args: parsed, rawArgs }) {
    rejectUnknownFlags(rawArgs, args)
    const port = wholeNumber(requireValue(parsed.port, '--port'), '--port', 65_532)
    const latencyMs = parsed.latency === undefined ? undefined : wholeNumber(requireValue(parsed.latency, '--latency'), '--latency', 60_000)
    const faults = parsed.faults === undefined ? [] : parseFaults(requireValue(parsed.faults, '--faults'))
    const configFile = requireValue(parsed.config, '--config')
    const seedFile = parsed.seed === undefined ? undefined : requireValue(parsed.seed, '--seed')
    const seedFormat = seedFile === undefined ? undefined : formatOf(seedFile)
    if (seedFile && !seedFormat) throw new UsageError(`--seed: expected a .csv or .jsonl file, got ${seedFile}`)
    await checkReplaceable(configFile)

    const emulators = {
      adapty: createAdaptyEmulator({ latencyMs }),
      clevertap: createCleverTapEmulator({ latencyMs }),
      altcraft: createAltcraftEmulator({ latencyMs }),
      batch: createBatchEmulator({ appKeys: Object.values(APP_KEYS), latencyMs }),
    }

    let seeded = 0
    if (seedFile) {
      try {
        for await (const { subject } of readSubjects(seedFile, seedFormat!, { providers: BUNDLED_NAMES, warn: () => {} })) {
          if (!subject) continue
          const { userId, email, phone, ids = {} } = subject
          if (userId || ids.adapty) emulators.adapty.store.add({ customerUserId: userId ?? null, ...(ids.adapty ? { profileId: ids.adapty } : {}) })
          if (userId || ids.clevertap) emulators.clevertap.store.add({ ...(userId ? { identity: userId } : {}), ...(ids.clevertap ? { guid: ids.clevertap } : {}) })
          if (email || phone || ids.altcraft) emulators.altcraft.store.add(DB_ID, { email, phone, ...(ids.altcraft ? { profile_id: ids.altcraft } : {}) })
          if (userId) for (const key of Object.values(APP_KEYS)) emulators.batch.store.add(key, userId)
          seeded++
        }
      } catch (error) {
        if (error instanceof UsageError) throw error
        throw new UsageError(`--seed: cannot read ${seedFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
      }
    }
    for (const emulator of Object.values(emulators) as EmulatorHandle[]) for (const [fault, rate] of faults) emulator.inject(fault, { rate })

    const servers: Partial<Record<keyof typeof emulators, Served>> = {}
    try {
      for (const [index, name] of (['adapty', 'clevertap', 'altcraft', 'batch'] as const).entries()) {
        servers[name] = await serve(emulators[name], { port: port && port + index, cors: false })
      }
    } catch (error) {
      await Promise.all(Object.values(servers).map((server) => server.close()))
      throw new UsageError(`--port: cannot listen on ${port}-${port + 3} (${(error as NodeJS.ErrnoException).code ?? 'error'}); give another, or 0 for any free ports`)
    }
    const url = (name: keyof typeof emulators) => servers[name]!.url
    // The emulators' own credentials: made up, known to anyone, useless anywhere else.
    const config = {
      providers: {
        adapty: { apiKey: emulators.adapty.apiKey, baseURL: url('adapty') },
        clevertap: { accountId: emulators.clevertap.accountId, passcode: emulators.clevertap.passcode, baseURL: url('clevertap') },
        altcraft: { baseURL: url('altcraft'), token: emulators.altcraft.token, dbId: DB_ID },
        batch: { restKey: emulators.batch.restKey, appKeys: APP_KEYS, baseURL: url('batch'), mode: 'gdpr' },
      },
      receiptSalt: REHEARSAL_SALT,
    }
    try {
      await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`)
    } catch (error) {
      await Promise.all(Object.values(servers).map((server) => server.close()))
      throw new UsageError(`--config: cannot write ${configFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
    }

    out(table(['provider', 'url'], Object.keys(emulators).map((name) => [name, url(name as keyof typeof emulators)])))
    out()
    if (seedFile) logger.info(`stored ${fmt(seeded)} subjects from ${seedFile} in every emulator that can hold them`)
    if (faults.length) logger.info(`faults on every emulator: ${requireValue(parsed.faults, '--faults')}`)
    logger.ready(
      `emulators up; config written to ${configFile}. In another terminal:\n  erasekit run --config ${configFile} --input <subjects.csv> --journal rehearsal.journal --receipts rehearsal.jsonl\n` +
        `Batch completes its GDPR requests every ${BATCH_PROCESSING_MS / 1000} s: then erasekit follow-up --config ${configFile} --receipts rehearsal.jsonl\nCtrl-C stops them.`,
    )

    // Batch's asynchronous side (pending → done), so a rehearsal can follow its requests up.
    const processing = setInterval(() => emulators.batch.store.process(), BATCH_PROCESSING_MS)
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    clearInterval(processing)
    await Promise.all(Object.values(servers).map((server) => server.close()))
    const counts = (emulator: EmulatorHandle) => {
      const statuses = new Map<string, number>()
      for (const { status, fault } of emulator.requests) {
        const key = fault ? `${fault}` : String(status ?? '-')
        statuses.set(key, (statuses.get(key) ?? 0) + 1)
      }
      return [...statuses].map(([key, count]) => `${key} × ${fmt(count)}`).join(', ') || 'none'
    }
    out()
    out(table(['provider', 'requests', 'answers'], Object.entries(emulators).map(([name, emulator]) => [name, fmt(emulator.requests.length), counts(emulator)])))
    logger.info('emulators stopped')
  },
})
