/**
 * Shared by the runtime and example tests: the four emulators behind loopback `serve()`
 * servers, the expected outcomes, and runners for child runtimes (processes, workerd,
 * Chromium). The emulators run in the test process; every probe runs the BUILT packages
 * in its own runtime and talks to them over real HTTP.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAdaptyEmulator } from '@erasekit/adapty/emulator'
import { createAltcraftEmulator } from '@erasekit/altcraft/emulator'
import { createBatchEmulator } from '@erasekit/batch/emulator'
import { createCleverTapEmulator } from '@erasekit/clevertap/emulator'
import { serve, type Served } from '@erasekit/core/testing/node'
import { expect } from 'vitest'
// @ts-expect-error plain .mjs script without types

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const runtimesDir = join(root, 'test/runtimes')
export const tmpDir = join(root, '.tmp/runtimes')
export const bin = (name: string) => join(root, 'node_modules/.bin', name)
/**
 * Bun applies the tsconfig `paths` nearest each file it loads, and each package's tsconfig maps
 * `@erasekit/*` to its sources: a built provider would import the core's sources. An empty
 * tsconfig for the whole run keeps Bun on the built files, as a user's Bun gets them.
 */
export const bunOnBuilt = () => `--tsconfig-override=${join(tmpDir, 'tsconfig.empty.json')}`
export const CHROMIUM = '/usr/bin/chromium'
export const NODE22 = 'node@22.23.3'

const npmNodes = new Map<string, Promise<string>>()
/**
 * A Node binary from the npm registry's `node` package (`node@22.23.3`): fetched, or found in
 * the npx cache, once with `npx -p`, then run directly (npx itself costs ~5 s a call).
 */
export function npmNode(spec: string): Promise<string> {
  let binary = npmNodes.get(spec)
  if (!binary) {
    binary = run('npx', ['-y', '-p', spec, 'node', '-p', 'process.execPath'], { timeoutMs: 180_000 }).then((result) => {
      const path = result.stdout.trim().split('\n').at(-1) ?? ''
      if (result.code !== 0 || !path.startsWith('/')) throw new Error(`npx -p ${spec} failed (${result.code})\n${result.stdout}\n${result.stderr}`)
      return path
    })
    npmNodes.set(spec, binary)
  }
  return binary
}

export const node22Binary = (): Promise<string> => npmNode(NODE22)

/** Node 20: the Node running the tests when it is 20 (the machine's), else node@20 from npm. */
export const node20Binary = async (): Promise<string> => (process.versions.node.startsWith('20.') ? process.execPath : npmNode('node@20'))

/** The runtime probes import the built packages: they must exist. */
export function prepare(): void {
  mkdirSync(tmpDir, { recursive: true })
  writeFileSync(join(tmpDir, 'tsconfig.empty.json'), '{}\n')
  for (const name of ['core', 'adapty', 'clevertap', 'altcraft', 'batch']) {
    const entry = join(root, 'packages', name, 'dist/index.mjs')
    if (!existsSync(entry)) throw new Error(`${relative(root, entry)} is missing: run \`pnpm build\` first (the runtime tests use the built packages)`)
  }
}

export const SECRETS = {
  adapty: { apiKey: 'secret_live_rt.adapty-key' },
  clevertap: { accountId: 'RT-ACCOUNT-1', passcode: 'RT-PASSCODE-good' },
  altcraft: { token: 'altcraft-rt-token', dbId: 1 },
  batch: { restKey: 'BATCH_REST_RT', appKeys: { ios: 'BATCH_IOS_RT', android: 'BATCH_ANDROID_RT' } },
}
/** What the probe is given for CleverTap in the fault scenario: the emulator answers 401. */
export const WRONG_PASSCODE = 'RT-PASSCODE-wrong'

export interface World {
  urls: { adapty: string; clevertap: string; altcraft: string; batch: string }
  emulators: {
    adapty: ReturnType<typeof createAdaptyEmulator>
    clevertap: ReturnType<typeof createCleverTapEmulator>
    altcraft: ReturnType<typeof createAltcraftEmulator>
    batch: ReturnType<typeof createBatchEmulator>
  }
  subject: { ref: string; userId: string; email: string }
  /** The probe config (URLs, credentials, subject, retry policy). */
  config: Record<string, unknown>
  faults: boolean
  close(): Promise<void>
}

let worlds = 0

/**
 * Fresh emulators (so runtimes can run side by side) behind four loopback servers, one
 * subject seeded in each. With `faults` (default): Adapty answers the first request with
 * 429 + Retry-After 1 (capped to 50 ms by maxRetryAfterMs), and CleverTap gets a wrong
 * passcode (401, not retried).
 */
export async function startWorld(options: { faults?: boolean } = {}): Promise<World> {
  const faults = options.faults ?? true
  const n = ++worlds
  const subject = { ref: `rt-${n}`, userId: `u_runtime_${n}`, email: `erase.me.${n}@example.com` }
  const emulators = {
    adapty: createAdaptyEmulator({ apiKey: SECRETS.adapty.apiKey }),
    clevertap: createCleverTapEmulator({ accountId: SECRETS.clevertap.accountId, passcode: SECRETS.clevertap.passcode }),
    altcraft: createAltcraftEmulator({ token: SECRETS.altcraft.token, databases: [SECRETS.altcraft.dbId] }),
    batch: createBatchEmulator({ restKey: SECRETS.batch.restKey, appKeys: Object.values(SECRETS.batch.appKeys) }),
  }
  emulators.adapty.store.add({ customerUserId: subject.userId })
  emulators.clevertap.store.add({ identity: subject.userId })
  emulators.altcraft.store.add(SECRETS.altcraft.dbId, { email: subject.email })
  for (const appKey of Object.values(SECRETS.batch.appKeys)) emulators.batch.store.add(appKey, subject.userId, { plan: 'pro' })
  if (faults) emulators.adapty.inject({ kind: 'rate_limit', retryAfterSeconds: 1 }, { times: 1 })

  const servers: Served[] = await Promise.all([emulators.adapty, emulators.clevertap, emulators.altcraft, emulators.batch].map((emulator) => serve(emulator)))
  const [adapty, clevertap, altcraft, batch] = servers.map((server) => server.url) as [string, string, string, string]
  const urls = { adapty, clevertap, altcraft, batch }
  const credentials = faults ? { ...SECRETS, clevertap: { ...SECRETS.clevertap, passcode: WRONG_PASSCODE } } : SECRETS
  return {
    urls,
    emulators,
    subject,
    faults,
    config: { urls, credentials, subject, retry: { limit: 2, delayMs: 10, maxRetryAfterMs: 50 }, timeout: 5_000 },
    close: async () => {
      await Promise.all(servers.map((server) => server.close()))
    },
  }
}

export interface ProbeResult {
  runtime: { name: string; version: string }
  format?: string
  resolved?: Record<string, string>
  /** CJS probes: ErasureError from require() and from import() pass each other's instanceof. */
  dualInstanceof?: boolean
  dualIdentity?: boolean
  report: {
    subjectRef: string
    ok: boolean
    outcomes: { provider: string; target?: string; identifier?: { kind: string; hash: string }; status: string; attempts: number; httpStatus?: number; error?: { code: string; retryable: boolean } }[]
  }
  /** The retry hook's calls (probes only; the examples do not record them). */
  retries?: { provider: string; attempt: number; delayMs: number }[]
  elapsedMs?: number
}

/** The outcome table every runtime must produce, plus what the emulators must have seen. */
export function expectErased(result: ProbeResult, world: World, batchMode: 'custom_data' | 'gdpr' = 'custom_data'): void {
  const { report } = result
  const rows = report.outcomes
    .map((o) => ({ provider: o.target ? `${o.provider}/${o.target}` : o.provider, status: o.status, attempts: o.attempts, code: o.error?.code }))
    .sort((a, b) => a.provider.localeCompare(b.provider))
  const expected = world.faults
    ? [
        { provider: 'adapty', status: 'deleted', attempts: 2, code: undefined },
        { provider: 'altcraft', status: 'deleted', attempts: 1, code: undefined },
        { provider: 'batch/android', status: 'accepted', attempts: 1, code: undefined },
        { provider: 'batch/ios', status: 'accepted', attempts: 1, code: undefined },
        { provider: 'clevertap', status: 'failed', attempts: 1, code: 'unauthorized' },
      ]
    : [
        { provider: 'adapty', status: 'deleted', attempts: 1, code: undefined },
        { provider: 'altcraft', status: 'deleted', attempts: 1, code: undefined },
        { provider: 'batch/android', status: 'accepted', attempts: 1, code: undefined },
        { provider: 'batch/ios', status: 'accepted', attempts: 1, code: undefined },
        { provider: 'clevertap', status: 'accepted', attempts: 1, code: undefined },
      ]
  expect(rows).toEqual(expected)
  // Receipts are hashed by the runtime under test (plain-JS SHA-256): the same hex as Node's own.
  const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')
  for (const { provider, identifier } of report.outcomes) {
    expect(identifier?.hash, `${provider} receipt`).toBe(sha256(provider === 'altcraft' ? world.subject.email : world.subject.userId))
  }
  expect(report.subjectRef).toBe(world.subject.ref)
  expect(report.ok).toBe(!world.faults)

  const { adapty, clevertap, altcraft, batch } = world.emulators
  // The retry: exactly one 429 then a 204, and the Retry-After of 1 s was capped to 50 ms.
  if (world.faults) {
    if (result.retries) expect(result.retries).toEqual([{ provider: 'adapty', attempt: 1, delayMs: 50 }])
    expect(adapty.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['DELETE', '/api/v2/server-side-api/profile/', 429],
      ['DELETE', '/api/v2/server-side-api/profile/', 204],
    ])
    expect(clevertap.requests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/1/delete/profiles.json', 401]])
    expect(clevertap.store.isMarked(world.subject.userId)).toBe(false)
  } else {
    if (result.retries) expect(result.retries).toEqual([])
    expect(adapty.requests.map((r) => r.status)).toEqual([204])
    expect(clevertap.store.isMarked(world.subject.userId)).toBe(true)
  }
  expect(adapty.store.has({ customerUserId: world.subject.userId })).toBe(false)
  expect(altcraft.store.deleted).toHaveLength(1)
  expect(altcraft.requests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/api/v1.1/profiles/delete', 200]])
  // One call per app key: a Custom Data delete, or (the examples' default) a GDPR removal request.
  const gdpr = batchMode === 'gdpr'
  expect(batch.requests.map((r) => [r.method, r.status])).toEqual([
    [gdpr ? 'POST' : 'DELETE', 200],
    [gdpr ? 'POST' : 'DELETE', 200],
  ])
  const appKeys = gdpr
    ? batch.store.gdprRequests.map((request) => (expect(request).toMatchObject({ request_type: 'remove', id: { type: 'custom_id', value: world.subject.userId } }), request.appKey))
    : batch.store.deletions.map((d) => d.appKey)
  expect(appKeys.sort()).toEqual(Object.values(SECRETS.batch.appKeys).sort())

  // Receipts: no secret and no raw identifier anywhere in the report.
  const text = JSON.stringify(report)
  const secrets = [SECRETS.adapty.apiKey, SECRETS.clevertap.passcode, WRONG_PASSCODE, SECRETS.altcraft.token, SECRETS.batch.restKey, ...Object.values(SECRETS.batch.appKeys)]
  for (const value of [...secrets, world.subject.userId, world.subject.email]) expect(text).not.toContain(value)
}

/** The environment the examples read: credentials and `*_BASE_URL`s of a world. */
export function exampleEnv(world: World): Record<string, string> {
  const { credentials } = world.config as { credentials: typeof SECRETS }
  return {
    ADAPTY_API_KEY: credentials.adapty.apiKey,
    ADAPTY_BASE_URL: world.urls.adapty,
    CLEVERTAP_ACCOUNT_ID: credentials.clevertap.accountId,
    CLEVERTAP_PASSCODE: credentials.clevertap.passcode,
    CLEVERTAP_BASE_URL: world.urls.clevertap,
    ALTCRAFT_BASE_URL: world.urls.altcraft,
    ALTCRAFT_TOKEN: credentials.altcraft.token,
    ALTCRAFT_DB_ID: String(credentials.altcraft.dbId),
    BATCH_REST_KEY: credentials.batch.restKey,
    BATCH_IOS_APP_KEY: credentials.batch.appKeys.ios,
    BATCH_ANDROID_APP_KEY: credentials.batch.appKeys.android,
    BATCH_BASE_URL: world.urls.batch,
  }
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/** Runs a child process to completion (killing its process group on timeout). */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  const started = performance.now()
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.stdin.end(options.input ?? '')
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}
      reject(new Error(`${command} ${args.join(' ')} timed out after ${options.timeoutMs} ms\n${stderr}`))
    }, options.timeoutMs ?? 60_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr, ms: Math.round(performance.now() - started) })
    })
  })
}

/** Parses the last stdout line of a probe as JSON; fails with the child's output otherwise. */
export function parseProbe(result: RunResult, label: string): ProbeResult {
  const line = result.stdout.trim().split('\n').at(-1) ?? ''
  if (result.code !== 0 || !line.startsWith('{')) {
    throw new Error(`${label} exited with ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`)
  }
  return JSON.parse(line) as ProbeResult
}

/**
 * esbuild bundle of an entry that imports the packages by name, resolved to the built dist.
 * `tsconfigRaw: '{}'`: otherwise esbuild applies packages/*\/tsconfig.json "paths" (which
 * map @erasekit/* to src/ for type-checking) to the dist files too, and bundles sources.
 */
export async function bundle(entry: string, outfile: string, platform: 'browser' | 'neutral', conditions: string[]): Promise<string> {
  const esbuild = await import('esbuild')
  const { metafile } = await esbuild.build({
    tsconfigRaw: '{}',
    metafile: true,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform,
    conditions,
    mainFields: ['module', 'main'],
    target: 'es2022',
    logLevel: 'silent',
  })
  const sources = Object.keys(metafile.inputs).filter((path) => /(^|\/)packages\/[^/]+\/src\//.test(path))
  if (sources.length) throw new Error(`the ${relative(root, outfile)} bundle took package sources instead of dist: ${sources.join(', ')}`)
  return outfile
}

export const WORKER_CONDITIONS = ['workerd', 'worker', 'browser']

export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolvePromise(port))
    })
  })
}

const capnpString = (value: string) => JSON.stringify(value)

/**
 * Runs a bundled ES module worker in the raw workerd binary, with text bindings (env vars)
 * and a globalOutbound that may reach loopback (the default one refuses 127.0.0.1).
 */
export async function startWorkerd(script: string, options: { bindings?: Record<string, string>; compatibilityDate?: string } = {}) {
  const port = await freePort()
  const dir = dirname(script)
  const config = join(dir, `${script.slice(dir.length + 1).replace(/\W/g, '_')}.capnp`)
  const bindings = Object.entries(options.bindings ?? {})
    .map(([name, text]) => `(name = ${capnpString(name)}, text = ${capnpString(text)})`)
    .join(', ')
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .mainWorker),
               (name = "loopback", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed ${capnpString(relative(dir, script))}) ],
  bindings = [ ${bindings} ],
  compatibilityDate = ${capnpString(options.compatibilityDate ?? '2025-09-01')},
  globalOutbound = "loopback",
);
`,
  )
  const child = spawn(bin('workerd'), ['serve', config, '--socket-addr', `http=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const url = `http://127.0.0.1:${port}`
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {}
  }
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}\n${output}`)
    try {
      await fetch(url)
      break
    } catch {
      if (Date.now() > deadline) {
        stop()
        throw new Error(`workerd did not listen on ${url} within 20 s\n${output}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  return { url, stop, output: () => output }
}

/**
 * A throwaway project outside the repository with the packages installed the way a user gets
 * them: real directories in node_modules/@erasekit/* holding what `npm publish` ships
 * (package.json with workspace:* replaced by versions, plus the "files"), not symlinks into
 * the workspace; npm dependencies are linked from the workspace install. (The tarballs
 * themselves are checked by scripts/check-packages.mjs.) Returns its directory.
 */
export async function installPublished(name: string): Promise<string> {
  const { cpSync, mkdtempSync, readFileSync: read, realpathSync, symlinkSync, existsSync: exists } = await import('node:fs')
  // Under the run's temporary root (test/global-setup.ts), removed when the run ends even if this test is killed.
  const { inject } = await import('vitest')
  const dir = mkdtempSync(join(inject('tmpRoot'), `${name}-`))
  const dependencies: Record<string, string> = {}
  const versions: Record<string, string> = {}
  const manifests = ['core', 'adapty', 'clevertap', 'altcraft', 'batch'].map((short) => {
    const source = join(root, 'packages', short)
    const manifest = JSON.parse(read(join(source, 'package.json'), 'utf8')) as { name: string; version: string; files?: string[]; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }
    versions[manifest.name] = manifest.version
    return { source, manifest }
  })
  for (const { source, manifest } of manifests) {
    const target = join(dir, 'node_modules', manifest.name)
    mkdirSync(target, { recursive: true })
    // As pnpm publishes them: workspace:* becomes the version, workspace:^ a caret range; no dev dependencies.
    const published = (ranges: Record<string, string> = {}) =>
      Object.fromEntries(Object.entries(ranges).map(([dep, range]) => [dep, range === 'workspace:^' ? `^${versions[dep]}` : range.startsWith('workspace:') ? versions[dep]! : range]))
    const deps = published(manifest.dependencies)
    const { devDependencies: _dev, ...shipped } = manifest as typeof manifest & { devDependencies?: unknown }
    writeFileSync(join(target, 'package.json'), JSON.stringify({ ...shipped, dependencies: deps, peerDependencies: published(manifest.peerDependencies) }, null, 2))
    for (const entry of manifest.files ?? []) cpSync(join(source, entry), join(target, entry), { recursive: true })
    dependencies[manifest.name] = manifest.version
    for (const dep of Object.keys(deps)) {
      if (dep.startsWith('@erasekit/')) continue
      const link = join(dir, 'node_modules', dep)
      if (!exists(link)) {
        mkdirSync(dirname(link), { recursive: true })
        symlinkSync(realpathSync(join(source, 'node_modules', dep)), link, 'dir')
      }
    }
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `erasekit-${name}`, private: true, type: 'module', dependencies }, null, 2))
  return dir
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed (${CHROMIUM} is missing). The browser run is required, not optional: install it with\n` +
        '  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium',
    )
  }
}
