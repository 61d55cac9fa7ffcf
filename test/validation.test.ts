/**
 * Every validation message erasekit produces, pinned: eraser options, the common provider options,
 * subjects, and each bundled provider's options (plus the Braze example, a third-party package).
 * A message names the field and never quotes the value; this table is the contract that any
 * change of validation machinery must keep, byte for byte.
 */
import { describe, expect, it } from 'vitest'
import { createEraser, defineProvider, ErasureError, type Subject } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { altcraft } from '@erasekit/altcraft'
import { batch } from '@erasekit/batch'
import { clevertap } from '@erasekit/clevertap'
import { braze } from 'erasekit-provider-braze'

/** The message of the ErasureError `fn` throws (or rejects with), with its code. */
async function message(fn: () => unknown): Promise<string> {
  try {
    await fn()
  } catch (error) {
    if (!ErasureError.isInstance(error)) throw error
    return `${error.code}: ${error.message}`
  }
  return 'ok'
}

const messages = async (cases: Record<string, () => unknown>) =>
  Object.fromEntries(await Promise.all(Object.entries(cases).map(async ([label, fn]) => [label, await message(fn)])))

const plain = (options: unknown) =>
  defineProvider({ name: 'plain', specificationVersion: 1, options: options as never, baseURL: 'https://api.plain.example', match: () => undefined, erase: async () => [] })
const provider = plain({})
const eraser = (options: unknown) => () => createEraser(options as never)
const subject = (value: unknown) => () => createEraser({ providers: [provider] }).erase(value)

describe('validation messages', () => {
  it('eraser options', async () => {
    expect(
      await messages({
        undefined: eraser(undefined),
        null: eraser(null),
        number: eraser(5),
        'no providers key': eraser({}),
        'empty providers': eraser({ providers: [] }),
        'providers not named': eraser({ providers: [{}] }),
        'plugins not an array': eraser({ providers: [provider], plugins: 5 }),
        'plugin not named': eraser({ providers: [provider], plugins: [{}] }),
        'plugin with neither setup nor hooks': eraser({ providers: [provider], plugins: [{ name: 'x' }] }),
        'plugin setup not a function': eraser({ providers: [provider], plugins: [{ name: 'x', setup: 'nope' }] }),
        'plugin hooks not an object': eraser({ providers: [provider], plugins: [{ name: 'x', hooks: 5 }] }),
        'plugin hook not a function': eraser({ providers: [provider], plugins: [{ name: 'x', hooks: { outcome: 'log' } }] }),
        'plugin hook misspelt': eraser({ providers: [provider], plugins: [{ name: 'x', hooks: { outcomes: () => {} } }] }),
        'eraser.hook misspelt': () => createEraser({ providers: [provider] }).hook('beforeRequst' as never, () => {}),
        'timeout 0': eraser({ providers: [provider], timeout: 0 }),
        'timeout 1.5': eraser({ providers: [provider], timeout: 1.5 }),
        'timeout string': eraser({ providers: [provider], timeout: '10' }),
        'timeout 2^31 (past the timer range)': eraser({ providers: [provider], timeout: 2 ** 31 }),
        'fetch not a function': eraser({ providers: [provider], fetch: {} }),
        'receiptSalt empty': eraser({ providers: [provider], receiptSalt: '' }),
        'receiptSalt number': eraser({ providers: [provider], receiptSalt: 5 }),
        'secrets not an array': eraser({ providers: [provider], secrets: 'x' }),
        'secrets item': eraser({ providers: [provider], secrets: ['a', 1] }),
        'retry number': eraser({ providers: [provider], retry: 5 }),
        'retry null': eraser({ providers: [provider], retry: null }),
        'retry.limit -1': eraser({ providers: [provider], retry: { limit: -1 } }),
        'retry.limit 1.5': eraser({ providers: [provider], retry: { limit: 1.5 } }),
        'retry.statusCodes': eraser({ providers: [provider], retry: { statusCodes: [500, 'x'] } }),
        'retry.delayMs': eraser({ providers: [provider], retry: { delayMs: -1 } }),
        'retry.maxDelayMs': eraser({ providers: [provider], retry: { maxDelayMs: '1' } }),
        'retry.maxRetryAfterMs': eraser({ providers: [provider], retry: { maxRetryAfterMs: -1 } }),
        'undefined optional keys': eraser({ providers: [provider], timeout: undefined, retry: { limit: undefined } }),
        'unknown keys': eraser({ providers: [provider], extra: 1, retry: { limt: 1 } }),
        'unknown key (a typo)': eraser({ providers: [provider], timout: 5 }),
        'erase() option typo': () => createEraser({ providers: [provider] }).erase({ userId: 'u' }, { dryrun: true } as never),
        'eraseMany() option typo': () => createEraser({ providers: [provider] }).eraseMany([], { windw: 10 } as never),
      }),
    ).toMatchInlineSnapshot(`
      {
        "empty providers": "invalid_config: [erasekit] options.providers: expected a non-empty array of providers from defineProvider()",
        "erase() option typo": "invalid_config: [erasekit] options.dryrun: unknown field (expected signal, dryRun or journal)",
        "eraseMany() option typo": "invalid_config: [erasekit] options.windw: unknown field (expected signal, dryRun, window, lingerMs, progressIntervalMs, journal or onProgress)",
        "eraser.hook misspelt": "invalid_config: [erasekit] hook "beforeRequst": expected one of beforeRequest, afterResponse, onError, retry, outcome, report, progress",
        "fetch not a function": "invalid_config: [erasekit] options.fetch: expected a fetch function",
        "no providers key": "invalid_config: [erasekit] options.providers: required",
        "null": "invalid_config: [erasekit] options: expected an object",
        "number": "invalid_config: [erasekit] options: expected an object",
        "plugin hook misspelt": "invalid_config: [erasekit] plugin "x": hook "outcomes": expected one of beforeRequest, afterResponse, onError, retry, outcome, report, progress",
        "plugin hook not a function": "invalid_config: [erasekit] options.plugins: expected an array of plugins from definePlugin()",
        "plugin hooks not an object": "invalid_config: [erasekit] options.plugins: expected an array of plugins from definePlugin()",
        "plugin not named": "invalid_config: [erasekit] options.plugins: expected an array of plugins from definePlugin()",
        "plugin setup not a function": "invalid_config: [erasekit] options.plugins: expected an array of plugins from definePlugin()",
        "plugin with neither setup nor hooks": "invalid_config: [erasekit] options.plugins: expected an array of plugins from definePlugin()",
        "plugins not an array": "invalid_config: [erasekit] options.plugins: expected an array of plugins from definePlugin()",
        "providers not named": "invalid_config: [erasekit] options.providers: expected a non-empty array of providers from defineProvider()",
        "receiptSalt empty": "invalid_config: [erasekit] options.receiptSalt: expected a non-empty string",
        "receiptSalt number": "invalid_config: [erasekit] options.receiptSalt: expected a non-empty string",
        "retry null": "invalid_config: [erasekit] options.retry: expected an object",
        "retry number": "invalid_config: [erasekit] options.retry: expected an object",
        "retry.delayMs": "invalid_config: [erasekit] options.retry.delayMs: expected a number, 0 or more",
        "retry.limit -1": "invalid_config: [erasekit] options.retry.limit: expected an integer, 0 or more",
        "retry.limit 1.5": "invalid_config: [erasekit] options.retry.limit: expected an integer, 0 or more",
        "retry.maxDelayMs": "invalid_config: [erasekit] options.retry.maxDelayMs: expected a number, 0 or more",
        "retry.maxRetryAfterMs": "invalid_config: [erasekit] options.retry.maxRetryAfterMs: expected a number, 0 or more",
        "retry.statusCodes": "invalid_config: [erasekit] options.retry.statusCodes: expected an array of HTTP statuses",
        "secrets item": "invalid_config: [erasekit] options.secrets: expected an array of strings",
        "secrets not an array": "invalid_config: [erasekit] options.secrets: expected an array of strings",
        "timeout 0": "invalid_config: [erasekit] options.timeout: expected a positive number of ms, below 2^31",
        "timeout 1.5": "invalid_config: [erasekit] options.timeout: expected a positive number of ms, below 2^31",
        "timeout 2^31 (past the timer range)": "invalid_config: [erasekit] options.timeout: expected a positive number of ms, below 2^31",
        "timeout string": "invalid_config: [erasekit] options.timeout: expected a positive number of ms, below 2^31",
        "undefined": "invalid_config: [erasekit] options: expected an object",
        "undefined optional keys": "ok",
        "unknown key (a typo)": "invalid_config: [erasekit] options.timout: unknown field (expected providers, plugins, timeout, fetch, receiptSalt, secrets or retry)",
        "unknown keys": "invalid_config: [erasekit] options: unknown field (expected providers, plugins, timeout, fetch, receiptSalt, secrets or retry)",
      }
    `)
  })

  it('common provider options', async () => {
    const define = (options: unknown) => () => plain(options)
    expect(
      await messages({
        undefined: define(undefined),
        number: define(5),
        'baseURL number': define({ baseURL: 5 }),
        'baseURL empty': define({ baseURL: '' }),
        'fetch string': define({ fetch: 'fetch' }),
        'retry string': define({ retry: 'x' }),
        'retry.limit': define({ retry: { limit: 'x' } }),
        'timeout -5': define({ timeout: -5 }),
        'limits number': define({ limits: 5 }),
        'limits null': define({ limits: null }),
        'limits.batchSize 0': define({ limits: { batchSize: 0 } }),
        'limits.concurrency 1.5': define({ limits: { concurrency: 1.5 } }),
        'limits.rate number': define({ limits: { rate: 5 } }),
        'limits.rate empty': define({ limits: { rate: {} } }),
        'limits.rate no perMs': define({ limits: { rate: { requests: 1 } } }),
        'limits.rate.requests 0': define({ limits: { rate: { requests: 0, perMs: 1 } } }),
        'limits.maxIdentifierLength': define({ limits: { maxIdentifierLength: 0 } }),
        'limits.batchSize above the provider maximum': define({ limits: { batchSize: 2 } }),
        'a valid config': define({ baseURL: 'https://x.example', retry: { limit: 0, statusCodes: [500] }, timeout: 5, limits: { batchSize: 1, concurrency: 3, rate: { requests: 1, perMs: 1 } } }),
      }),
    ).toMatchInlineSnapshot(`
      {
        "a valid config": "ok",
        "baseURL empty": "invalid_config: [erasekit] [plain] options.baseURL: expected a URL string",
        "baseURL number": "invalid_config: [erasekit] [plain] options.baseURL: expected a URL string",
        "fetch string": "invalid_config: [erasekit] [plain] options.fetch: expected a fetch function",
        "limits null": "invalid_config: [erasekit] [plain] options.limits: expected an object",
        "limits number": "invalid_config: [erasekit] [plain] options.limits: expected an object",
        "limits.batchSize 0": "invalid_config: [erasekit] [plain] options.limits.batchSize: expected a positive integer",
        "limits.batchSize above the provider maximum": "invalid_config: [erasekit] [plain] options.limits.batchSize: expected at most 1",
        "limits.concurrency 1.5": "invalid_config: [erasekit] [plain] options.limits.concurrency: expected a positive integer",
        "limits.maxIdentifierLength": "invalid_config: [erasekit] [plain] options.limits.maxIdentifierLength: expected a positive integer",
        "limits.rate empty": "invalid_config: [erasekit] [plain] options.limits.rate.requests: required",
        "limits.rate no perMs": "invalid_config: [erasekit] [plain] options.limits.rate.perMs: required",
        "limits.rate number": "invalid_config: [erasekit] [plain] options.limits.rate: expected { requests, perMs }",
        "limits.rate.requests 0": "invalid_config: [erasekit] [plain] options.limits.rate.requests: expected a positive integer",
        "number": "invalid_config: [erasekit] [plain] options: expected an object",
        "retry string": "invalid_config: [erasekit] [plain] options.retry: expected an object",
        "retry.limit": "invalid_config: [erasekit] [plain] options.retry.limit: expected an integer, 0 or more",
        "timeout -5": "invalid_config: [erasekit] [plain] options.timeout: expected a positive number of ms, below 2^31",
        "undefined": "ok",
      }
    `)
  })

  it('subjects', async () => {
    expect(
      await messages({
        undefined: subject(undefined),
        null: subject(null),
        string: subject('u1'),
        array: subject(['u1']),
        'userId number': subject({ userId: 42 }),
        'email empty': subject({ email: '' }),
        'ref number': subject({ ref: 5 }),
        'phone null': subject({ phone: null }),
        'ids number': subject({ ids: 5 }),
        'ids null': subject({ ids: null }),
        'ids.demo number': subject({ ids: { demo: 7 } }),
        'ids second value empty': subject({ ids: { a: 'x', b: '' } }),
        'ids array': subject({ ids: [] }),
        'empty subject': subject({}),
        'undefined optional keys': subject({ userId: undefined, ids: undefined }),
        'ids value undefined': subject({ userId: 'u1', ids: { adapty: undefined } }),
      }),
    ).toMatchInlineSnapshot(`
      {
        "array": "invalid_subject: [erasekit] subject: expected an object",
        "email empty": "invalid_subject: [erasekit] subject.email: expected a non-empty string",
        "empty subject": "ok",
        "ids array": "invalid_subject: [erasekit] subject.ids: expected an object of provider ids",
        "ids null": "invalid_subject: [erasekit] subject.ids: expected an object of provider ids",
        "ids number": "invalid_subject: [erasekit] subject.ids: expected an object of provider ids",
        "ids second value empty": "invalid_subject: [erasekit] subject.ids.b: expected a non-empty string",
        "ids value undefined": "ok",
        "ids.demo number": "invalid_subject: [erasekit] subject.ids.demo: expected a non-empty string",
        "null": "invalid_subject: [erasekit] subject: expected an object",
        "phone null": "invalid_subject: [erasekit] subject.phone: expected a non-empty string",
        "ref number": "invalid_subject: [erasekit] subject.ref: expected a non-empty string",
        "string": "invalid_subject: [erasekit] subject: expected an object",
        "undefined": "invalid_subject: [erasekit] subject: expected an object",
        "undefined optional keys": "ok",
        "userId number": "invalid_subject: [erasekit] subject.userId: expected a non-empty string",
      }
    `)
  })

  it('the subject a provider sees is a copy (unknown fields are refused before)', async () => {
    const seen: Subject[] = []
    const spy = defineProvider({
      name: 'spy',
      specificationVersion: 1,
      options: {},
      baseURL: 'https://api.spy.example',
      match: (value) => void seen.push(value),
      erase: async () => [],
    })
    const input = { ref: 'r', userId: 'u', ids: { spy: 'i' } }
    await expect(createEraser({ providers: [spy] }).erase({ ...input, 'e-mail': 'x' })).rejects.toThrow('subject.e-mail: unknown field')
    expect(seen).toEqual([])
    await createEraser({ providers: [spy] }).erase(input)
    expect(seen).toEqual([{ ref: 'r', userId: 'u', ids: { spy: 'i' } }])
    expect(seen[0]).not.toBe(input)
    expect(seen[0]!.ids).not.toBe(input.ids)
  })

  it('adapty', async () => {
    const make = (options: unknown) => () => adapty(options as never)
    expect(
      await messages({
        undefined: make(undefined),
        'no apiKey': make({}),
        'apikey (a typo, no apiKey)': make({ apikey: 'k' }),
        'apiKey undefined': make({ apiKey: undefined }),
        'apiKey empty': make({ apiKey: '' }),
        'apiKey space': make({ apiKey: 'a b' }),
        'apiVersion': make({ apiKey: 'k', apiVersion: 'v3' }),
        'customerUserIdFrom': make({ apiKey: 'k', customerUserIdFrom: 'ref' }),
        'verify': make({ apiKey: 'k', verify: 'yes' }),
        'timeout (common)': make({ apiKey: 'k', timeout: 0 }),
        valid: make({ apiKey: 'k', apiVersion: 'v1', customerUserIdFrom: 'email', verify: false }),
        'customerUserIDFrom (a typo)': make({ apiKey: 'k', customerUserIDFrom: 'email' }),
      }),
    ).toMatchInlineSnapshot(`
      {
        "apiKey empty": "invalid_config: [erasekit] [adapty] options.apiKey: expected a non-empty string",
        "apiKey space": "invalid_config: [erasekit] [adapty] options.apiKey: expected printable ASCII without spaces",
        "apiKey undefined": "invalid_config: [erasekit] [adapty] options.apiKey: expected a non-empty string",
        "apiVersion": "invalid_config: [erasekit] [adapty] options.apiVersion: expected "v2" or "v1"",
        "apikey (a typo, no apiKey)": "invalid_config: [erasekit] [adapty] options.apikey: unknown field (expected apiKey, apiVersion, customerUserIdFrom, verify, baseURL, fetch, retry, timeout or limits)",
        "customerUserIDFrom (a typo)": "invalid_config: [erasekit] [adapty] options.customerUserIDFrom: unknown field (expected apiKey, apiVersion, customerUserIdFrom, verify, baseURL, fetch, retry, timeout or limits)",
        "customerUserIdFrom": "invalid_config: [erasekit] [adapty] options.customerUserIdFrom: expected "userId", "email" or "phone"",
        "no apiKey": "invalid_config: [erasekit] [adapty] options.apiKey: required",
        "timeout (common)": "invalid_config: [erasekit] [adapty] options.timeout: expected a positive number of ms, below 2^31",
        "undefined": "invalid_config: [erasekit] [adapty] options: expected an object",
        "valid": "ok",
        "verify": "invalid_config: [erasekit] [adapty] options.verify: expected a boolean",
      }
    `)
  })

  it('clevertap', async () => {
    const base = { accountId: 'A', passcode: 'P' }
    const make = (options: unknown) => () => clevertap(options as never)
    expect(
      await messages({
        null: make(null),
        'no accountId': make({ passcode: 'P' }),
        'no passcode': make({ accountId: 'A' }),
        'accountId empty': make({ ...base, accountId: '' }),
        'passcode newline': make({ ...base, passcode: 'P\n' }),
        region: make({ ...base, region: 'eu2' }),
        identityFrom: make({ ...base, identityFrom: 'ref' }),
        'limits not an object': make({ ...base, limits: 'SECRET' }),
        'limits.batchSize string': make({ ...base, limits: { batchSize: '5' } }),
        'limits.batchSize NaN': make({ ...base, limits: { batchSize: Number.NaN } }),
        'limits.batchSize 101': make({ ...base, limits: { batchSize: 101 } }),
        'limits.batchSize 0 (common)': make({ ...base, limits: { batchSize: 0 } }),
        valid: make({ ...base, region: 'us1', identityFrom: 'email', limits: { batchSize: 100 } }),
        'Region (a typo)': make({ ...base, Region: 'in1' }),
      }),
    ).toMatchInlineSnapshot(`
      {
        "Region (a typo)": "invalid_config: [erasekit] [clevertap] options.Region: unknown field (expected accountId, passcode, region, identityFrom, baseURL, fetch, retry, timeout or limits)",
        "accountId empty": "invalid_config: [erasekit] [clevertap] options.accountId: expected a non-empty string",
        "identityFrom": "invalid_config: [erasekit] [clevertap] options.identityFrom: expected userId, email or phone",
        "limits not an object": "invalid_config: [erasekit] [clevertap] options.limits: expected an object",
        "limits.batchSize 0 (common)": "invalid_config: [erasekit] [clevertap] options.limits.batchSize: expected a positive integer",
        "limits.batchSize 101": "invalid_config: [erasekit] [clevertap] options.limits.batchSize: expected at most 100",
        "limits.batchSize NaN": "invalid_config: [erasekit] [clevertap] options.limits.batchSize: expected a positive integer",
        "limits.batchSize string": "invalid_config: [erasekit] [clevertap] options.limits.batchSize: expected a positive integer",
        "no accountId": "invalid_config: [erasekit] [clevertap] options.accountId: required",
        "no passcode": "invalid_config: [erasekit] [clevertap] options.passcode: required",
        "null": "invalid_config: [erasekit] [clevertap] options: expected an object",
        "passcode newline": "invalid_config: [erasekit] [clevertap] options.passcode: expected printable ASCII without spaces",
        "region": "invalid_config: [erasekit] [clevertap] options.region: expected eu1, in1, sg1, us1, aps3 or mec1",
        "valid": "ok",
      }
    `)
  })

  it('altcraft', async () => {
    const base = { baseURL: 'https://ru.altkraft.com', token: 't', dbId: 1 }
    const make = (options: unknown) => () => altcraft(options as never)
    const without = (key: keyof typeof base) => Object.fromEntries(Object.entries(base).filter(([name]) => name !== key))
    expect(
      await messages({
        string: make('x'),
        'no baseURL': make(without('baseURL')),
        'baseURL empty': make({ ...base, baseURL: '' }),
        'no token': make(without('token')),
        'no dbId': make(without('dbId')),
        'dbId 0': make({ ...base, dbId: 0 }),
        'dbId string': make({ ...base, dbId: '1' }),
        tokenIn: make({ ...base, tokenIn: 'query' }),
        'matching string': make({ ...base, matching: 'email' }),
        'matching empty': make({ ...base, matching: [] }),
        'matching item': make({ ...base, matching: ['email', 'fax'] }),
        'custom number': make({ ...base, custom: 5 }),
        'custom empty': make({ ...base, custom: {} }),
        'custom no from': make({ ...base, custom: { field: 'f' } }),
        'custom.field empty': make({ ...base, custom: { field: '', from: 'userId' } }),
        'custom.from': make({ ...base, custom: { field: 'f', from: 'ref' } }),
        'custom needed': make({ ...base, matching: ['custom'] }),
        resourceId: make({ ...base, resourceId: 0 }),
        valid: make({ ...base, tokenIn: 'header', matching: ['custom', 'email'], custom: { field: 'f', from: 'phone' }, resourceId: 2 }),
        'custom.fild (a typo)': make({ ...base, matching: ['custom'], custom: { fild: 'f', field: 'f', from: 'phone' } }),
      }),
    ).toMatchInlineSnapshot(`
      {
        "baseURL empty": "invalid_config: [erasekit] [altcraft] options.baseURL: required: https://ru.altkraft.com or your own Altcraft URL",
        "custom empty": "invalid_config: [erasekit] [altcraft] options.custom.field: required",
        "custom needed": "invalid_config: [erasekit] [altcraft] options.custom: required when matching includes "custom"",
        "custom no from": "invalid_config: [erasekit] [altcraft] options.custom.from: required",
        "custom number": "invalid_config: [erasekit] [altcraft] options.custom: expected { field, from }",
        "custom.field empty": "invalid_config: [erasekit] [altcraft] options.custom.field: expected a non-empty string",
        "custom.fild (a typo)": "invalid_config: [erasekit] [altcraft] options.custom.fild: unknown field (expected field or from)",
        "custom.from": "invalid_config: [erasekit] [altcraft] options.custom.from: expected userId | email | phone | ids.<key>",
        "dbId 0": "invalid_config: [erasekit] [altcraft] options.dbId: expected a positive integer",
        "dbId string": "invalid_config: [erasekit] [altcraft] options.dbId: expected a positive integer",
        "matching empty": "invalid_config: [erasekit] [altcraft] options.matching: expected at least one mode",
        "matching item": "invalid_config: [erasekit] [altcraft] options.matching.1: expected profile_id | email | phone | custom",
        "matching string": "invalid_config: [erasekit] [altcraft] options.matching: expected an array",
        "no baseURL": "invalid_config: [erasekit] [altcraft] options.baseURL: required: https://ru.altkraft.com or your own Altcraft URL",
        "no dbId": "invalid_config: [erasekit] [altcraft] options.dbId: required",
        "no token": "invalid_config: [erasekit] [altcraft] options.token: required",
        "resourceId": "invalid_config: [erasekit] [altcraft] options.resourceId: expected a positive integer",
        "string": "invalid_config: [erasekit] [altcraft] options: expected an object",
        "tokenIn": "invalid_config: [erasekit] [altcraft] options.tokenIn: expected body | header",
        "valid": "ok",
      }
    `)
  })

  it('batch', async () => {
    const base = { restKey: 'R', appKeys: { ios: 'I' } }
    const make = (options: unknown) => () => batch(options as never)
    expect(
      await messages({
        undefined: make(undefined),
        'no restKey': make({ appKeys: { ios: 'I' } }),
        'restKey number': make({ ...base, restKey: 5 }),
        'no appKeys': make({ restKey: 'R' }),
        'appKeys string': make({ ...base, appKeys: 'I' }),
        'appKeys empty': make({ ...base, appKeys: {} }),
        'appKeys array': make({ ...base, appKeys: [] }),
        'appKeys.ios empty': make({ ...base, appKeys: { ios: '' } }),
        'appKeys bad label': make({ ...base, appKeys: { 'i.o s': 'I' } }),
        mode: make({ ...base, mode: 'full' }),
        customIdFrom: make({ ...base, customIdFrom: 'ref' }),
        'callbackUrl number': make({ ...base, mode: 'gdpr', callbackUrl: 5 }),
        'callbackUrl http': make({ ...base, mode: 'gdpr', callbackUrl: 'http://x.example/cb' }),
        'callbackUrl without gdpr': make({ ...base, callbackUrl: 'https://x.example/cb' }),
        valid: make({ ...base, appKeys: { ios: 'I', 'and-roid_2': 'A' }, mode: 'gdpr', customIdFrom: 'email', callbackUrl: 'https://x.example/cb' }),
        'appKeys.ios ".."': make({ ...base, appKeys: { ios: '..' } }),
        'appKeys.ios with a newline': make({ ...base, appKeys: { ios: 'K\n' } }),
        'restKey non-Latin-1': make({ ...base, restKey: 'RESTключ' }),
        'labels constructor and __proto__ (kept as labels)': make({ ...base, appKeys: JSON.parse('{"constructor":"K1","__proto__":"K2"}') }),
        'customIDFrom (a typo)': make({ ...base, customIDFrom: 'email' }),
      }),
    ).toMatchInlineSnapshot(`
      {
        "appKeys array": "invalid_config: [erasekit] [batch] options.appKeys: expected { label: appKey }",
        "appKeys bad label": "invalid_config: [erasekit] [batch] options.appKeys: expected app keys by label ([A-Za-z0-9_-])",
        "appKeys empty": "invalid_config: [erasekit] [batch] options.appKeys: expected app keys by label ([A-Za-z0-9_-])",
        "appKeys string": "invalid_config: [erasekit] [batch] options.appKeys: expected { label: appKey }",
        "appKeys.ios ".."": "invalid_config: [erasekit] [batch] options.appKeys.ios: expected an app key, not "." or ".."",
        "appKeys.ios empty": "invalid_config: [erasekit] [batch] options.appKeys.ios: expected a non-empty string",
        "appKeys.ios with a newline": "invalid_config: [erasekit] [batch] options.appKeys.ios: expected printable ASCII without spaces",
        "callbackUrl http": "invalid_config: [erasekit] [batch] options.callbackUrl: expected an https URL",
        "callbackUrl number": "invalid_config: [erasekit] [batch] options.callbackUrl: expected an https URL",
        "callbackUrl without gdpr": "invalid_config: [erasekit] [batch] options.callbackUrl: needs mode gdpr",
        "customIDFrom (a typo)": "invalid_config: [erasekit] [batch] options.customIDFrom: unknown field (expected restKey, appKeys, mode, customIdFrom, callbackUrl, baseURL, fetch, retry, timeout or limits)",
        "customIdFrom": "invalid_config: [erasekit] [batch] options.customIdFrom: expected userId, email or phone",
        "labels constructor and __proto__ (kept as labels)": "ok",
        "mode": "invalid_config: [erasekit] [batch] options.mode: expected custom_data or gdpr",
        "no appKeys": "invalid_config: [erasekit] [batch] options.appKeys: required",
        "no restKey": "invalid_config: [erasekit] [batch] options.restKey: required",
        "restKey non-Latin-1": "invalid_config: [erasekit] [batch] options.restKey: expected printable ASCII without spaces",
        "restKey number": "invalid_config: [erasekit] [batch] options.restKey: expected a non-empty string",
        "undefined": "invalid_config: [erasekit] [batch] options: expected an object",
        "valid": "ok",
      }
    `)
  })

  it('braze (a third-party provider)', async () => {
    const base = { apiKey: 'k', instance: 'US-01' }
    const make = (options: unknown) => () => braze(options as never)
    expect(
      await messages({
        undefined: make(undefined),
        'no apiKey': make({ instance: 'US-01' }),
        'apiKey empty': make({ ...base, apiKey: '' }),
        'apiKey space': make({ ...base, apiKey: 'a b' }),
        instance: make({ ...base, instance: 'US-99' }),
        'no instance nor baseURL': make({ apiKey: 'k' }),
        externalIdFrom: make({ ...base, externalIdFrom: 'ref' }),
        'alias number': make({ ...base, alias: 5 }),
        'alias no from': make({ ...base, alias: { label: 'l' } }),
        'alias.label empty': make({ ...base, alias: { label: '', from: 'email' } }),
        'alias.from': make({ ...base, alias: { label: 'l', from: 'ref' } }),
        'limits not an object': make({ ...base, limits: 'SECRET' }),
        'limits.batchSize string': make({ ...base, limits: { batchSize: '5' } }),
        'limits.batchSize 51': make({ ...base, limits: { batchSize: 51 } }),
        valid: make({ ...base, externalIdFrom: 'email', alias: { label: 'l', from: 'phone' }, limits: { batchSize: 50 } }),
      }),
    ).toMatchInlineSnapshot(`
      {
        "alias no from": "invalid_config: [erasekit] [braze] options.alias.from: expected { label, from }",
        "alias number": "invalid_config: [erasekit] [braze] options.alias: expected { label, from }",
        "alias.from": "invalid_config: [erasekit] [braze] options.alias.from: expected userId, email or phone",
        "alias.label empty": "invalid_config: [erasekit] [braze] options.alias.label: expected a non-empty string",
        "apiKey empty": "invalid_config: [erasekit] [braze] options.apiKey: expected a non-empty string",
        "apiKey space": "invalid_config: [erasekit] [braze] options.apiKey: expected printable ASCII without spaces",
        "externalIdFrom": "invalid_config: [erasekit] [braze] options.externalIdFrom: expected userId, email or phone",
        "instance": "invalid_config: [erasekit] [braze] options.instance: expected a Braze instance such as US-01 or EU-01",
        "limits not an object": "invalid_config: [erasekit] [braze] options.limits: expected an object",
        "limits.batchSize 51": "invalid_config: [erasekit] [braze] options.limits.batchSize: expected at most 50",
        "limits.batchSize string": "invalid_config: [erasekit] [braze] options.limits.batchSize: expected a positive integer",
        "no apiKey": "invalid_config: [erasekit] [braze] options.apiKey: required",
        "no instance nor baseURL": "invalid_config: [erasekit] [braze] options.instance: required (or options.baseURL)",
        "undefined": "invalid_config: [erasekit] [braze] options: expected an object",
        "valid": "ok",
      }
    `)
  })
})
