import { HookableCore } from 'hookable'
import { monotonic } from './clock'
import { checkRun, dryRunOption, journalOption, runEngine, parseSubject, signalOption, type RunOptions } from './engine'
import { eraseBatch, type LaneConfig, localOutcome, matchSubject, reportOf, subjectValues, uuidSecretsOf } from './lane'
import { configError } from './errors'
import { installPlugin, type Plugin } from './plugin'
import { checkSpecificationVersion, fetchOption, type Provider, retrySchema, timeoutOption } from './provider'
import { createRateLimiter } from './rate-limit'
import { createSlots } from './slots'
import { createRedactor, entriesOf } from './redact'
import { createPipeline } from './request'
import { createHasher } from './hash'
import { afterAbort, defaultRetry, isFunction, mergeLayers, neverAborts, type RetryPolicy } from './retry'
import type { EraseContext, EraserHooks, FetchFunction, HookRunner, Journal, Outcome, PlannedRequest, Report, RetryOptions, Subject } from './types'
import { is, object, optional, parseOrThrow, text } from './validate'

export interface EraserOptions {
  providers: Provider[]
  plugins?: Plugin[] | undefined
  /** Default retry policy; each provider's defaults and options layer over it. */
  retry?: RetryOptions | undefined
  /** Per attempt, ms. Default 10 000. */
  timeout?: number | undefined
  /** Used by providers that were not given their own. Default: the global fetch at call time. */
  fetch?: FetchFunction | undefined
  /** Salts the SHA-256 of identifiers in receipts. Treated as a secret. */
  receiptSalt?: string | undefined
  /** More values to redact everywhere (besides every provider's declared secrets). */
  secrets?: string[] | undefined
}

export interface EraseOptions {
  signal?: AbortSignal | undefined
  /** Validate and build every request, send nothing: the report lists the redacted requests. */
  dryRun?: boolean | undefined
  /**
   * Skips what it holds as confirmed and records the outcomes, as in eraseMany: erasing a subject
   * again (after one provider failed) sends only to the providers not yet confirmed.
   */
  journal?: Journal | undefined
}

export type EraseManyOptions = EraseOptions & Omit<RunOptions, 'signal' | 'dryRun'>

export interface Eraser {
  /** Provider names, in order. */
  readonly providers: readonly string[]
  hook<K extends keyof EraserHooks>(name: K, fn: EraserHooks[K]): () => void
  /** Erases one subject from every provider in parallel. Throws `invalid_subject` before any request for a malformed subject (checked at run time too). */
  erase(subject: Subject, options?: EraseOptions): Promise<Report>
  /** Streams any number of subjects; yields exactly one report per subject read (order may differ). A malformed one gets a failed report. */
  eraseMany(subjects: Iterable<Subject> | AsyncIterable<Subject>, options?: EraseManyOptions): AsyncIterable<Report>
}

const isNamed = (value: unknown) => typeof (value as { name?: unknown })?.name === 'string'

const HOOKS: (keyof EraserHooks)[] = ['beforeRequest', 'afterResponse', 'onError', 'retry', 'outcome', 'report', 'progress']

/** `{ name, setup(eraser) }` or `{ name, hooks: { [hook]: function } }`. */
const isPlugin = (value: unknown) => {
  const { setup, hooks } = (value ?? {}) as { setup?: unknown; hooks?: Record<string, unknown> }
  return isNamed(value) && (isFunction(setup) || (!!hooks && typeof hooks === 'object' && Object.values(hooks).every((fn) => fn === undefined || isFunction(fn))))
}

const list = (message: string, item: (value: unknown) => boolean) =>
  optional(is<unknown[]>((value) => Array.isArray(value) && value.every(item), message))

const eraseOptionsSchema = object({ signal: signalOption, dryRun: dryRunOption, journal: journalOption })
const contextOptionsSchema = object({ signal: signalOption })

const optionsSchema = object({
  providers: is<unknown[]>((value) => Array.isArray(value) && value.length > 0 && value.every(isNamed), 'expected a non-empty array of providers from defineProvider()'),
  plugins: list('expected an array of plugins from definePlugin()', isPlugin),
  timeout: timeoutOption,
  fetch: fetchOption,
  receiptSalt: optional(text()),
  secrets: list('expected an array of strings', (value) => typeof value === 'string'),
  retry: optional(retrySchema),
}, 'expected an object')

/** `defaults`: an eraser's or a provider context's options (their fetch and timeout). */
function laneConfig(provider: Provider, retry: RetryPolicy, defaults: { fetch?: FetchFunction | undefined; timeout?: number | undefined }): Omit<LaneConfig, 'slots'> {
  return {
    provider,
    // Resolved at call time, so a fetch installed or mocked later is honoured.
    fetch: provider.fetch ?? defaults.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    retry: mergeLayers(retry, provider.retry),
    timeout: provider.timeout ?? defaults.timeout ?? 10_000,
  }
}

export interface ProviderContextOptions {
  signal?: AbortSignal | undefined
  /** Which of the provider's targets to address (Batch app key label). */
  target?: string | undefined
  retry?: RetryOptions | undefined
  timeout?: number | undefined
  fetch?: FetchFunction | undefined
  /** Hooks to run on each request (an eraser's, or your own). */
  hooks?: HookRunner | undefined
  /** Identifier values these requests carry: redacted as `[id]` like an eraser's batch. */
  identifiers?: string[] | undefined
}

/**
 * The request pipeline of one provider outside an eraser: same retry, timeout, hooks and
 * redaction. Vendor clients (createAdaptyClient) build on it.
 */
export function createProviderContext(provider: Provider, options: ProviderContextOptions = {}): EraseContext {
  checkSpecificationVersion(provider)
  const { signal = neverAborts() } = parseOrThrow(contextOptionsSchema, { signal: options.signal })
  return createPipeline({
    ...laneConfig(provider, mergeLayers(defaultRetry, options.retry), options),
    provider: provider.name,
    target: options.target,
    baseURL: provider.baseURL,
    hooks: options.hooks ?? (new HookableCore() as HookRunner),
    redact: createRedactor([...entriesOf(provider.secrets), ...entriesOf(options.identifiers ?? [], '[id]')]),
    signal,
  })
}

/** A provider target's concurrency cap and rate limit: one per provider object, whichever erasers run it. */
const caps = new WeakMap<Provider, Map<string | undefined, Pick<LaneConfig, 'pace' | 'slots'>>>()
function capsOf(provider: Provider, target?: string): Pick<LaneConfig, 'pace' | 'slots'> {
  const byTarget = caps.get(provider) ?? caps.set(provider, new Map()).get(provider)!
  let lane = byTarget.get(target)
  if (!lane) byTarget.set(target, (lane = { pace: provider.limits.rate && createRateLimiter(provider.limits.rate), slots: createSlots(provider.limits.concurrency) }))
  return lane
}

export function createEraser(options: EraserOptions): Eraser {
  parseOrThrow(optionsSchema, options)
  const hooks = new HookableCore() as HookRunner
  const names = new Set<string>()
  for (const provider of options.providers) {
    checkSpecificationVersion(provider)
    if (!isFunction(provider.erase) || !isFunction(provider.match)) {
      throw configError('options.providers: expected providers made by defineProvider()', provider.name)
    }
    if (names.has(provider.name)) throw configError(`options.providers: "${provider.name}" is configured twice`)
    names.add(provider.name)
  }
  const retry = mergeLayers(defaultRetry, options.retry)
  const lanes: LaneConfig[] = options.providers.flatMap((provider) => {
    const config = laneConfig(provider, retry, options)
    return (provider.targets?.length ? provider.targets : [undefined]).map((target) => ({ ...config, target, ...capsOf(provider, target) }))
  })
  // An empty value (no receiptSalt) redacts nothing.
  const secrets = [...options.providers.flatMap((provider) => provider.secrets), options.receiptSalt, ...(options.secrets ?? [])]
  const redactSecrets = createRedactor(entriesOf(secrets))
  const context = { lanes, hooks, receiptSalt: options.receiptSalt, redactSecrets, uuidSecrets: uuidSecretsOf(secrets) }
  const hook: Eraser['hook'] = (name, fn) => {
    // A misspelt hook would never run: refuse it, like a misspelt option.
    if (!HOOKS.includes(name)) throw configError(`hook ${JSON.stringify(String(name).slice(0, 40))}: expected one of ${HOOKS.join(', ')}`)
    if (!isFunction(fn)) throw configError(`hook ${name}: expected a function`)
    return hooks.hook(name, fn as never)
  }
  const eraser: Eraser = {
    providers: [...names],
    hook,
    // One subject needs no scheduling: every lane sends its single-item batch at once.
    async erase(subject, eraseOptions = {}) {
      const value = parseSubject(subject)
      const { signal = neverAborts(), dryRun, journal } = parseOrThrow(eraseOptionsSchema, eraseOptions)
      // Already aborted, the engine would read nothing: the path below reports every target aborted.
      if (journal && !signal.aborted) {
        // A run of one: the journal asked and written exactly as eraseMany does (written once the report is taken), no progress events.
        let report: Report | undefined
        for await (report of runEngine(context, [value], { ...eraseOptions, progressIntervalMs: Infinity }));
        return report!
      }
      const ref = value.ref ?? '#1'
      const started = monotonic()
      const hashOf = createHasher(options.receiptSalt)
      const values = subjectValues(value)
      const planned: PlannedRequest[][] = []
      // Observer hooks are awaited; after an abort a stuck one cannot hold the call (as in eraseMany).
      const { bounded } = afterAbort(signal)
      const outcomes = await Promise.all(
        lanes.map(async (lane, index) => {
          const match = matchSubject(lane, value, hashOf, redactSecrets)
          let outcome: Outcome
          if ('value' in match) {
            const batch = await eraseBatch(lane, [{ ref, identifier: match, hash: hashOf(match.value), values }], { hooks, redactSecrets, uuidSecrets: context.uuidSecrets, signal, dryRun })
            outcome = batch.outcomes[0]!
            planned[index] = batch.planned ?? []
          } else {
            outcome = localOutcome(lane, ref, match)
          }
          await bounded(hooks.callHook('outcome', outcome))
          return outcome
        }),
      )
      const report = reportOf(ref, started, outcomes, dryRun ? planned.flat() : undefined)
      await bounded(hooks.callHook('report', report))
      return report
    },
    eraseMany(subjects, runOptions) {
      checkRun(subjects, runOptions)
      return runEngine(context, subjects, runOptions)
    },
  }
  for (const plugin of options.plugins ?? []) installPlugin(eraser, plugin)
  return eraser
}
