import type { StandardSchemaV1 } from '@standard-schema/spec'
import { configError } from './errors'
import { isFunction, mergeLayers } from './retry'
import { checkBaseURL } from './security'
import type {
  CommonProviderOptions,
  EraseContext,
  FetchFunction,
  Identifier,
  Limits,
  ProviderResult,
  RetryOptions,
  Subject,
} from './types'
import { is, nonNegative, object, type ObjectSchema, optional, parseOrThrow, positiveInt, text } from './validate'

/** The provider contract version this core implements. */
export const SPECIFICATION_VERSION = 1

export interface ProviderDefinition<O extends object = CommonProviderOptions> {
  name: string
  specificationVersion: typeof SPECIFICATION_VERSION
  /**
   * The options the user passed to the factory; validated against `schema` when given. Any object
   * type (`{ token: string }` too): the common options, when present, must have their types.
   */
  options: O & CommonProviderOptions
  /**
   * Any synchronous Standard Schema v1 of the provider's own options (`object()` from
   * `@erasekit/core/schema`, valibot, zod, arktype); common options are checked by the core.
   */
  schema?: StandardSchemaV1 | undefined
  /** Every credential, including keys that travel in URLs; redacted everywhere. */
  secrets?: (string | undefined)[] | undefined
  /**
   * The vendor's API origin; `options.baseURL` overrides it. Without either, every request must
   * give an absolute URL (held to the same rules: https, or http on loopback).
   */
  baseURL?: string | undefined
  limits?: Limits | undefined
  /**
   * The most identifiers `erase` takes in one call (the vendor's cap); a larger
   * `options.limits.batchSize` is refused. Default: `limits.batchSize`, so users cannot raise it.
   */
  maxBatchSize?: number | undefined
  /** Provider defaults over the eraser's retry policy; the user's `options.retry` wins over both. */
  retry?: RetryOptions | undefined
  /** Sub-accounts one config covers (Batch app keys): `erase` runs once per target. Labels, never keys. */
  targets?: string[] | undefined
  /** The identifier this provider uses for a subject, or nothing (the outcome is `skipped`). May throw `invalid_subject`. */
  match(subject: Subject): Identifier | undefined | null | false | ''
  /**
   * Why the vendor cannot take this identifier (never quoting it), or nothing. Runs after `match`
   * and the core's own checks, before any request: the outcome is `failed` with `invalid_subject`
   * and, unlike a throw from `match`, carries the identifier's hash.
   */
  check?(identifier: Identifier): string | undefined
  /** Erases a batch (at most `limits.batchSize` identifiers); returns one result per identifier, in order. */
  erase(identifiers: Identifier[], ctx: EraseContext): Promise<ProviderResult[]>
}

/** A validated provider, ready for `createEraser`. Holds no raw options object. */
export interface Provider {
  readonly name: string
  readonly specificationVersion: number
  readonly secrets: string[]
  readonly baseURL?: string | undefined
  readonly limits: Required<Pick<Limits, 'batchSize' | 'concurrency'>> & Limits
  readonly retry?: RetryOptions
  readonly timeout?: number
  readonly fetch?: FetchFunction
  readonly targets?: string[]
  match(subject: Subject): Identifier | undefined | null | false | ''
  check?(identifier: Identifier): string | undefined
  erase(identifiers: Identifier[], ctx: EraseContext): Promise<ProviderResult[]>
}

const limitsSchema = object({
  batchSize: optional(positiveInt()),
  concurrency: optional(positiveInt()),
  rate: optional(object({ requests: positiveInt(), perMs: positiveInt() }, 'expected { requests, perMs }')),
  maxIdentifierLength: optional(positiveInt()),
}, 'expected an object')

export const retrySchema = object({
  limit: optional(is<number>((value) => Number.isInteger(value) && (value as number) >= 0, 'expected an integer, 0 or more')),
  statusCodes: optional(is<number[]>((value) => Array.isArray(value) && value.every(Number.isInteger), 'expected an array of HTTP statuses')),
  delayMs: optional(nonNegative()),
  maxDelayMs: optional(nonNegative()),
  maxRetryAfterMs: optional(nonNegative()),
}, 'expected an object')

/** Options an eraser and a provider both take. */
export const fetchOption = optional(is<FetchFunction>(isFunction, 'expected a fetch function'))
// A timer takes at most 2^31 - 1 ms (24.8 days): a longer timeout would fire at once.
export const timeoutOption = optional(is<number>((value) => Number.isInteger(value) && (value as number) > 0 && (value as number) < 2 ** 31, 'expected a positive number of ms, below 2^31'))

const commonSchema = object({
  baseURL: optional(text('expected a URL string')),
  fetch: fetchOption,
  retry: optional(retrySchema),
  timeout: timeoutOption,
  limits: optional(limitsSchema),
})

/**
 * Parses a provider's options: throws `invalid_config` naming the field, never quoting the value.
 * With erasekit's `object()`, the common options are known too, and any other key is refused.
 */
export function parseProviderOptions<S extends StandardSchemaV1>(
  provider: string,
  schema: S,
  options: unknown,
): StandardSchemaV1.InferOutput<S> {
  if (typeof options !== 'object' || options === null) {
    throw configError('options: expected an object', provider)
  }
  const { entries, message } = schema as Partial<ObjectSchema<unknown>>
  // valibot's objects have `entries` too: only erasekit's are merged. The provider's keys come
  // first (in messages) and its checks win (Altcraft requires baseURL).
  const full = entries && schema['~standard'].vendor === 'erasekit' ? object({ ...entries, ...commonSchema.entries, ...entries }, message) : schema
  return parseOrThrow(full, options, provider)
}

/**
 * Validates a provider definition at factory time and returns the provider the core runs.
 * Bundled providers use exactly this; so can any third-party package.
 */
export function defineProvider<O extends object>(definition: ProviderDefinition<O>): Provider {
  const { name, options } = definition
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/i.test(name)) {
    throw configError('name: expected letters, digits, "-" or "_"')
  }
  checkSpecificationVersion(definition)
  const given = (options ?? {}) as Record<string, unknown>
  // The common options only: the provider's own are its schema's business.
  const commonOnly = typeof given === 'object' ? Object.fromEntries(Object.keys(commonSchema.entries).map((key) => [key, given[key]])) : given
  const common = parseProviderOptions(name, commonSchema, commonOnly)
  if (definition.schema) parseProviderOptions(name, definition.schema, options)
  // The provider's own limits are checked like the user's: a batch of 0 or no slot would never finish.
  if (definition.limits !== undefined) parseOrThrow(limitsSchema, definition.limits, name, 'limits')
  if (definition.retry !== undefined) parseOrThrow(retrySchema, definition.retry, name, 'retry')
  const base = common.baseURL ?? definition.baseURL
  // None at all: every request must give an absolute URL, held to the same rules when it is sent.
  const baseURL = base === undefined ? undefined : checkBaseURL(base, name, common.baseURL || !definition.baseURL ? 'options.baseURL' : 'baseURL')
  // A key left undefined keeps the value below it.
  const limits = mergeLayers<Limits>({ batchSize: 1, concurrency: 8 }, definition.limits, common.limits) as Provider['limits']
  const maxBatchSize = definition.maxBatchSize ?? definition.limits?.batchSize ?? 1
  // An erase() handed more than it can take would leave identifiers unsent: refuse up front.
  if (limits.batchSize > maxBatchSize) throw configError(`options.limits.batchSize: expected at most ${maxBatchSize}`, name)
  // The vendor's identifier length limit is its own: a user may lower it, never raise it.
  const maxLength = definition.limits?.maxIdentifierLength
  if (maxLength !== undefined && limits.maxIdentifierLength! > maxLength) throw configError(`options.limits.maxIdentifierLength: expected at most ${maxLength}`, name)
  const secrets = (definition.secrets ?? []).filter((secret): secret is string => typeof secret === 'string' && secret !== '')
  // `console.log(provider)` and `JSON.stringify(provider)` show `***`: the array masks itself, so a
  // provider that spreads another (`{ ...adapty(options), name }`) keeps the mask.
  const masked = () => secrets.map(() => '***')
  const star = { value: () => '***' }
  Object.defineProperties(secrets, { toJSON: { value: masked }, toString: star, toLocaleString: star, [Symbol.for('nodejs.util.inspect.custom')]: { value: masked } })
  return Object.freeze({
    name,
    specificationVersion: definition.specificationVersion,
    secrets,
    baseURL,
    limits,
    // A user's key left undefined keeps the provider's (its `limit: 0` for a delete that must not repeat).
    retry: mergeLayers({}, definition.retry, common.retry),
    timeout: common.timeout,
    fetch: common.fetch as FetchFunction | undefined,
    targets: definition.targets,
    match: definition.match,
    check: definition.check,
    erase: definition.erase,
  })
}

/** The core accepts providers built for the contract versions it knows, and says clearly when it does not. */
export function checkSpecificationVersion(provider: { name?: string; specificationVersion?: unknown }): void {
  if (provider.specificationVersion === SPECIFICATION_VERSION) return
  const found = provider.specificationVersion === undefined ? 'no specificationVersion' : `specificationVersion ${String(provider.specificationVersion)}`
  throw configError(
    `provider declares ${found}; this @erasekit/core implements provider specification ${SPECIFICATION_VERSION}. Upgrade the provider package or @erasekit/core.`,
    typeof provider.name === 'string' ? provider.name : undefined,
  )
}
