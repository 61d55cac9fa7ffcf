import { monotonic } from './clock'
import { aborted, asErasureError, codeForStatus, configError, ErasureError, safeCause, scrubError } from './errors'
import { isPlainObject, REDACTED, type Redactor, redactDeep } from './redact'
import type { Pace } from './rate-limit'
import { ignore, isFunction, onAbort, retryAfterOf, type RetryPolicy, retryDelay, sleep } from './retry'
import { pluginOf } from './plugin'
import { checkBaseURL } from './security'
import type {
  EraseContext,
  HookRunner,
  FetchFunction,
  PlannedRequest,
  ProviderResponse,
  RequestContext,
  RequestSpec,
  ResponseMapper,
} from './types'

export interface PipelineOptions {
  provider: string
  target?: string | undefined
  /** Absent: every request gives an absolute URL. */
  baseURL?: string | undefined
  fetch: FetchFunction
  retry: RetryPolicy
  /** Per attempt, ms. */
  timeout: number
  hooks: HookRunner
  /** Removes secrets and the batch's identifiers from anything that leaves the pipeline. */
  redact: Redactor
  signal: AbortSignal
  /** Dry run: requests are collected here (redacted) and never sent. */
  planned?: PlannedRequest[]
  /** The rate limit: every attempt sent takes its turn, retries included. */
  pace?: Pace
}

/**
 * Thrown after a dry run recorded its request; the caller turns it into a `skipped` outcome. A
 * fresh one each time (a provider may edit what it rethrows), told by a WeakSet: an `instanceof`
 * check would run a thrown Proxy's traps.
 */
const dryRunStops = new WeakSet<object>()
const dryRunStop = () => {
  const stop = new Error('dry run')
  dryRunStops.add(stop)
  return stop
}
export const isDryRunStop = (error: unknown) => dryRunStops.has(error as object)

export interface Pipeline extends EraseContext {
  attempts: number
  /** Dry run: every request the provider started, settled or not (Promise.all stops at the first plan). */
  planning: Promise<unknown>[]
}

const MAX_REDIRECTS = 3

/** The request pipeline a provider's `erase` uses: hooks, per-attempt timeout, retry loop, redaction. */
export function createPipeline(options: PipelineOptions): Pipeline {
  const { provider, target, retry: policy, hooks, redact, signal } = options

  const responseError: EraseContext['responseError'] = (response, detail = {}) => {
    // A 2xx the provider cannot read; a 3xx that is not a redirect (304) is an answer like a 4xx.
    const ok = response.status < 300
    const code = ok ? 'invalid_response' : codeForStatus(response.status)
    // A vendor code that repeats the HTTP status (CleverTap's and Altcraft's bodies) adds nothing: "HTTP 503 503".
    const providerCode = String(detail.providerCode) === String(response.status) ? undefined : detail.providerCode
    const what = ok ? `unexpected response (HTTP ${response.status})` : `HTTP ${response.status}${providerCode === undefined ? '' : ` ${providerCode}`}`
    const error = new ErasureError(code, detail.message ? `${what}: ${detail.message}` : what, {
      provider,
      status: response.status,
      providerCode,
      // A 2xx the provider cannot read is a broken transfer more often than a contract change.
      retryable: detail.retryable ?? (ok || policy.statusCodes.includes(response.status)),
      retryAfterMs: detail.retryAfterMs ?? retryAfterOf(response.headers, response.status),
    })
    return scrubError(error, redact)
  }

  const defaultMap = (response: ProviderResponse): ProviderResponse => {
    if (response.status >= 200 && response.status < 300) return response
    throw responseError(response)
  }

  // A request hook's own error fails the attempt under the hook's name (and its plugin's), not as the vendor's.
  const callHook = (name: 'beforeRequest' | 'afterResponse' | 'onError' | 'retry', ctx: RequestContext) =>
    hooks.callHook(name, ctx)?.catch((error: unknown) => {
      const plugin = pluginOf(error, true)
      const failed = `${name} hook failed${plugin ? ` (plugin ${JSON.stringify(plugin)})` : ''}: ${(error as Error)?.message ?? error}`
      // Redacted here: one from onError or retry leaves the pipeline as it is.
      throw asErasureError(ErasureError.isInstance(error) ? error : new ErasureError('provider_error', failed, { provider, cause: error }), provider, undefined, redact)
    })

  const pipeline: Pipeline = {
    provider,
    target,
    signal,
    attempts: 0,
    planning: [],
    responseError,
    request<T>(spec: RequestSpec, map?: ResponseMapper<T>): Promise<T> {
      const started = requestWithRetry(spec, map)
      if (options.planned) pipeline.planning.push(started.catch(ignore))
      return started
    },
  }

  async function requestWithRetry<T>(spec: RequestSpec, map?: ResponseMapper<T>): Promise<T> {
    // A third party's typo (`path` for `url`) names the field, not a TypeError from inside.
    for (const key of ['method', 'url'] as const) {
      if (typeof spec?.[key] !== 'string') throw new ErasureError('provider_error', `ctx.request(spec): spec.${key} must be a string`, { provider })
    }
    const url = resolveURL(options.baseURL, spec, provider)
    for (let attempt = 1; ; attempt++) {
      const ctx = createRequestContext(options, attempt, spec, url)
      try {
        ctx.request.headers = new Headers(spec.headers)
        declareJson(ctx.request)
        await callHook('beforeRequest', ctx)
        // A hook may rewrite the URL (a proxy path; relative to the request's), never send the
        // credentials to another origin.
        if (ctx.request.url !== url) {
          // Parsed once: what is checked is what is sent (a URL-like object could change its string).
          const next = parseURL(ctx.request.url, url)
          if (!next || next.origin !== originOf(url)) throw outsideOrigin(provider)
          if (next.username || next.password) throw withCredentials(provider)
          ctx.request.url = next.href
        }
        // Again: a hook may have set an object body.
        declareJson(ctx.request)
        if (signal.aborted) throw aborted(provider)
        // Before a dry run's plan too: it refuses the bodies a real run refuses.
        const body = serializeBody(ctx.request.body, ctx.request.method, provider)
        if (options.planned) {
          options.planned.push(plan(ctx, redact))
          throw dryRunStop()
        }
        // What was checked is what is sent: a hook's late change (from a timer, while the rate
        // limit holds the request) cannot move it to another origin. Headers stay live (copying costs every attempt).
        const { method, url: checked, headers } = ctx.request
        const sendNow = () => (pipeline.attempts++, send(options, { method, url: checked, headers }, body, spec.final2xx))
        // Paced as it goes, so the spacing is what the vendor sees.
        ctx.response = await (options.pace ? (await options.pace(signal, sendNow)).sent : sendNow())
        await callHook('afterResponse', ctx)
        return await (map ?? (defaultMap as unknown as ResponseMapper<T>))(ctx.response)
      } catch (thrown) {
        if (isDryRunStop(thrown)) throw thrown
        let error = toErasureError(thrown, options)
        // A 2xx to a request that files something is final, whatever was thrown after it: sent
        // again, or run again on the outcome's word, it would file another.
        if (spec.final2xx && ctx.response && ctx.response.status < 300 && error.retryable) {
          const { code, message, provider: owner, status, providerCode, cause } = error
          error = new ErasureError(code, message, { provider: owner, status, providerCode, cause })
        }
        ctx.error = error
        // Hooks may veto a retry, never add one the policy does not allow (a limit, `retry: false`).
        const allowed = spec.retry !== false && error.retryable && attempt <= policy.limit && !signal.aborted
        ctx.retry = allowed
        await callHook('onError', ctx)
        if (allowed && ctx.retry) {
          ctx.delayMs = retryDelay(attempt, policy, error.retryAfterMs)
          await callHook('retry', ctx)
        }
        if (!allowed || !ctx.retry) throw error
        try {
          await sleep(ctx.delayMs, signal)
        } catch {
          throw aborted(provider)
        }
      }
    }
  }
  return pipeline
}

// Most providers send every request to one URL (the identifier travels in a header or the body):
// it is parsed once, not per request.
let lastResolved: { baseURL: string | undefined; url: string; href: string } = { baseURL: '', url: '', href: '' }

function resolveURL(baseURL: string | undefined, spec: RequestSpec, provider: string): string {
  const last = lastResolved
  if (!spec.query && last.baseURL === baseURL && last.url === spec.url) return last.href
  const href = buildURL(baseURL, spec, provider)
  if (!spec.query) lastResolved = { baseURL, url: spec.url, href }
  return href
}

function parseURL(url: string, base?: string): URL | undefined {
  try {
    return new URL(url, base)
  } catch {}
}
const originOf = (url: string) => parseURL(url)?.origin
const outsideOrigin = (provider: string) => new ErasureError('provider_error', 'request URL is outside the provider\'s baseURL origin', { provider })
// fetch would refuse it with a message that quotes the URL, password included.
const withCredentials = (provider: string) => new ErasureError('provider_error', 'request URL holds credentials', { provider })

function buildURL(baseURL: string | undefined, spec: RequestSpec, provider: string): string {
  const absolute = /^https?:\/\//i.test(spec.url)
  // No baseURL: the request's own origin is held to a baseURL's rules (https, or http on loopback).
  if (baseURL === undefined) {
    if (!absolute) throw configError('options.baseURL: required for a relative request URL', provider)
    baseURL = checkBaseURL(originOf(spec.url) ?? '', provider, 'request URL')
  }
  const url = new URL(absolute ? spec.url : baseURL + (spec.url.startsWith('/') ? '' : '/') + spec.url)
  // Credentials go to the provider's own origin only, and never in the URL (fetch would quote them).
  if (absolute && url.origin !== originOf(baseURL)) throw outsideOrigin(provider)
  if (url.username || url.password) throw withCredentials(provider)
  for (const [key, value] of Object.entries(spec.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value))
  }
  return url.href
}

function createRequestContext(options: PipelineOptions, attempt: number, spec: RequestSpec, url: string): RequestContext {
  const ctx: RequestContext = {
    provider: options.provider,
    target: options.target,
    attempt,
    request: { method: spec.method.toUpperCase(), url, headers: new Headers(), body: spec.body },
    retry: false,
    delayMs: 0,
    signal: options.signal,
    toJSON() {
      const { redact } = options
      return {
        provider: ctx.provider,
        target: ctx.target,
        attempt: ctx.attempt,
        request: plan(ctx, redact),
        response: ctx.response && { status: ctx.response.status, data: redactDeep(ctx.response.data, redact) },
        error: ctx.error?.toJSON(),
        retry: ctx.retry,
        delayMs: ctx.delayMs,
      }
    },
  }
  // `console.log(ctx)` in a hook (Node, Bun, Deno) prints the redacted copy, not the live credentials.
  Object.defineProperty(ctx, Symbol.for('nodejs.util.inspect.custom'), { value: ctx.toJSON })
  return ctx
}

/** An object body goes as JSON and says so, here, so hooks and dry runs see the headers that are sent. */
function declareJson({ headers, body }: RequestContext['request']): void {
  if (body !== undefined && typeof body !== 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json')
}

function plan(ctx: RequestContext, redact: Redactor): PlannedRequest {
  const headers: Record<string, string> = {}
  ctx.request.headers.forEach((value, key) => {
    // Credentials in any encoding (Basic is base64): only an auth scheme is shown, a cookie not at all.
    headers[key] = key === 'cookie' ? REDACTED : redact(/^(proxy-)?authorization$/.test(key) ? value.replace(/^([A-Za-z][\w-]* +)?.*$/s, '$1***') : value)
  })
  return {
    provider: ctx.provider,
    target: ctx.target,
    method: ctx.request.method,
    url: redact(ctx.request.url),
    headers,
    body: redactDeep(ctx.request.body, redact),
  }
}

/** The request as checked, for the attempt to send. */
type Outgoing = Pick<RequestContext['request'], 'method' | 'url' | 'headers'>

/** One attempt: a fresh timeout, manual redirects (same origin only), body parsed leniently. */
function send(options: PipelineOptions, request: Outgoing, body: string | undefined, final2xx?: boolean): Promise<ProviderResponse> {
  const { signal } = options
  const controller = new AbortController()
  return new Promise((resolve, reject) => {
    // A request that files something, answered 2xx, whose body then fails (cut off, stalled until the
    // timeout, or the caller aborted): filed, so it is the answer, with no data; sent again, it would file another.
    let heard: ProviderResponse | undefined
    const end = (error?: unknown, response?: ProviderResponse, aborting?: boolean) => {
      clearTimeout(timer)
      unlink()
      // Not a refusal of ours (a body over the cap): an abort, whatever its reason, or a lost transfer.
      if (!response && heard && (aborting || !ErasureError.isInstance(error))) response = heard
      if (response) resolve(response)
      else reject(ErasureError.isInstance(error) ? error : new NoAnswer(undefined, { cause: error }))
    }
    // The attempt ends when its signal aborts, even if an injected fetch (or its body) ignores the signal.
    const abort = (reason: unknown) => (controller.abort(reason), end(reason, undefined, true))
    const unlink = onAbort(signal, () => abort(signal.reason))
    // One budget for the attempt, redirect hops included; paused while a hop waits for its turn in
    // the rate limit (the first request's wait is not counted either).
    let timer: ReturnType<typeof setTimeout> | undefined
    let left = options.timeout
    let since = 0
    const timed = (on: boolean) => {
      clearTimeout(timer)
      if (on) (since = monotonic()), (timer = setTimeout(() => abort(new TimeoutSignal()), left))
      else left -= monotonic() - since
    }
    timed(true)
    if (signal.aborted) return abort(signal.reason)
    exchange(options, request, body, controller.signal, timed, final2xx ? (response) => (heard = response) : undefined).then((response) => end(undefined, response), end)
  })
}

/** The request and its answer, following same-origin redirects as fetch would. */
async function exchange(options: PipelineOptions, request: Outgoing, body: string | undefined, attempt: AbortSignal, timed: (on: boolean) => void, hear?: (response: ProviderResponse) => void): Promise<ProviderResponse> {
  let { method, url, headers } = request
  // Called on its own, not as a method of `options`: a browser's or Worker's own fetch
  // (`fetch: window.fetch`) throws "Illegal invocation" when `this` is another object.
  const { fetch } = options
  const refuse = (why: string, status?: number) => new ErasureError('provider_error', `redirect not followed: ${why}`, { provider: options.provider, status })
  for (let hop = 0; ; hop++) {
    const hopFetch = () => {
      try {
        return fetch(url, { method, headers, body, signal: attempt, redirect: 'manual' })
      } catch (thrown) {
        // Every runtime's fetch rejects instead: one that throws is an injected function's bug, not the network. Not retried.
        throw configError(`fetch threw instead of returning a promise: ${safeCause(thrown, options.redact).message}`, options.provider)
      }
    }
    // A hop is one more request to the vendor: it takes its own turn in the rate limit (the first
    // took its turn before the attempt began), untimed while it waits.
    const response = await (hop && options.pace ? (timed(false), (await options.pace(attempt, () => (timed(true), hopFetch()))).sent) : hopFetch())
    // A fetch that ignored its signal may answer after the attempt ended: read nothing, follow nothing.
    if (attempt.aborted) throw attempt.reason
    const { status } = response
    // In browsers a manual redirect is opaque (status 0): where it goes cannot be read, so it cannot be checked.
    if (response.type === 'opaqueredirect') throw refuse('a browser hides its target')
    // The statuses fetch follows; any other 3xx (304, 300) is an answer.
    if (![301, 302, 303, 307, 308].includes(status)) {
      if (status < 300) hear?.({ status, headers: response.headers, data: undefined })
      // A 204 has no body to read (fetch refuses to build one with a body).
      const text = status === 204 ? '' : await readCapped(response)
      // Past the cap, an error status keeps its meaning (its body is not needed); a 2xx cannot be read.
      if (text === undefined && status < 300) throw new ErasureError('invalid_response', `response body over ${MAX_BODY} bytes: not read`, { provider: options.provider, status })
      return { status, headers: response.headers, data: parseBody(text) }
    }
    const location = response.headers.get('location')
    const next = location ? parseURL(location, url) : undefined
    // Following would send the credentials to another origin (or loop).
    if (!next || next.origin !== originOf(request.url)) throw refuse(next ? 'it leads to another origin' : 'no usable Location', status)
    // fetch refuses such a URL with a message that quotes it, password included.
    if (next.username || next.password) throw refuse('its Location holds credentials', status)
    if (hop >= MAX_REDIRECTS) throw refuse(`more than ${MAX_REDIRECTS} in a row`, status)
    // fetch would go on from a 301/302 answering a POST with a GET: that deletes nothing, and its 2xx
    // could pass for the deletion's. The endpoint moved (307/308 keep the method): refused.
    if (status < 303 && /^POST$/i.test(method)) throw refuse('fetch would resend the POST as a GET', status)
    // A 303 (see other: the request was processed) continues as a GET without the body, as in fetch.
    if (status === 303 && !/^(GET|HEAD)$/i.test(method)) {
      method = 'GET'
      body = undefined
      headers = new Headers(headers)
      for (const name of ['content-type', 'content-encoding', 'content-language', 'content-location']) headers.delete(name)
    }
    url = next.href
  }
}

/** The body as sent: an object goes as JSON. One JSON cannot hold (a BigInt, a cycle) fails before sending, never retried. */
function serializeBody(body: unknown, method: string, provider: string): string | undefined {
  if (body === undefined) return body
  // fetch throws on it before sending: a provider's mistake, not a network error to retry.
  if (/^(GET|HEAD)$/i.test(method)) throw new ErasureError('invalid_request', `request body: a ${method.toUpperCase()} request cannot have one`, { provider })
  if (typeof body === 'string') return body
  // Form data, bytes, a stream, a Map: JSON would send {} or a list of numbers. Bytes are refused
  // even with a toJSON (a Node Buffer).
  if (body && typeof body === 'object' && !Array.isArray(body) && !isPlainObject(body) && (ArrayBuffer.isView(body) || !isFunction((body as { toJSON?: unknown }).toJSON))) {
    throw new ErasureError('invalid_request', `request body: expected a string or JSON, got ${body.constructor?.name}`, { provider })
  }
  try {
    return JSON.stringify(body)
  } catch {
    throw new ErasureError('invalid_request', 'request body cannot be sent as JSON (a BigInt or a circular reference)', { provider })
  }
}

class TimeoutSignal extends Error {}
/** fetch() or the body read rejected: the request got no usable answer (network, timeout, abort). */
class NoAnswer extends Error {}

/** No vendor's answer to a deletion comes near it; a proxy's page or a broken stream could exhaust a Worker's 128 MB. */
const MAX_BODY = 1 << 20

/** The body as text, or undefined past MAX_BODY: the rest is never downloaded. */
async function readCapped(response: Response): Promise<string | undefined> {
  // No Web stream (a hand-made mock, node-fetch): read whole if it can be, refused past the cap all the same.
  if (!isFunction(response.body?.getReader)) {
    const text = isFunction(response.text) ? await response.text() : ''
    return text.length > MAX_BODY ? undefined : text
  }
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  for (let bytes = 0; ; ) {
    const { done, value } = await reader.read()
    if (done) break
    if ((bytes += value.byteLength) > MAX_BODY) return void reader.cancel().then(undefined, ignore)
    text += decoder.decode(value, { stream: true })
  }
  return text + decoder.decode()
}

function parseBody(text: string | undefined): unknown {
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function toErasureError(thrown: unknown, options: PipelineOptions): ErasureError {
  const { provider, redact, signal } = options
  if (!(thrown instanceof NoAnswer) || signal.aborted) return asErasureError(thrown, provider, signal, redact)
  const { cause } = thrown
  const reason = (cause as { name?: string })?.name
  if (cause instanceof TimeoutSignal || reason === 'AbortError' || reason === 'TimeoutError') {
    return new ErasureError('timeout', `no response within ${options.timeout} ms`, { provider, retryable: true })
  }
  // Every runtime words it differently (fetch failed, Failed to fetch, Load failed, ECONNRESET…);
  // a rejected fetch is a transport failure whatever the words.
  const safe = safeCause(cause, redact)
  const code = (safe as { code?: string }).code
  return new ErasureError('network', `network error: ${safe.message}${code ? ` (${code})` : ''}`, { provider, retryable: true, cause: safe })
}
