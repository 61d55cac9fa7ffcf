import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import type { Socket } from 'node:net'
import type { Readable } from 'node:stream'

const NULL_BODY = new Set([101, 103, 204, 205, 304])

type KeepAlive = { keepSocketAlive(socket: Socket): boolean }

/**
 * Node's agent drops a socket whose server announces `Keep-Alive: timeout=1` (it keeps a 1 s
 * margin), so every request to such a server opens a new connection; serve() in
 * @erasekit/core 0.1 announces exactly that. Keep those sockets for half the announced time.
 */
function shortHintsKept<A extends HttpAgent>(agent: A): A {
  const base = (agent as unknown as KeepAlive).keepSocketAlive.bind(agent)
  ;(agent as unknown as KeepAlive).keepSocketAlive = (socket) => {
    const header = (socket as unknown as { _httpMessage?: { res?: IncomingMessage } })._httpMessage?.res?.headers['keep-alive']
    const hint = typeof header === 'string' ? Number(/^timeout=(\d+)/.exec(header)?.[1]) : NaN
    if (hint === 1) {
      socket.setKeepAlive(true, 1000)
      socket.unref()
      socket.setTimeout(500)
      return true
    }
    return base(socket)
  }
  return agent
}

/**
 * A `fetch` over node:http(s) with keep-alive agents, for the providers the CLI builds. The core
 * pipeline needs only what this gives: method, headers, a string body, an AbortSignal, the
 * response status, headers and body (redirects are not followed: the core handles 3xx itself,
 * as with `redirect: 'manual'`). Against loopback emulators it costs less CPU per request than
 * undici's fetch, and it keeps connections open even when a server's Keep-Alive hint is short.
 */
export function createNodeFetch(options: { maxSockets?: number } = {}) {
  const agents = {
    'http:': shortHintsKept(new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 })),
    'https:': shortHintsKept(new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 })),
  }
  const fetch = (input: Request | string | URL, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request) return globalThis.fetch(input, init)
    const url = new URL(String(input))
    const protocol = url.protocol as 'http:' | 'https:'
    if (protocol !== 'http:' && protocol !== 'https:') return globalThis.fetch(input, init)
    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value
    })
    const body = init.body
    if (body !== undefined && body !== null && typeof body !== 'string') return globalThis.fetch(input, init)
    headers['accept-encoding'] ??= 'gzip, deflate, br'
    if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body))
    const signal = init.signal ?? undefined
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const send = protocol === 'https:' ? httpsRequest : httpRequest
      const request = send(url, { method: init.method ?? 'GET', headers, agent: agents[protocol] }, (response) => {
        readBody(response).then((buffer) => {
          const status = response.statusCode ?? 0
          const out = new Headers()
          const raw = response.rawHeaders
          for (let i = 0; i < raw.length; i += 2) {
            const name = raw[i]!.toLowerCase()
            if (name !== 'content-encoding' && name !== 'content-length') out.append(raw[i]!, raw[i + 1]!)
          }
          signal?.removeEventListener('abort', onAbort)
          resolve(new Response(NULL_BODY.has(status) ? null : (buffer as unknown as BodyInit), { status, statusText: response.statusMessage, headers: out }))
        }, fail)
      })
      const fail = (error: unknown) => {
        signal?.removeEventListener('abort', onAbort)
        reject(error instanceof Error && !(error as { cause?: unknown }).cause ? Object.assign(new TypeError('fetch failed'), { cause: error }) : error)
      }
      const onAbort = () => {
        request.destroy()
        signal?.removeEventListener('abort', onAbort)
        reject(signal!.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      request.on('error', fail)
      request.end(body ?? undefined)
    })
  }
  return {
    fetch,
    close() {
      agents['http:'].destroy()
      agents['https:'].destroy()
    },
  }
}

function readBody(response: IncomingMessage): Promise<Buffer> {
  const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase()
  let stream: Readable = response
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = response.pipe(createGunzip())
  else if (encoding === 'deflate') stream = response.pipe(createInflate())
  else if (encoding === 'br') stream = response.pipe(createBrotliDecompress())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
    stream.on('error', reject)
    response.on('aborted', () => reject(new Error('response aborted')))
  })
}
