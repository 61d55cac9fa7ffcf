/// <reference path="../../../test/global-setup.ts" />
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inject } from 'vitest'
import { serve, type Served } from '@erasekit/core/testing/node'
import { createAdaptyEmulator } from '@erasekit/adapty/emulator'
import { createAltcraftEmulator } from '@erasekit/altcraft/emulator'
import { createBatchEmulator } from '@erasekit/batch/emulator'
import { createCleverTapEmulator } from '@erasekit/clevertap/emulator'

/** The built CLI, run as a user runs it. */
export const CLI = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url))

/** A new folder under the run's temporary root (test/global-setup.ts removes it when the run ends). */
export const tmp = (name: string) => mkdtempSync(join(inject('tmpRoot'), `cli-${name}-`))

export const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')

export interface Result {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout + stderr, ANSI codes removed. */
  output: string
  ms: number
}

export interface Spawned {
  child: ChildProcess
  /** Everything printed so far (both streams). */
  readonly text: string
  done: Promise<Result>
}

/**
 * Starts the CLI without blocking this process: the emulators it talks to are served from here.
 * Colours off, a non-terminal unless the command wraps it in `script`.
 */
export function start(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; command?: string[] } = {}): Spawned {
  const began = Date.now()
  const [cmd, ...pre] = options.command ?? [process.execPath, CLI]
  const child = spawn(cmd!, [...pre, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const done = new Promise<Result>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, output: stripAnsi(stdout + stderr), ms: Date.now() - began })),
  )
  return {
    child,
    get text() {
      return stripAnsi(stdout + stderr)
    },
    done,
  }
}

export const cli = (args: string[], options: Parameters<typeof start>[1] = {}) => start(args, options).done

/** Resolves once `predicate(text so far)` holds (polling), or rejects after `ms`. */
export async function waitFor(spawned: Spawned, predicate: (text: string) => boolean, ms = 30_000) {
  const until = Date.now() + ms
  while (!predicate(spawned.text)) {
    if (Date.now() > until) throw new Error(`timed out waiting; output so far:\n${spawned.text}`)
    if (spawned.child.exitCode !== null) throw new Error(`the CLI exited (${spawned.child.exitCode}) first:\n${spawned.text}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export const IOS = 'TEST_IOS_APP_KEY'
export const ANDROID = 'TEST_ANDROID_APP_KEY'

/** Test person i: the identifiers each provider matches on. */
export const person = (i: number) => ({ userId: `cust-${i}`, email: `someone${i}@example.org` })

export interface World {
  emulators: {
    adapty: ReturnType<typeof createAdaptyEmulator>
    clevertap: ReturnType<typeof createCleverTapEmulator>
    altcraft: ReturnType<typeof createAltcraftEmulator>
    batch: ReturnType<typeof createBatchEmulator>
  }
  servers: Record<'adapty' | 'clevertap' | 'altcraft' | 'batch', Served>
  /** Secrets, as the config's env references expect them. */
  env: Record<string, string>
  /** Adapty profile ids and Altcraft profile ids by person index (1-based). */
  adaptyIds: string[]
  altcraftIds: string[]
  /** Writes erasekit.config.json pointing at the servers; `patch` edits the providers object. */
  config(dir: string, patch?: (providers: Record<string, any>) => void, extra?: Record<string, unknown>): string
  clearLogs(): void
  close(): Promise<void>
}

/** The four emulators behind loopback servers, with `people` persons seeded in each (indexes 1..people). */
export async function startWorld(people: number, options: { latencyMs?: number | Partial<Record<keyof World['emulators'], number>> } = {}): Promise<World> {
  const { latencyMs = 0 } = options
  const latency = (name: keyof World['emulators']) => (typeof latencyMs === 'number' ? latencyMs : (latencyMs[name] ?? 0))
  const emulators = {
    adapty: createAdaptyEmulator({ latencyMs: latency('adapty') }),
    clevertap: createCleverTapEmulator({ latencyMs: latency('clevertap') }),
    altcraft: createAltcraftEmulator({ latencyMs: latency('altcraft') }),
    batch: createBatchEmulator({ appKeys: [IOS, ANDROID], latencyMs: latency('batch') }),
  }
  const adaptyIds: string[] = []
  const altcraftIds: string[] = []
  for (let i = 1; i <= people; i++) {
    const { userId, email } = person(i)
    adaptyIds[i] = emulators.adapty.store.add({ customerUserId: userId }).profile_id
    emulators.clevertap.store.add({ identity: userId })
    altcraftIds[i] = emulators.altcraft.store.add(1, { email })
    emulators.batch.store.add(IOS, userId)
    emulators.batch.store.add(ANDROID, userId)
  }
  const servers = {
    adapty: await serve(emulators.adapty),
    clevertap: await serve(emulators.clevertap),
    altcraft: await serve(emulators.altcraft),
    batch: await serve(emulators.batch),
  }
  const env = {
    ADAPTY_API_KEY: emulators.adapty.apiKey,
    CLEVERTAP_ACCOUNT_ID: emulators.clevertap.accountId,
    CLEVERTAP_PASSCODE: emulators.clevertap.passcode,
    ALTCRAFT_TOKEN: emulators.altcraft.token,
    BATCH_REST_KEY: emulators.batch.restKey,
    BATCH_IOS_APP_KEY: IOS,
    BATCH_ANDROID_APP_KEY: ANDROID,
  }
  return {
    emulators,
    servers,
    env,
    adaptyIds,
    altcraftIds,
    config(dir, patch, extra) {
      const providers: Record<string, any> = {
        adapty: { apiKey: { env: 'ADAPTY_API_KEY' }, baseURL: servers.adapty.url },
        clevertap: { accountId: { env: 'CLEVERTAP_ACCOUNT_ID' }, passcode: { env: 'CLEVERTAP_PASSCODE' }, baseURL: servers.clevertap.url },
        altcraft: { baseURL: servers.altcraft.url, token: { env: 'ALTCRAFT_TOKEN' }, dbId: 1 },
        batch: { restKey: { env: 'BATCH_REST_KEY' }, appKeys: { ios: { env: 'BATCH_IOS_APP_KEY' }, android: { env: 'BATCH_ANDROID_APP_KEY' } }, baseURL: servers.batch.url },
      }
      patch?.(providers)
      const file = join(dir, 'erasekit.config.json')
      writeFileSync(file, JSON.stringify({ providers, ...extra }, null, 2))
      return file
    },
    clearLogs() {
      for (const emulator of Object.values(emulators)) emulator.clearLog()
    },
    close: async () => {
      await Promise.all(Object.values(servers).map((server) => server.close()))
    },
  }
}

/** A CSV of persons `from..to` (1-based), with a ref column unless `refs` is false. */
export function csvOf(from: number, to: number, refs = true): string {
  let text = refs ? 'ref,userId,email\n' : 'userId,email\n'
  for (let i = from; i <= to; i++) {
    const { userId, email } = person(i)
    text += refs ? `dsr-${i},${userId},${email}\n` : `${userId},${email}\n`
  }
  return text
}

export type Counts = Record<'deleted' | 'accepted' | 'not_found' | 'skipped' | 'failed' | 'total', number>

/** The summary table, as printed: provider target → counts. */
export function summaryOf(output: string): Record<string, Counts> {
  const lines = stripAnsi(output).split('\n')
  const head = lines.findIndex((line) => /^\s*provider\s+deleted\s+accepted/.test(line))
  if (head === -1) throw new Error(`no summary table in:\n${output}`)
  const result: Record<string, Counts> = {}
  for (const line of lines.slice(head + 2)) {
    const cells = line.trim().split(/\s+/)
    if (cells.length !== 7) break
    const [lane, ...numbers] = cells as [string, ...string[]]
    const [deleted, accepted, not_found, skipped, failed, total] = numbers.map((value) => Number(value.replace(/,/g, '')))
    result[lane] = { deleted: deleted!, accepted: accepted!, not_found: not_found!, skipped: skipped!, failed: failed!, total: total! }
  }
  return result
}

export interface Receipt {
  provider: string
  target?: string
  subjectRef: string
  identifier?: { kind: string; hash: string }
  status: string
  reason?: string
  requestId?: string
  attempts?: number
  error?: { code: string; message: string }
}

export const receiptsOf = (file: string): Receipt[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))

/** The journal's outcome lines (each run's `saltCheck` line left out). */
export const journalOf = (file: string): Record<string, string>[] => receiptsOf(file).filter((line) => !('saltCheck' in line)) as never

export const laneOf = (receipt: Pick<Receipt, 'provider' | 'target'>) => (receipt.target ? `${receipt.provider}/${receipt.target}` : receipt.provider)

/** Receipt counts in the summary's shape. */
export function countReceipts(receipts: Receipt[]): Record<string, Counts> {
  const result: Record<string, Counts> = {}
  for (const receipt of receipts) {
    const counts = (result[laneOf(receipt)] ??= { deleted: 0, accepted: 0, not_found: 0, skipped: 0, failed: 0, total: 0 })
    counts[receipt.status as keyof Counts]++
    counts.total++
  }
  return result
}

export const LANES = ['adapty', 'clevertap', 'altcraft', 'batch/ios', 'batch/android']
export const CONFIRMED = new Set(['deleted', 'accepted', 'not_found'])
