import { readFile } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { createEraser, defineProvider, ErasureError, type Plugin, type Provider, type RetryOptions } from '@erasekit/core'
import { adapty, type AdaptyOptions } from '@erasekit/adapty'
import { altcraft, altcraftIdKey, type AltcraftOptions } from '@erasekit/altcraft'
import { batch, type BatchOptions } from '@erasekit/batch'
import { clevertap, type CleverTapOptions } from '@erasekit/clevertap'
import { UsageError } from './errors'

/** A key a message may echo: letters, `_` and `-` only. */
const PLAIN = /^[a-z_-]{1,39}$/i

/** A value read from an environment variable when the config is loaded: `{ env: 'ADAPTY_API_KEY' }`. */
export interface EnvRef {
  env: string
}

/** A string given literally or as an environment variable reference (use the latter for secrets). */
export type Secret = string | EnvRef

type WithSecrets<T, K extends keyof T> = Omit<T, K | 'fetch'> & { [P in K]: Secret }

export interface ProvidersConfig {
  adapty?: WithSecrets<AdaptyOptions, 'apiKey'>
  clevertap?: WithSecrets<CleverTapOptions, 'accountId' | 'passcode'>
  altcraft?: WithSecrets<AltcraftOptions, 'token' | 'baseURL'>
  batch?: Omit<BatchOptions, 'restKey' | 'appKeys' | 'fetch'> & { restKey: Secret; appKeys: Record<string, Secret> }
  /** Any other provider: an object made by `defineProvider()` (e.g. from a third-party package), in .ts/.mjs configs. */
  [name: string]: object | undefined
}

export interface Config {
  /** Providers by name; options as their factories take them, secrets as `{ env: 'NAME' }`. */
  providers: ProvidersConfig
  /** Plugins (`definePlugin(...)`), .ts/.mjs configs only. */
  plugins?: Plugin[]
  /** Default retry policy for every provider (each provider's own `retry` wins). */
  retry?: RetryOptions
  /** Per attempt, ms. Default 10 000. */
  timeout?: number
  /** Salts the SHA-256 identifier hashes in receipts. Keep it stable across runs if you compare hashes. */
  receiptSalt?: Secret
}

type BundledName = 'adapty' | 'clevertap' | 'altcraft' | 'batch'

/**
 * Types and documents an erasekit.config.ts / .mjs. A name other than the bundled four must hold
 * a provider object, so a misspelt `adapti: { apiKey }` is a type error, not only a load error.
 */
export function defineConfig<P extends ProvidersConfig>(
  // A value already typed `Config` (its names unknown) is taken as it is.
  // Each bundled name typed as its options (not as the inferred P), so a misspelt optional option is an excess property.
  config: Omit<Config, 'providers'> & { providers: string extends keyof P ? P : { [K in keyof P]: K extends BundledName ? ProvidersConfig[K] : P[K] & Provider } },
): Config {
  return config
}

export const BUNDLED = {
  adapty: (options: any) => adapty(options),
  clevertap: (options: any) => clevertap(options),
  altcraft: (options: any) => altcraft(options),
  batch: (options: any) => batch(options),
} as const

export const BUNDLED_NAMES = Object.keys(BUNDLED)
const TOP_LEVEL = ['providers', 'plugins', 'retry', 'timeout', 'receiptSalt']

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)

const isEnvRef = (value: unknown): value is EnvRef => isPlainObject(value) && Object.keys(value).length === 1 && 'env' in value

const isProvider = (value: unknown): value is Provider =>
  typeof value === 'object' && value !== null && typeof (value as Provider).erase === 'function' && typeof (value as Provider).match === 'function'

/** Loads erasekit.config.{ts,mts,mjs,js,json}. */
export async function loadConfig(file: string): Promise<unknown> {
  const path = resolve(file)
  const ext = extname(path).toLowerCase()
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new UsageError(`--config: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  if (ext === '.json') {
    try {
      return JSON.parse(text)
    } catch (error) {
      const position = /position (\d+)/.exec((error as Error).message)?.[1]
      const where = position === undefined ? '' : ` at line ${text.slice(0, Number(position)).split('\n').length}`
      // The parser's message quotes the text around the error, which may be a secret: never shown.
      throw new UsageError(`${file}: not valid JSON${where}`)
    }
  }
  if (!['.ts', '.mts', '.mjs', '.js'].includes(ext)) throw new UsageError(`--config: expected a .ts, .mjs or .json file, got ${file}`)
  const { createJiti } = await import('jiti')
  // A config imports `defineConfig` from '@erasekit/cli' (and maybe erasekit packages): resolve those
  // to the CLI's own copies, so a config works wherever it lives (npx, a global install, a bare folder).
  const alias: Record<string, string> = {}
  for (const name of ['@erasekit/cli', '@erasekit/core', ...BUNDLED_NAMES.map((provider) => `@erasekit/${provider}`)]) {
    try {
      alias[name] = import.meta.resolve(name)
    } catch {}
  }
  const jiti = createJiti(import.meta.url, { alias, moduleCache: false, fsCache: false })
  try {
    return await jiti.import(path, { default: true })
  } catch (error) {
    // The loader's message may quote the file's own text (a secret pasted without quotes is a
    // ReferenceError naming it): its kind and place are shown, never the text.
    const { name, code, stack } = (error ?? {}) as NodeJS.ErrnoException
    const at = stack?.split('\n').find((line) => line.includes(path))?.match(/:(\d+):\d+\)?$/)
    const kind = [typeof name === 'string' && /^\w+$/.test(name) ? name : 'error', typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : ''].filter(Boolean).join(' ')
    throw new UsageError(`${file}: could not be loaded (${kind}${at ? ` near line ${at[1]}` : ''}); its message is not shown, since it may quote the file: run the file with node or tsx to see it`)
  }
}

export interface BuildOptions {
  file: string
  /** `--only`: provider names to keep. */
  only?: string[]
  env?: Record<string, string | undefined>
}

export interface Built {
  providers: Provider[]
  /** Provider targets as outcomes name them (`batch/ios`). */
  lanes: string[]
  /** One line per provider that cannot run (a missing secret): each of its outcomes fails with invalid_config. */
  problems: string[]
  plugins: Plugin[]
  /** Keys of `ids.<key>` columns besides provider names (Altcraft's `custom.from: 'ids.<key>'`). */
  idKeys: string[]
  /** The options (secrets resolved) of each bundled provider configured by options, by name: vendor clients take them too. */
  options: Record<string, Record<string, unknown>>
  retry?: RetryOptions
  timeout?: number
  receiptSalt?: string
}

const PLACEHOLDER = 'erasekit-missing-secret'

/** Validates a loaded config and makes its providers. Throws UsageError naming the field. */
export function buildConfig(raw: unknown, options: BuildOptions): Built {
  const { file } = options
  const env = options.env ?? process.env
  const fail = (message: string): never => {
    throw new UsageError(`${file}: ${message}`)
  }
  if (!isPlainObject(raw)) fail('expected an object (export default defineConfig({ providers: { ... } }))')
  const config = raw as Record<string, unknown>
  for (const key of Object.keys(config)) {
    // A key that is no plain name (digits, symbols) may be a secret pasted in the wrong place: not echoed.
    if (!TOP_LEVEL.includes(key)) fail(`${PLAIN.test(key) ? `${key}: ` : ''}unknown field (expected ${TOP_LEVEL.join(', ')})`)
  }
  if (!isPlainObject(config.providers) || Object.keys(config.providers).length === 0) {
    fail(`providers: expected an object with at least one provider (${BUNDLED_NAMES.join(', ')})`)
  }
  const configured = config.providers as Record<string, unknown>
  let names = Object.keys(configured)
  // Altcraft's custom field read from `ids.<key>` makes that key a column, whether or not Altcraft runs (--only, a missing secret).
  const altcraftOptions = configured.altcraft
  const from = isPlainObject(altcraftOptions) && isPlainObject(altcraftOptions.custom) ? altcraftOptions.custom.from : undefined
  const idKey = altcraftIdKey(isEnvRef(from) && typeof from.env === 'string' ? env[from.env] : from)
  if (options.only) {
    for (const name of options.only) {
      if (!names.includes(name)) throw new UsageError(`--only: ${JSON.stringify(name)} is not in ${file} (configured: ${names.join(', ')})`)
    }
    names = names.filter((name) => options.only!.includes(name))
  }

  const problems: string[] = []
  const providers: Provider[] = []
  const resolvedOptions: Record<string, Record<string, unknown>> = {}
  for (const name of names) {
    const value = configured[name]
    const field = `providers.${name}`
    if (isProvider(value)) {
      if (value.name !== name) fail(`${field}: this provider object is named ${JSON.stringify(value.name)}; use that key`)
      providers.push(value)
      continue
    }
    const factory = BUNDLED[name as keyof typeof BUNDLED]
    if (!factory) fail(`${field}: unknown provider (bundled: ${BUNDLED_NAMES.join(', ')}; others: pass a defineProvider() object in a .ts/.mjs config)`)
    if (!isPlainObject(value)) fail(`${field}: expected an object of ${name} options`)
    const missing: { path: string; env: string }[] = []
    const resolved = resolveEnv(value, field, env, missing, fail) as Record<string, any>
    const rethrow = (error: unknown): never => {
      if (ErasureError.isInstance(error)) fail(configMessage(error, name))
      throw error
    }
    if (missing.length === 0) {
      resolvedOptions[name] = resolved
      try {
        providers.push(factory(resolved))
      } catch (error) {
        rethrow(error)
      }
      continue
    }
    // Validate everything else now (placeholders stand in for the missing values), then run the
    // provider as one that fails every subject with invalid_config: the others still erase.
    try {
      factory(resolved)
    } catch (error) {
      const message = ErasureError.isInstance(error) ? configMessage(error, name) : ''
      if (!missing.some((item) => message.startsWith(`${item.path}:`))) rethrow(error)
    }
    const message = missing.map((item) => `${item.path}: environment variable ${item.env} is not set`).join('; ')
    problems.push(message)
    const appKeys = (value as { appKeys?: unknown }).appKeys
    const targets = name === 'batch' && isPlainObject(appKeys) ? Object.keys(appKeys) : undefined
    providers.push(unconfigured(name, message, targets))
  }

  if (config.plugins !== undefined && !Array.isArray(config.plugins)) fail('plugins: expected an array of plugins')
  // The core's own checks of retry and timeout, now, so the message names this file's field.
  try {
    createEraser({ providers, retry: config.retry as RetryOptions | undefined, timeout: config.timeout as number | undefined })
  } catch (error) {
    if (!ErasureError.isInstance(error)) throw error
    fail(error.message.replace(/^\[erasekit\] (options\.)?/, ''))
  }
  let receiptSalt: string | undefined
  if (config.receiptSalt !== undefined) {
    const missing: { path: string; env: string }[] = []
    const salt = resolveEnv(config.receiptSalt, 'receiptSalt', env, missing, fail)
    if (missing.length) fail(`receiptSalt: environment variable ${missing[0]!.env} is not set`)
    if (typeof salt !== 'string' || !salt) fail('receiptSalt: expected a string or { env: "NAME" }')
    receiptSalt = salt as string
  }
  return {
    providers,
    lanes: providers.flatMap((provider) => (provider.targets?.length ? provider.targets.map((target) => `${provider.name}/${target}`) : [provider.name])),
    problems,
    plugins: (config.plugins as Plugin[] | undefined) ?? [],
    options: resolvedOptions,
    idKeys: idKey ? [idKey] : [],
    retry: config.retry as RetryOptions | undefined,
    timeout: config.timeout as number | undefined,
    receiptSalt,
  }
}

/** Per bundled provider, the options that say what an erasure covered (never a credential), with their defaults. */
const SCOPE: Record<string, Record<string, unknown>> = {
  adapty: { apiVersion: 'v2', customerUserIdFrom: 'userId', verify: false },
  clevertap: { region: 'eu1', identityFrom: 'userId' },
  altcraft: { dbId: undefined, resourceId: undefined, matching: ['profile_id', 'email', 'phone', 'custom'], custom: undefined },
  batch: { mode: 'custom_data', customIdFrom: 'userId' },
}

/**
 * What each provider of a run covers, for the record beside its receipts: the scope options of a
 * bundled provider (Batch's mode, Altcraft's database), its API origin and its targets. Nothing else
 * of the options is read, so no credential can be in it.
 */
export function scopeOf(built: Built): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    built.providers.map((provider) => {
      const options = built.options[provider.name]
      const scope: Record<string, unknown> = { ...(provider.baseURL ? { origin: new URL(provider.baseURL).origin } : {}), ...(provider.targets?.length ? { targets: provider.targets } : {}) }
      for (const [key, fallback] of Object.entries((options && SCOPE[provider.name]) ?? {})) scope[key] = options![key] ?? fallback
      return [provider.name, scope]
    }),
  )
}

/** `[erasekit] [clevertap] options.region: ...` → `providers.clevertap.region: ...` */
function configMessage(error: ErasureError, name: string): string {
  return error.message
    .replace(/^\[erasekit\](?: \[[^\]]+\])? /, '')
    .replace(/^options\./, `providers.${name}.`)
    .replace(/^options:/, `providers.${name}:`)
    .replace(/^baseURL:/, `providers.${name}.baseURL:`)
}

function resolveEnv(value: unknown, path: string, env: Record<string, string | undefined>, missing: { path: string; env: string }[], fail: (message: string) => never): unknown {
  if (isEnvRef(value)) {
    if (typeof value.env !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value.env)) fail(`${path}.env: expected an environment variable name, e.g. { "env": "ADAPTY_API_KEY" }`)
    const found = env[value.env]
    if (found === undefined || found === '') {
      missing.push({ path, env: shownName(value.env, env, path) })
      return PLACEHOLDER
    }
    return found
  }
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveEnv(item, `${path}.${key}`, env, missing, fail)]))
  if (Array.isArray(value)) return value.map((item, index) => resolveEnv(item, `${path}.${index}`, env, missing, fail))
  return value
}

/**
 * The variable's name for a message (it goes into every receipt of that provider) when it looks
 * like one: upper case with underscores, or short, and not the value of another variable. A secret
 * given where the name goes ({ env: process.env.KEY }) rarely does; an upper-case one may.
 */
function shownName(name: string, env: Record<string, string | undefined>, path: string): string {
  const conventional = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(name) && (name.includes('_') ? name.length <= 64 : name.length <= 12)
  return conventional && !Object.values(env).includes(name) ? name : `named at ${path}.env`
}

/** A provider whose config is incomplete: every subject fails with invalid_config, nothing is sent. */
function unconfigured(name: string, message: string, targets?: string[]): Provider {
  const error = () => new ErasureError('invalid_config', message, { provider: name })
  return defineProvider({
    name,
    specificationVersion: 1,
    options: {},
    baseURL: 'https://invalid.invalid',
    targets,
    match() {
      throw error()
    },
    async erase() {
      throw error()
    },
  })
}
