/**
 * The shared kit every emulator is built on (bundled or third-party): request log, vendor
 * limits, simulated latency and fault injection. Web APIs only, so emulators run in Workers.
 */

/** What `new Headers()` takes; named here, since `HeadersInit` is a DOM type that a Node-only (no DOM lib) project lacks. */
export type HeaderInit = ConstructorParameters<typeof Headers>[0]

export type Fault =
  /** 429 with Retry-After (seconds). */
  | { kind: 'rate_limit'; retryAfterSeconds?: number | undefined }
  /** A 5xx with the vendor's error body. */
  | { kind: 'server_error'; status?: number | undefined }
  /** The connection drops before a response (fetch rejects). */
  | { kind: 'drop' }
  /** The vendor handles the request, then the connection drops (fetch rejects): a retry repeats what was applied. */
  | { kind: 'lost_response' }
  /** The response comes after `delayMs` (aborts still cut it short). */
  | { kind: 'slow'; delayMs: number }
  /** 200 with a body that is not what the vendor sends. */
  | { kind: 'malformed' }

export interface FaultPlan {
  /** Apply to the next N requests. */
  times?: number | undefined
  /** Or apply to each request with this probability (0..1). Faults are tried in the order injected and the first that applies wins, so a later one applies to what the earlier ones left. */
  rate?: number | undefined
}

export interface LoggedRequest {
  method: string
  url: string
  path: string
  headers: Record<string, string>
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
  body: unknown
  /** The fault injected into this request, if any. */
  fault?: Fault['kind']
  status?: number
  at: number
}

export interface EmulatorLimits {
  /** A request arriving while this many are in flight gets `errorResponse(429)`, without Retry-After (CleverTap's concurrency limit). */
  maxConcurrent?: number | undefined
  /** `requests` per `perMs`, smoothed (a burst up to `requests`): a request over it gets `errorResponse(429, { 'retry-after': seconds until it would pass, at least 1 })`. */
  rate?: { requests: number; perMs: number } | undefined
}

/** What a vendor handler reads of a request (a full Request costs ≈ 30 µs to build on Node). */
export type EmulatorRequest = Pick<Request, 'method' | 'url' | 'headers' | 'text' | 'json'>

export interface EmulatorKitOptions {
  /** Vendor behaviour: answer one (already logged) request. */
  handle: (request: EmulatorRequest, body: unknown) => Response | Promise<Response>
  /** The vendor's body for an error status (used by injected faults and limits). */
  errorResponse: (status: number, headers?: HeaderInit) => Response
  limits?: EmulatorLimits | undefined
  /** Added to every response, ms (simulated network + vendor time). */
  latencyMs?: number | undefined
  /** Seeded randomness for `rate` faults; Math.random by default. */
  random?: (() => number) | undefined
}

export interface EmulatorHandle {
  /**
   * A Web-standard fetch: pass it as a provider's `fetch`, or put it behind `serve()`, `Bun.serve`
   * or `Deno.serve`. A server's own second argument (its handler info) is not read as a RequestInit.
   */
  fetch: {
    (input: Request | string | URL, init?: RequestInit): Promise<Response>
    (request: Request, handlerInfo?: unknown): Promise<Response>
  }
  /** Every request received, in order. */
  readonly requests: LoggedRequest[]
  /** Injects a fault into the next `times` requests (default 1), or at a `rate`. */
  inject(fault: Fault, plan?: FaultPlan): void
  clearFaults(): void
  /** Empties the request log. */
  clearLog(): void
  /** Requests in flight now, and the most seen at once (refused ones included: what the client had in flight). */
  readonly concurrency: { current: number; max: number }
}

export const json = (status: number, body: unknown, headers?: HeaderInit): Response => {
  const out = new Headers(headers)
  out.set('content-type', 'application/json; charset=utf-8')
  return new Response(JSON.stringify(body), { status, headers: out })
}

export function createEmulatorKit(options: EmulatorKitOptions): EmulatorHandle {
  const random = options.random ?? Math.random
  const faults: { fault: Fault; plan: FaultPlan }[] = []
  const requests: LoggedRequest[] = []
  const concurrency = { current: 0, max: 0 }
  /** Requests in flight that the concurrency cap let in. */
  let admitted = 0
  const rate = options.limits?.rate
  let theoretical = 0

  const pickFault = (): Fault | undefined => {
    for (let i = 0; i < faults.length; i++) {
      const entry = faults[i]!
      if (entry.plan.rate !== undefined) {
        if (random() < entry.plan.rate) return entry.fault
        continue
      }
      const left = (entry.plan.times ?? 1) - 1
      if (left <= 0) faults.splice(i, 1)
      else entry.plan.times = left
      return entry.fault
    }
    return undefined
  }

  const overRate = (): number | undefined => {
    if (!rate) return undefined
    const now = Date.now()
    const interval = rate.perMs / rate.requests
    theoretical = Math.max(theoretical, now)
    if (theoretical - now > rate.perMs - interval) return Math.ceil((theoretical - (rate.perMs - interval) - now) / 1000) || 1
    theoretical += interval
    return undefined
  }

  async function fetch(input: Request | string | URL, second?: unknown): Promise<Response> {
    // Like fetch: init applies over a Request. Bun.serve and Deno.serve pass their server or
    // handler info instead (Bun's Request would take its url), which holds none of these.
    const handlerInfo = input instanceof Request && !['method', 'headers', 'body', 'signal'].some((key) => key in Object(second))
    const init = handlerInfo ? undefined : (second as RequestInit | undefined)
    // An aborted signal sends nothing.
    const given = init?.signal ?? (input instanceof Request ? input.signal : undefined)
    if (given?.aborted) throw given.reason
    // The body is read once, logged, then handed to the vendor logic.
    const incoming = input instanceof Request ? (init ? new Request(input, init) : input) : undefined
    const text = incoming ? await incoming.text() : typeof init?.body === 'string' ? init.body : init?.body ? await new Response(init.body).text() : ''
    // The caller's own signal is watched, not a Request's copy of it.
    const signal = given
    const url = new URL(incoming?.url ?? String(input))
    const headers = incoming?.headers ?? (init?.headers instanceof Headers ? init.headers : new Headers(init?.headers))
    const request: EmulatorRequest = {
      method: (incoming?.method ?? init?.method ?? 'GET').toUpperCase(),
      url: url.href,
      headers,
      text: async () => text,
      json: async () => JSON.parse(text),
    }
    let body: unknown = text || undefined
    try {
      if (text) body = JSON.parse(text)
    } catch {}
    const entry: LoggedRequest = {
      method: request.method,
      url: request.url,
      path: url.pathname,
      headers: Object.fromEntries(headers),
      body,
      at: Date.now(),
    }
    requests.push(entry)
    concurrency.current++
    concurrency.max = Math.max(concurrency.max, concurrency.current)
    // Limits judge a request when it arrives: the one over the cap is refused, not one already in
    // flight, and a refused one holds no slot.
    const { maxConcurrent } = options.limits ?? {}
    const busy = maxConcurrent !== undefined && admitted >= maxConcurrent
    if (!busy) admitted++
    const limited = busy ? options.errorResponse(429) : limitedByRate()
    try {
      const response = await respond(request, entry, signal, limited)
      entry.status = response.status
      return response
    } finally {
      concurrency.current--
      if (!busy) admitted--
    }
  }

  const limitedByRate = () => {
    const retryAfter = overRate()
    return retryAfter === undefined ? undefined : options.errorResponse(429, { 'retry-after': String(retryAfter) })
  }

  async function respond(request: EmulatorRequest, entry: LoggedRequest, signal: AbortSignal | undefined, limited: Response | undefined): Promise<Response> {
    // A request the limits refuse uses up no fault: "the next N requests" are N the vendor handles.
    const fault = limited ? undefined : pickFault()
    if (fault) entry.fault = fault.kind
    const latency = (options.latencyMs ?? 0) + (fault?.kind === 'slow' ? fault.delayMs : 0)
    if (latency > 0) await delay(latency, signal)
    if (limited) return limited
    switch (fault?.kind) {
      case 'rate_limit':
        return options.errorResponse(429, { 'retry-after': String(fault.retryAfterSeconds ?? 1) })
      case 'server_error':
        return options.errorResponse(fault.status ?? 503)
      case 'lost_response':
        await options.handle(request, entry.body)
      // falls through: the answer never arrives
      case 'drop':
        throw new TypeError('Network connection lost.')
      case 'malformed':
        return new Response('<html><body>502 Bad Gateway</body></html', { status: 200, headers: { 'content-type': 'application/json' } })
    }
    return options.handle(request, entry.body)
  }

  return {
    fetch,
    requests,
    concurrency,
    inject(fault, plan = {}) {
      // `times: 0` applies to no request.
      if (plan.rate !== undefined || (plan.times ?? 1) > 0) faults.push({ fault, plan: { ...plan } })
    },
    clearFaults() {
      faults.length = 0
    },
    clearLog() {
      requests.length = 0
    },
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const abort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', abort, { once: true })
  })
}
