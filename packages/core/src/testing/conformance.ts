/**
 * The behaviour every provider must have, as named checks any test runner can run:
 * the bundled providers pass exactly this suite, and third-party providers can too.
 */
import { createEraser } from '../eraser'
import { ErasureError } from '../errors'
import type { Provider } from '../provider'
import type { FetchFunction, Limits, Report, RetryOptions, Status, Subject } from '../types'
import type { EmulatorHandle, LoggedRequest } from './emulator'

export interface ProviderOverrides {
  fetch: FetchFunction
  retry: RetryOptions
  timeout?: number | undefined
  limits?: Limits | undefined
}

export interface ConformanceOptions<E extends EmulatorHandle = EmulatorHandle> {
  /** A fresh emulator per check. */
  emulator: () => E
  /** The provider under test, talking to `overrides.fetch`; spread the overrides into the factory options. */
  provider: (overrides: ProviderOverrides) => Provider
  /** The same provider with credentials the emulator rejects. */
  providerWithBadCredentials: (overrides: ProviderOverrides) => Provider
  /**
   * Seeds the emulator with a person and returns a subject that points at them. When `id` is given,
   * the identifier the provider uses must contain it (an email may wrap it: `${id}@example.com`):
   * the suite passes URL- and JSON-significant characters there.
   */
  seed: (emulator: E, index: number, id?: string) => Subject
  /** What a successful erasure reports: 'deleted' (synchronous) or 'accepted' (queued). */
  successStatus: 'deleted' | 'accepted'
  /**
   * A subject the vendor does not know, and the status the vendor's answer maps to (`not_found`
   * where the vendor says so, `accepted` where it queues any id, `failed` where it answers with an
   * error). Also sent inside a batch of seeded subjects: each result must be its own.
   */
  unknownSubject: { subject: Subject; status: Status }
  /** A subject without any identifier this provider can use. */
  unusableSubject: Subject
  /** Factory calls that must fail validation, and the field the message must name (at least one). */
  invalidOptions: { build: () => unknown; field: string; value?: string }[]
  /** Every credential the provider is configured with (must never appear in output; at least one). */
  secrets: string[]
  /** Identifiers per request the vendor allows (from `limits.batchSize`). */
  batchSize: number
  /** How many identifiers a logged request carries (default 1). */
  identifiersIn?: ((request: LoggedRequest) => number) | undefined
  /**
   * A 2xx with a malformed body: 'retried' (default; a delete is idempotent) or, for a request that
   * files something on every 2xx (Batch's GDPR requests, sent with `final2xx: true`), 'final': one
   * request, never a second, reported as the success or as a failed `invalid_response`.
   */
  malformedSuccess?: 'retried' | 'final' | undefined
  /**
   * A 429, a 5xx or a dropped connection: 'retried' (default) to success, or, for a provider that
   * marks its request `retry: false` (an operation that must not be sent twice), 'final': one
   * attempt, failed with a retryable error the caller can act on.
   */
  transientFaults?: 'retried' | 'final' | undefined
  /**
   * `false` leaves out the check that an identifier holding `/ .. ? # % " \ & = + ;` is erased as
   * itself: only for a vendor whose identifiers cannot hold them (phone numbers, UUIDs), and a
   * provider that refuses them as `invalid_subject`.
   */
  awkwardIdentifiers?: false | undefined
}

export interface ConformanceCheck {
  name: string
  run(): Promise<void>
}

export interface ConformanceResult {
  ok: boolean
  checks: { name: string; ok: boolean; error?: string }[]
}

const fast: RetryOptions = { delayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 }
/** Path separators, dot segments, query and fragment marks, an escape, JSON quotes and form delimiters. */
const AWKWARD_ID = 'conf/../x?y#z%2F"q\\&=+;1'

class CheckFailed extends Error {}
function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message)
}

export function providerConformanceChecks<E extends EmulatorHandle>(options: ConformanceOptions<E>): ConformanceCheck[] {
  const setup = (overrides: Partial<ProviderOverrides> = {}, build = options.provider) => {
    const emulator = options.emulator()
    const provider = build({ fetch: emulator.fetch.bind(emulator), retry: fast, ...overrides })
    return { emulator, provider, eraser: createEraser({ providers: [provider] }) }
  }
  const eraseSeeded = async (overrides: Partial<ProviderOverrides> = {}, prepare?: (emulator: E) => void) => {
    const { emulator, eraser } = setup(overrides)
    const subject = options.seed(emulator, 0)
    prepare?.(emulator)
    const report = await eraser.erase(subject)
    return { emulator, report, subject }
  }
  const single = (report: Report) => {
    expect(report.outcomes.length >= 1, 'a report has one outcome per provider target')
    return report.outcomes
  }
  const final = options.transientFaults === 'final'
  const count = (requests: LoggedRequest[]) => requests.reduce((sum, request) => sum + (options.identifiersIn?.(request) ?? 1), 0)

  const checks: [string, () => Promise<void>][] = [
    [
      'validates options at factory time, naming the field without echoing the value',
      async () => {
        expect(options.invalidOptions?.length > 0, 'list at least one invalid factory call in invalidOptions')
        for (const { build, field, value } of options.invalidOptions) {
          let error: unknown
          try {
            build()
          } catch (thrown) {
            error = thrown
          }
          expect(ErasureError.isInstance(error) && error.code === 'invalid_config', `expected invalid_config for ${field}`)
          expect(error.message.includes(field), `message "${error.message}" does not name ${field}`)
          if (value) expect(!error.message.includes(value), `message echoes the invalid value of ${field}`)
        }
      },
    ],
    [
      'reports skipped for a subject without a usable identifier, sending nothing',
      async () => {
        const { emulator, eraser } = setup()
        const report = await eraser.erase(options.unusableSubject)
        expect(emulator.requests.length === 0, 'no request may be sent')
        expect(single(report).every((outcome) => outcome.status === 'skipped'), 'expected skipped')
      },
    ],
    [
      `maps success to ${options.successStatus}`,
      async () => {
        const { emulator, report } = await eraseSeeded()
        expect(emulator.requests.length >= 1, 'expected a request')
        expect(report.ok, 'report.ok must be true')
        expect(single(report).every((outcome) => outcome.status === options.successStatus && outcome.attempts >= 1), `expected ${options.successStatus}`)
      },
    ],
    ...(options.awkwardIdentifiers === false
      ? []
      : ([
          [
            'sends an identifier holding URL- and JSON-significant characters as itself',
            async () => {
              const { emulator, eraser } = setup()
              // A path built by hand (`/users/${id}`) sends this to another route, or another person.
              const subject = options.seed(emulator, 9, AWKWARD_ID)
              const values = [subject.userId, subject.email, subject.phone, ...Object.values(subject.ids ?? {})]
              expect(values.some((value) => value?.includes(AWKWARD_ID)), 'seed(emulator, index, id) must build the subject\'s identifier from the id it is given')
              const outcomes = single(await eraser.erase(subject))
              expect(outcomes.every((outcome) => outcome.status === options.successStatus), `expected ${options.successStatus}, got ${outcomes.map((o) => o.status)}: when a plain identifier succeeds (the test above), this one did not reach the vendor as it is (encode path segments with pathSegment())`)
            },
          ],
        ] as [string, () => Promise<void>][])),
    [
      'sends through the core pipeline (hooks see every request)',
      async () => {
        const { emulator, eraser } = setup()
        const seen: string[] = []
        eraser.hook('beforeRequest', (ctx) => void seen.push(ctx.request.url))
        await eraser.erase(options.seed(emulator, 0))
        expect(seen.length === emulator.requests.length && seen.length > 0, 'beforeRequest must run once per request sent by erase()')
        // And on the batch path: eraseMany hands the provider several identifiers at once.
        const subjects = Array.from({ length: 3 }, (_, index) => options.seed(emulator, index + 1))
        for await (const report of eraser.eraseMany(subjects)) expect(report.ok, 'every seeded subject must be erased')
        expect(seen.length === emulator.requests.length, 'beforeRequest must run once per request sent by eraseMany()')
      },
    ],
    [
      `maps an unknown subject to ${options.unknownSubject?.status}, alone and inside a batch of known ones`,
      async () => {
        expect(options.unknownSubject, 'give unknownSubject: a subject the vendor does not know, and the status its answer maps to')
        const { subject, status } = options.unknownSubject
        const { emulator, eraser } = setup({ limits: { batchSize: Math.min(options.batchSize, 20) } })
        expect(single(await eraser.erase(subject)).every((outcome) => outcome.status === status), `expected ${status}`)
        // One result per identifier, in order: an unknown one among known ones keeps its own.
        const seeded = [1, 2, 3].map((index) => ({ ...options.seed(emulator, index), ref: `conf-known-${index}` }))
        const mixed = [seeded[0]!, { ...subject, ref: 'conf-unknown' }, seeded[1]!, seeded[2]!]
        for await (const report of eraser.eraseMany(mixed)) {
          const expected = report.subjectRef === 'conf-unknown' ? status : options.successStatus
          expect(single(report).every((outcome) => outcome.status === expected), `${report.subjectRef} in a mixed batch: expected ${expected}, got ${report.outcomes.map((o) => o.status)}`)
        }
      },
    ],
    [
      'never takes a bare 404 (a wrong path, a proxy) for a deletion',
      async () => {
        const notFound: FetchFunction = async () => new Response('<html><body>Not Found</body></html>', { status: 404, headers: { 'content-type': 'text/html' } })
        const { emulator, eraser } = setup({ fetch: notFound })
        const outcomes = single(await eraser.erase(options.seed(emulator, 0)))
        expect(outcomes.every((outcome) => outcome.status === 'failed'), `expected failed, got ${outcomes.map((o) => o.status)}`)
      },
    ],
    [
      'maps rejected credentials to unauthorized, without retrying (4xx)',
      async () => {
        const { emulator, eraser } = setup({}, options.providerWithBadCredentials)
        const report = await eraser.erase(options.seed(emulator, 0))
        const outcomes = single(report)
        expect(outcomes.every((outcome) => outcome.status === 'failed' && outcome.error?.code === 'unauthorized'), 'expected failed/unauthorized')
        expect(outcomes.every((outcome) => outcome.attempts === 1), '4xx must not be retried')
        expect(!report.ok, 'report.ok must be false')
      },
    ],
    ...(
      [
        [`${final ? 'does not retry' : 'retries'} 429 (with Retry-After)${final ? '' : ' to success'}`, { kind: 'rate_limit', retryAfterSeconds: 0 }],
        [`${final ? 'does not retry' : 'retries'} 5xx${final ? '' : ' to success'}`, { kind: 'server_error', status: 503 }],
        [`${final ? 'does not retry' : 'retries'} a dropped connection${final ? '' : ' to success'}`, { kind: 'drop' }],
        [options.malformedSuccess === 'final' ? 'takes a malformed 2xx body as final' : final ? 'does not retry a malformed 2xx body' : 'retries a malformed 2xx body to success', { kind: 'malformed' }],
      ] as const
    ).map(
      ([name, fault]) =>
        [
          name,
          async () => {
            const { report } = await eraseSeeded({}, (emulator) => emulator.inject(fault, { times: 1 }))
            const outcomes = single(report)
            const finalAnswer = fault.kind === 'malformed' && options.malformedSuccess === 'final'
            if (final && !finalAnswer) {
              expect(outcomes.every((outcome) => outcome.status === 'failed' && outcome.error.retryable && outcome.attempts === 1), 'a request marked retry: false must fail retryable after one attempt')
              return
            }
            if (finalAnswer) {
              expect(outcomes.every((outcome) => outcome.attempts === 1), 'a final 2xx must not be sent again')
              expect(outcomes.every((outcome) => outcome.status === options.successStatus || outcome.error?.code === 'invalid_response'), `expected ${options.successStatus} or invalid_response`)
              return
            }
            expect(outcomes.every((outcome) => outcome.status === options.successStatus), `expected ${options.successStatus} after the retry, got ${outcomes.map((o) => o.status)}`)
            expect(outcomes.some((outcome) => outcome.attempts >= 2), 'expected a second attempt')
          },
        ] as [string, () => Promise<void>],
    ),
    // A request that files something: a 2xx whose body is lost on the way filed it all the same.
    ...(options.malformedSuccess === 'final'
      ? ([
          [
            'sends no request again when a 2xx body is cut off (final2xx)',
            async () => {
              const count = async (cut: boolean) => {
                const emulator = options.emulator()
                const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
                  const response = await emulator.fetch(input, init)
                  // A lookup (a GET) files nothing: it may be sent again.
                  const method = init?.method ?? (input instanceof Request ? input.method : 'GET')
                  if (!cut || /^GET$/i.test(method) || response.status >= 300 || !response.body) return response
                  const first = new Uint8Array(await response.arrayBuffer()).slice(0, 1)
                  const body = new ReadableStream({ start: (stream) => (stream.enqueue(first), stream.error(new TypeError('terminated'))) })
                  return new Response(body, { status: response.status, headers: response.headers })
                }
                const outcomes = single(await createEraser({ providers: [options.provider({ fetch, retry: fast })] }).erase(options.seed(emulator, 0)))
                expect(outcomes.every((outcome) => outcome.status === options.successStatus || outcome.error?.code === 'invalid_response'), `expected ${options.successStatus} or invalid_response`)
                return emulator.requests.length
              }
              const [whole, cut] = [await count(false), await count(true)]
              expect(cut === whole, `a 2xx whose body was cut off must not be sent again (mark the request final2xx): ${cut} requests, against ${whole} with whole bodies`)
            },
          ],
        ] as [string, () => Promise<void>][])
      : []),
    // A request that is never retried has no wait to honour.
    ...(final
      ? []
      : ([
          [
            'honours Retry-After on a 429',
            async () => {
              const waits: number[] = []
              const { emulator, eraser } = setup({ retry: { ...fast, maxRetryAfterMs: 10_000 } })
              // The retry hook sees the wait the policy chose, then shortens it: the check stays fast.
              eraser.hook('retry', (ctx) => {
                waits.push(ctx.delayMs)
                ctx.delayMs = 1
              })
              const subject = options.seed(emulator, 0)
              emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 2 }, { times: 1 })
              const outcomes = single(await eraser.erase(subject))
              expect(outcomes.every((outcome) => outcome.status === options.successStatus), `expected ${options.successStatus} after the retry`)
              // Over a second: a vendor that signals the wait as an epoch second (X-RateLimit-Reset) rounds it.
              expect(waits.length > 0 && waits.every((ms) => ms >= 1000), `a 2 s Retry-After must give a wait of over 1 s, got ${waits} ms`)
            },
          ],
        ] as [string, () => Promise<void>][])),
    [
      'gives up after the retry limit with a retryable failure',
      async () => {
        const { report } = await eraseSeeded({ retry: { ...fast, limit: 1 } }, (emulator) => emulator.inject({ kind: 'server_error', status: 503 }, { times: 100 }))
        const outcomes = single(report)
        const attempts = final ? 1 : 2
        expect(outcomes.every((outcome) => outcome.status === 'failed' && outcome.error?.retryable === true && outcome.attempts === attempts), `expected failed after ${attempts} attempts`)
      },
    ],
    [
      `sends at most the batch size per request (${options.batchSize}), each identifier once`,
      async () => {
        // Vendors with huge batches are exercised with a lowered limit: the same code path, fewer subjects.
        const batchSize = Math.min(options.batchSize, 20)
        const { emulator, eraser } = setup({ limits: { batchSize } })
        const total = batchSize * 2 + 1
        const subjects = Array.from({ length: total }, (_, index) => options.seed(emulator, index + 1))
        const reports: Report[] = []
        for await (const report of eraser.eraseMany(subjects)) reports.push(report)
        expect(reports.length === total && reports.every((report) => report.ok), 'every subject must be erased')
        const sizes = emulator.requests.map((request) => options.identifiersIn?.(request) ?? 1)
        expect(sizes.every((size) => size <= batchSize), `a request carried more than ${batchSize} identifiers`)
        if (batchSize > 1) expect(sizes.some((size) => size > 1), 'identifiers were never batched')
        expect(count(emulator.requests) === total * reports[0]!.outcomes.length, 'every identifier is sent exactly once per target')
      },
    ],
    [
      'stops at once when aborted during a slow response',
      async () => {
        const { emulator, eraser } = setup({ timeout: 60_000 })
        const subject = options.seed(emulator, 0)
        emulator.inject({ kind: 'slow', delayMs: 60_000 }, { times: 100 })
        const controller = new AbortController()
        setTimeout(() => controller.abort(), 20)
        const report = await eraser.erase(subject, { signal: controller.signal })
        expect(single(report).every((outcome) => outcome.status === 'failed' && outcome.error?.code === 'aborted'), 'expected failed/aborted')
      },
    ],
    [
      'dry run sends nothing and shows the redacted requests',
      async () => {
        const { emulator, eraser } = setup()
        const report = await eraser.erase(options.seed(emulator, 0), { dryRun: true })
        expect(emulator.requests.length === 0, 'a dry run must not send')
        expect((report.requests?.length ?? 0) >= 1, 'a dry run lists the requests it would send')
        expect(single(report).every((outcome) => outcome.status === 'skipped' && outcome.reason === 'dry_run'), 'expected skipped/dry_run')
      },
    ],
    [
      'never lets a secret or raw identifier reach reports, errors or hook payloads',
      async () => {
        const seen: unknown[] = []
        const run = async (build: ConformanceOptions<E>['provider'], prepare?: (emulator: E) => void) => {
          const { emulator, eraser } = setup({}, build)
          eraser.hook('onError', (ctx) => void seen.push(ctx.toJSON()))
          eraser.hook('beforeRequest', (ctx) => void seen.push(ctx.toJSON()))
          const subject = options.seed(emulator, 0)
          prepare?.(emulator)
          seen.push(await eraser.erase(subject), await eraser.erase(subject, { dryRun: true }))
          return subject
        }
        const subject = await run(options.provider, (emulator) => emulator.inject({ kind: 'server_error', status: 503 }, { times: 100 }))
        await run(options.providerWithBadCredentials)
        expect(options.secrets?.length > 0, 'list the provider\'s credentials in secrets')
        // A credential the provider does not register is redacted nowhere (an Authorization header
        // is masked by its scheme alone, so the output check below cannot see this).
        const secrets = [...setup().provider.secrets, ...setup({}, options.providerWithBadCredentials).provider.secrets]
        for (const secret of options.secrets) expect(secrets.includes(secret), 'the provider must register every credential in its `secrets`')
        seen.push(setup().provider) // as a log line would serialise it
        const text = JSON.stringify(seen)
        const planted = [...options.secrets, ...[subject.userId, subject.email, subject.phone, ...Object.values(subject.ids ?? {})].filter((value): value is string => !!value && value.length >= 3)]
        for (const value of planted) expect(!text.includes(value), 'a secret or identifier leaked into the output')
      },
    ],
  ]
  return checks.map(([name, run]) => ({ name, run }))
}

/** Runs every check; works with any test runner (or none). */
export async function runProviderConformance<E extends EmulatorHandle>(options: ConformanceOptions<E>): Promise<ConformanceResult> {
  const checks: ConformanceResult['checks'] = []
  for (const check of providerConformanceChecks(options)) {
    try {
      await check.run()
      checks.push({ name: check.name, ok: true })
    } catch (error) {
      checks.push({ name: check.name, ok: false, error: error instanceof Error ? error.message : String(error) })
    }
  }
  return { ok: checks.every((check) => check.ok), checks }
}

type Describe = (name: string, fn: () => void) => unknown
type It = (name: string, fn: () => Promise<void>) => unknown

/** One test per check, for vitest/jest/mocha-style runners: `describeProviderConformance('x', options, { describe, it })`. */
export function describeProviderConformance<E extends EmulatorHandle>(name: string, options: ConformanceOptions<E>, runner: { describe: Describe; it: It }): void {
  runner.describe(`${name} provider conformance`, () => {
    for (const check of providerConformanceChecks(options)) runner.it(check.name, () => check.run())
  })
}
