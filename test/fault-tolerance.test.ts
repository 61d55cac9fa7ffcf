/**
 * Bulk erasure under injected faults: `eraseMany` across Adapty, CleverTap, Altcraft and Batch
 * (two app keys) against their emulators, in process (their `fetch`) and behind loopback
 * `serve()`, with 429 + Retry-After, 503, dropped connections, slow responses (some longer
 * than the per-attempt timeout) and malformed bodies at a few percent each.
 *
 * Checked every run: exactly one report per subject (count and unique refs), one outcome per
 * provider target in each report, the emulator stores agree with the outcomes, and no secret
 * or raw identifier appears in any report, progress event or hook payload.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createEraser, type EraseManyOptions, type Outcome, type Progress, type Provider, type Report } from '@erasekit/core'
import { serve, type Fault, type Served } from '@erasekit/core/testing/node'
import { adapty } from '@erasekit/adapty'
import { clevertap } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch } from '@erasekit/batch'
import { createAdaptyEmulator } from '@erasekit/adapty/emulator'
import { createCleverTapEmulator } from '@erasekit/clevertap/emulator'
import { createAltcraftEmulator } from '@erasekit/altcraft/emulator'
import { createBatchEmulator } from '@erasekit/batch/emulator'

const SECRETS = {
  adaptyKey: 'secret_live_faultkey.adapty7Q',
  clevertapAccount: 'FAULT-ACCT-9QX',
  clevertapPasscode: 'FAULT-PASS-Z7K',
  altcraftToken: 'altcraft-fault-token-4F2',
  batchRestKey: 'BATCH-REST-FAULT-81D',
  iosKey: 'BATCHIOSKEYFAULT55',
  androidKey: 'BATCHANDROIDKEYFAULT66',
}
const WRONG = { passcode: 'WRONG-PASS-3JH', androidKey: 'BATCHUNKNOWNAPPKEY77' }
const DB_ID = 7
const LANES = ['adapty', 'altcraft', 'batch/android', 'batch/ios', 'clevertap']

/** Every retry finishes in milliseconds, so thousands of faults fit in a few seconds. */
const FAST_RETRY = { delayMs: 1, maxDelayMs: 20, maxRetryAfterMs: 20, limit: 8 }
const TIMEOUT_MS = 100

/** mulberry32: a seeded random, so each emulator draws the same fault sequence every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Plan = [Fault, number][]

/** The transient mix: retried by the core, so every one of them must end in success. */
const TRANSIENT: Plan = [
  [{ kind: 'rate_limit', retryAfterSeconds: 1 }, 0.03], // Retry-After 1 s, capped to 20 ms
  [{ kind: 'server_error', status: 503 }, 0.03],
  [{ kind: 'drop' }, 0.02],
  [{ kind: 'slow', delayMs: 20 }, 0.03], // slower, still within the timeout
  [{ kind: 'slow', delayMs: TIMEOUT_MS + 50 }, 0.01], // past the per-attempt timeout
  [{ kind: 'malformed' }, 0.02],
]
/** Without slow-but-in-time responses: with retries off, every injected fault is a failure. */
const FAILING: Plan = TRANSIENT.filter(([fault]) => !(fault.kind === 'slow' && fault.delayMs < TIMEOUT_MS))

/** What each injected fault must end as when it is not retried. */
const CODE_FOR_FAULT: Record<Fault['kind'], string> = {
  rate_limit: 'rate_limited',
  server_error: 'provider_unavailable',
  drop: 'network',
  slow: 'timeout',
  malformed: 'invalid_response',
}

interface SubjectRow {
  ref: string
  userId?: string
  email: string
  ids?: { adapty?: string; clevertap?: string; altcraft?: string }
}

function createWorld(count: number, plans: { default: Plan; altcraft?: Plan }) {
  const emulators = {
    adapty: createAdaptyEmulator({ apiKey: SECRETS.adaptyKey, random: seeded(11) }),
    clevertap: createCleverTapEmulator({ accountId: SECRETS.clevertapAccount, passcode: SECRETS.clevertapPasscode, random: seeded(22) }),
    altcraft: createAltcraftEmulator({ token: SECRETS.altcraftToken, databases: [DB_ID], random: seeded(33) }),
    batch: createBatchEmulator({ restKey: SECRETS.batchRestKey, appKeys: [SECRETS.iosKey, SECRETS.androidKey], random: seeded(44) }),
  }
  for (const [name, emulator] of Object.entries(emulators)) {
    for (const [fault, rate] of name === 'altcraft' ? (plans.altcraft ?? plans.default) : plans.default) emulator.inject(fault, { rate })
  }

  // Raw identifiers all carry "rawid" (or the mail.example domain): none may surface in any output.
  const subjects: SubjectRow[] = []
  const adaptyProfileIds = new Set<string>()
  const altcraftProfileIds = new Set<string>()
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(6, '0')
    const email = `rawid-e-${n}@mail.example`
    if (i % 50 === 0) {
      // Email only: Altcraft erases it; Adapty, CleverTap and Batch have nothing to use (skipped).
      subjects.push({ ref: `ref-${n}`, email })
      emulators.altcraft.store.add(DB_ID, { email })
      continue
    }
    const subject: SubjectRow = { ref: `ref-${n}`, userId: `rawid-u-${n}`, email }
    const ids: NonNullable<SubjectRow['ids']> = {}
    // Mix the identifier kinds each provider supports.
    if (i % 5 === 0) {
      ids.adapty = emulators.adapty.store.add({ customerUserId: subject.userId }).profile_id
      adaptyProfileIds.add(ids.adapty)
    } else emulators.adapty.store.add({ customerUserId: subject.userId })
    if (i % 7 === 0) {
      ids.clevertap = `rawid-g-${n}`
      emulators.clevertap.store.add({ guid: ids.clevertap, identity: subject.userId })
    } else emulators.clevertap.store.add({ identity: subject.userId })
    if (i % 3 === 0) {
      ids.altcraft = emulators.altcraft.store.add(DB_ID, { email: `other-${email}` })
      altcraftProfileIds.add(ids.altcraft)
    } else emulators.altcraft.store.add(DB_ID, { email })
    for (const key of [SECRETS.iosKey, SECRETS.androidKey]) emulators.batch.store.add(key, subject.userId!, { plan: 'pro' })
    if (Object.keys(ids).length) subject.ids = ids
    subjects.push(subject)
  }
  return { emulators, subjects, adaptyProfileIds, altcraftProfileIds }
}

type World = ReturnType<typeof createWorld>

interface ProviderOverrides {
  baseURLs?: { adapty: string; clevertap: string; altcraft: string; batch: string }
  passcode?: string
  androidKey?: string
  /** Per-provider timeout for Altcraft (its "not found" after a lost response is not idempotent). */
  altcraftTimeout?: number
}

function providers(world: World, overrides: ProviderOverrides = {}): Provider[] {
  const { emulators } = world
  // In process: each provider talks to its emulator's fetch. Loopback: plain global fetch + baseURL.
  const via = (name: keyof typeof emulators, fallback: string) =>
    overrides.baseURLs ? { baseURL: overrides.baseURLs[name] } : { baseURL: fallback, fetch: emulators[name].fetch }
  return [
    adapty({ apiKey: SECRETS.adaptyKey, ...via('adapty', 'https://api.adapty.io') }),
    clevertap({ accountId: SECRETS.clevertapAccount, passcode: overrides.passcode ?? SECRETS.clevertapPasscode, ...via('clevertap', 'https://api.clevertap.com') }),
    altcraft({ token: SECRETS.altcraftToken, dbId: DB_ID, timeout: overrides.altcraftTimeout, ...via('altcraft', 'https://altcraft.emulator.test') }),
    batch({ restKey: SECRETS.batchRestKey, appKeys: { ios: SECRETS.iosKey, android: overrides.androidKey ?? SECRETS.androidKey }, ...via('batch', 'https://api.batch.com') }),
  ]
}

interface RunResult {
  reports: Report[]
  progress: Progress[]
  /** Every hook payload and progress event, as JSON (request contexts through their redacted toJSON). */
  emitted: string[]
  durationMs: number
}

async function run(world: World, provs: Provider[], options: { retry?: Partial<typeof FAST_RETRY>; timeout?: number; many?: EraseManyOptions } = {}): Promise<RunResult> {
  const eraser = createEraser({ providers: provs, retry: { ...FAST_RETRY, ...options.retry }, timeout: options.timeout ?? TIMEOUT_MS })
  const emitted: string[] = []
  const progress: Progress[] = []
  for (const name of ['beforeRequest', 'afterResponse', 'onError', 'retry'] as const) {
    eraser.hook(name, (ctx) => void emitted.push(JSON.stringify(ctx)))
  }
  eraser.hook('outcome', (outcome) => void emitted.push(JSON.stringify(outcome)))
  eraser.hook('report', (report) => void emitted.push(JSON.stringify(report)))
  eraser.hook('progress', (event) => void emitted.push(JSON.stringify(event)))
  const started = performance.now()
  const reports: Report[] = []
  // An async source: subjects are handed over lazily, as a queue or a database cursor would.
  async function* source() {
    for (const subject of world.subjects) yield subject
  }
  for await (const report of eraser.eraseMany(source(), {
    progressIntervalMs: 10,
    onProgress: (event) => {
      progress.push(event)
      emitted.push(JSON.stringify(event))
    },
    ...options.many,
  })) {
    reports.push(report)
  }
  return { reports, progress, emitted, durationMs: performance.now() - started }
}

const laneOf = (outcome: Outcome) => (outcome.target ? `${outcome.provider}/${outcome.target}` : outcome.provider)

/** Exactly one report per subject, each with one outcome per provider target. */
function expectAccounted(world: World, { reports, progress }: RunResult) {
  expect(reports).toHaveLength(world.subjects.length)
  const refs = new Set(reports.map((report) => report.subjectRef))
  expect(refs.size).toBe(world.subjects.length)
  expect([...refs].sort()).toEqual(world.subjects.map((subject) => subject.ref).sort())
  for (const report of reports) {
    expect(report.outcomes.map(laneOf).sort(), report.subjectRef).toEqual(LANES)
    for (const outcome of report.outcomes) expect(outcome.subjectRef).toBe(report.subjectRef)
  }
  const last = progress.at(-1)!
  expect(last).toMatchObject({ done: true, read: world.subjects.length, reported: world.subjects.length })
  for (const lane of LANES) {
    const counts = last.providers[lane]!
    expect(Object.values(counts).reduce((a, b) => a + b, 0), lane).toBe(world.subjects.length)
  }
}

/** No secret and no raw identifier anywhere in what the run emitted. */
function expectNoLeaks(world: World, result: RunResult, extraSecrets: string[] = []) {
  const text = [JSON.stringify(result.reports), JSON.stringify(result.progress), ...result.emitted].join('\n')
  expect(text.length).toBeGreaterThan(1000)
  for (const secret of [...Object.values(SECRETS), ...extraSecrets]) expect(text.includes(secret), 'a secret leaked').toBe(false)
  // userIds, emails and CleverTap guids all carry these markers.
  for (const marker of ['rawid', 'mail.example']) {
    const at = text.indexOf(marker)
    expect(at === -1 ? undefined : text.slice(Math.max(0, at - 40), at + 40), 'a raw identifier leaked').toBeUndefined()
  }
  // Adapty profile ids (UUIDs) and Altcraft profile ids used as identifiers.
  const uuids = text.match(/[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}/gi) ?? []
  expect(uuids.filter((id) => world.adaptyProfileIds.has(id)), 'an Adapty profile id leaked').toEqual([])
  const altcraftIds = text.match(/a1c0f7ed[\da-f]{16}/g) ?? []
  expect(altcraftIds.filter((id) => world.altcraftProfileIds.has(id)), 'an Altcraft profile id leaked').toEqual([])
}

/** Injected faults actually happened, on the providers that send one request per identifier. */
function faultsSeen(world: World) {
  const seen: Record<string, Record<string, number>> = {}
  for (const [name, emulator] of Object.entries(world.emulators)) {
    seen[name] = {}
    for (const entry of emulator.requests) if (entry.fault) seen[name][entry.fault] = (seen[name][entry.fault] ?? 0) + 1
  }
  return seen
}

/** Every seeded profile is gone (Adapty, Altcraft), marked (CleverTap) or queued for deletion (Batch, per app key). */
function expectStoresErased(world: World) {
  const { emulators, subjects } = world
  const withUser = subjects.filter((subject) => subject.userId)
  expect(emulators.adapty.store.size).toBe(0)
  expect(emulators.adapty.store.deleted).toHaveLength(withUser.length)
  expect(emulators.altcraft.store.count(DB_ID)).toBe(0)
  expect(emulators.altcraft.store.deleted).toHaveLength(subjects.length)
  expect(emulators.clevertap.store.marked).toHaveLength(withUser.length)
  for (const key of [SECRETS.iosKey, SECRETS.androidKey]) {
    const queued = new Set(emulators.batch.store.deletions.filter((deletion) => deletion.appKey === key).flatMap((deletion) => deletion.ids))
    expect(withUser.filter((subject) => !queued.has(subject.userId!)).length).toBe(0)
    expect(queued.size).toBe(withUser.length)
  }
  emulators.batch.store.process()
  for (const subject of withUser) {
    expect(emulators.batch.store.has(SECRETS.iosKey, subject.userId!) || emulators.batch.store.has(SECRETS.androidKey, subject.userId!)).toBe(false)
  }
}

const expectedSuccess: Record<string, string[]> = {
  adapty: ['deleted'],
  clevertap: ['accepted'],
  altcraft: ['deleted'],
  'batch/ios': ['accepted'],
  'batch/android': ['accepted'],
}

const servers: Served[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

describe('eraseMany under injected faults', () => {
  it('in process: every transient fault ends in success, every subject reported once', async () => {
    const world = createWorld(1500, { default: TRANSIENT })
    const result = await run(world, providers(world))
    expectAccounted(world, result)

    const failed = result.reports.flatMap((report) => report.outcomes).filter((outcome) => outcome.status === 'failed')
    expect(failed.map((outcome) => `${laneOf(outcome)}: ${outcome.error?.code}`)).toEqual([])
    expect(result.reports.every((report) => report.ok)).toBe(true)
    const emailOnlyRefs = new Set(world.subjects.filter((subject) => !subject.userId).map((subject) => subject.ref))
    for (const report of result.reports) {
      const emailOnly = emailOnlyRefs.has(report.subjectRef)
      for (const outcome of report.outcomes) {
        const lane = laneOf(outcome)
        if (emailOnly && lane !== 'altcraft') expect(outcome).toMatchObject({ status: 'skipped', reason: 'no_identifier' })
        else expect(expectedSuccess[lane]).toContain(outcome.status)
      }
    }
    // The retries really happened: each kind of fault hit the per-identifier providers.
    const seen = faultsSeen(world)
    for (const name of ['adapty', 'altcraft']) {
      for (const kind of ['rate_limit', 'server_error', 'drop', 'slow', 'malformed']) expect(seen[name]![kind], `${name} ${kind}`).toBeGreaterThan(0)
    }
    const retried = result.reports.flatMap((report) => report.outcomes).filter((outcome) => outcome.attempts > 1)
    expect(retried.length).toBeGreaterThan(100)

    expectStoresErased(world)
    expectNoLeaks(world, result)
  }, 60_000)

  it('behind loopback serve(): transient faults over real sockets end in success', async () => {
    // Client and servers share one event loop here, so the per-attempt timeout is roomier (a
    // blocked loop must not time out healthy requests) and the past-the-timeout fault longer.
    const timeout = 1_000
    const overSockets = (plan: Plan): Plan => plan.map(([fault, rate]) => [fault.kind === 'slow' && fault.delayMs > TIMEOUT_MS ? { kind: 'slow', delayMs: timeout + 300 } : fault, rate])
    const world = createWorld(200, { default: overSockets(TRANSIENT), altcraft: TRANSIENT.filter(([fault]) => !(fault.kind === 'slow' && fault.delayMs > TIMEOUT_MS)) })
    const [a, c, al, b] = await Promise.all([world.emulators.adapty, world.emulators.clevertap, world.emulators.altcraft, world.emulators.batch].map((emulator) => serve(emulator)))
    servers.push(a!, c!, al!, b!)
    // Over a socket a timeout can race a response the vendor already acted on: Adapty then says
    // "profile_does_not_exist" (not_found, a success), CleverTap and Batch accept again, but
    // Altcraft answers a plain error. Altcraft therefore gets no past-the-timeout faults here and
    // a timeout no healthy request reaches.
    const result = await run(world, providers(world, { baseURLs: { adapty: a!.url, clevertap: c!.url, altcraft: al!.url, batch: b!.url }, altcraftTimeout: 10_000 }), { timeout })
    expectAccounted(world, result)
    const failed = result.reports.flatMap((report) => report.outcomes).filter((outcome) => outcome.status === 'failed')
    expect(failed.map((outcome) => `${laneOf(outcome)}: ${outcome.error?.code}`)).toEqual([])
    for (const report of result.reports) {
      for (const outcome of report.outcomes) {
        if (outcome.status === 'skipped') continue
        expect(laneOf(outcome) === 'adapty' ? ['deleted', 'not_found'] : expectedSuccess[laneOf(outcome)]).toContain(outcome.status)
      }
    }
    const seen = faultsSeen(world)
    for (const kind of ['rate_limit', 'server_error', 'drop', 'slow', 'malformed']) {
      expect(Object.values(seen).reduce((sum, counts) => sum + (counts[kind] ?? 0), 0), kind).toBeGreaterThan(0)
    }

    // Each profile is removed once, whatever raced: the store counts removals, not requests.
    expectStoresErased(world)
    expectNoLeaks(world, result)
  }, 60_000)

  it('permanent faults: a wrong credential and an unknown app key fail with the right code, the rest still succeed', async () => {
    const world = createWorld(300, { default: TRANSIENT })
    const result = await run(world, providers(world, { passcode: WRONG.passcode, androidKey: WRONG.androidKey }))
    expectAccounted(world, result)
    const byLane = (lane: string) => result.reports.flatMap((report) => report.outcomes).filter((outcome) => laneOf(outcome) === lane && outcome.status !== 'skipped')
    const withUser = world.subjects.filter((subject) => subject.userId).length

    const clevertapOutcomes = byLane('clevertap')
    expect(clevertapOutcomes).toHaveLength(withUser)
    for (const outcome of clevertapOutcomes) {
      expect(outcome).toMatchObject({ status: 'failed', httpStatus: 401, error: { code: 'unauthorized', retryable: false } })
    }
    // 401 is not retried: one request per kind per batch, bar the transient faults in front of it.
    const clevertapRequests = world.emulators.clevertap.requests
    expect(clevertapRequests.filter((entry) => entry.status === 401).length).toBeLessThanOrEqual(Math.ceil(withUser / 100) * 2)

    const android = byLane('batch/android')
    expect(android).toHaveLength(withUser)
    for (const outcome of android) expect(outcome).toMatchObject({ status: 'failed', httpStatus: 404, error: { code: 'invalid_config', retryable: false } })

    for (const lane of ['adapty', 'altcraft', 'batch/ios']) {
      for (const outcome of byLane(lane)) expect(expectedSuccess[lane], lane).toContain(outcome.status)
    }
    // Only email-only subjects (Altcraft alone, which succeeds) come through ok.
    const emailOnly = world.subjects.filter((subject) => !subject.userId).map((subject) => subject.ref)
    expect(result.reports.filter((report) => report.ok).map((report) => report.subjectRef).sort()).toEqual(emailOnly.sort())
    expect(world.emulators.adapty.store.size).toBe(0)
    expect(world.emulators.altcraft.store.count(DB_ID)).toBe(0)
    expect(world.emulators.clevertap.store.marked).toHaveLength(0)
    expectNoLeaks(world, result, Object.values(WRONG))
  }, 60_000)

  it('retry limit 0: each injected fault fails exactly the identifiers it carried, with the code of that fault', async () => {
    // A roomier timeout (and a past-the-timeout fault longer still): with retries off, a healthy
    // request that a loaded machine delays past 100 ms would fail, and the test with it.
    const timeout = 1_000
    const world = createWorld(800, { default: FAILING.map(([fault, rate]) => [fault.kind === 'slow' ? { kind: 'slow', delayMs: timeout + 300 } : fault, rate]) })
    const result = await run(world, providers(world), { retry: { limit: 0 }, timeout })
    expectAccounted(world, result)

    // Which fault (if any) hit the single request that carried each identifier, per lane.
    const sent = new Map<string, Fault['kind'] | 'none'>()
    const record = (lane: string, values: unknown, fault: Fault['kind'] | undefined) => {
      for (const value of ([] as unknown[]).concat(values ?? [])) {
        const key = `${lane} ${value}`
        expect(sent.has(key), `${key} sent twice`).toBe(false)
        sent.set(key, fault ?? 'none')
      }
    }
    for (const entry of world.emulators.adapty.requests) {
      record('adapty', entry.headers['adapty-profile-id'] ?? entry.headers['adapty-customer-user-id'], entry.fault)
    }
    for (const entry of world.emulators.clevertap.requests) {
      const body = entry.body as { guid?: string[]; identity?: string[] }
      record('clevertap', body.guid ?? body.identity, entry.fault)
    }
    for (const entry of world.emulators.altcraft.requests) {
      const body = entry.body as { email?: string; profile_id?: string }
      record('altcraft', body.profile_id ?? body.email, entry.fault)
    }
    for (const entry of world.emulators.batch.requests) {
      const [, , appKey, , , id] = entry.path.split('/')
      const lane = appKey === SECRETS.iosKey ? 'batch/ios' : 'batch/android'
      record(lane, id === undefined ? entry.body : decodeURIComponent(id), entry.fault)
    }

    const identifierFor = (subject: SubjectRow, lane: string) =>
      lane === 'adapty'
        ? (subject.ids?.adapty ?? subject.userId)
        : lane === 'clevertap'
          ? (subject.ids?.clevertap ?? subject.userId)
          : lane === 'altcraft'
            ? (subject.ids?.altcraft ?? subject.email)
            : subject.userId
    const subjects = new Map(world.subjects.map((subject) => [subject.ref, subject]))
    const tally: Record<string, number> = {}
    for (const report of result.reports) {
      const subject = subjects.get(report.subjectRef)!
      for (const outcome of report.outcomes) {
        const lane = laneOf(outcome)
        const value = identifierFor(subject, lane)
        if (value === undefined) {
          expect(outcome.status).toBe('skipped')
          continue
        }
        const fault = sent.get(`${lane} ${value}`)
        expect(fault, `${lane} ${report.subjectRef} never sent`).toBeDefined()
        if (fault === 'none') {
          expect(expectedSuccess[lane], `${lane} ${report.subjectRef}`).toContain(outcome.status)
        } else {
          expect(outcome, `${lane} ${report.subjectRef} (${fault})`).toMatchObject({ status: 'failed', error: { code: CODE_FOR_FAULT[fault!], retryable: true } })
          // One request per batch, except CleverTap's mixed batches (one per identifier kind).
          if (lane !== 'clevertap') expect(outcome.attempts).toBe(1)
        }
        tally[outcome.error?.code ?? outcome.status] = (tally[outcome.error?.code ?? outcome.status] ?? 0) + 1
      }
      expect(report.ok).toBe(report.outcomes.every((outcome) => outcome.status !== 'failed'))
    }
    for (const code of Object.values(CODE_FOR_FAULT)) expect(tally[code], code).toBeGreaterThan(0)

    // The stores keep exactly what failed.
    const failedRefs = (lane: string) => new Set(result.reports.filter((report) => report.outcomes.some((o) => laneOf(o) === lane && o.status === 'failed')).map((report) => report.subjectRef))
    const adaptyFailed = failedRefs('adapty')
    expect(world.emulators.adapty.store.size).toBe(adaptyFailed.size)
    for (const ref of adaptyFailed) expect(world.emulators.adapty.store.has({ customerUserId: subjects.get(ref)!.userId! })).toBe(true)
    expect(world.emulators.altcraft.store.count(DB_ID)).toBe(failedRefs('altcraft').size)
    const clevertapFailed = failedRefs('clevertap')
    for (const subject of world.subjects.filter((item) => item.userId)) {
      expect(world.emulators.clevertap.store.isMarked(subject.userId!), subject.ref).toBe(!clevertapFailed.has(subject.ref))
    }
    expectNoLeaks(world, result)
  }, 60_000)
})
