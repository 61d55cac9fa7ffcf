/**
 * Node-only: puts any emulator (or fetch handler) behind a real loopback HTTP server, so
 * code under test talks to it over the network like to the vendor.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export * from './index'

export type FetchHandler = ((request: Request) => Response | Promise<Response>) | { fetch(request: Request): Response | Promise<Response> }

export interface ServeOptions {
  /** 0 (default) picks a free port. */
  port?: number | undefined
  /** Answer CORS preflights and allow any origin (for browser tests). Default true. */
  cors?: boolean | undefined
}

export interface Served {
  url: string
  port: number
  close(): Promise<void>
}

export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<Served> {
  const handle = typeof handler === 'function' ? handler : handler.fetch.bind(handler)
  const cors = options.cors ?? true
  const sockets = new Set<import('node:net').Socket>()
  const server = createServer((req, res) => {
    if (cors) {
      res.setHeader('access-control-allow-origin', '*')
      res.setHeader('access-control-allow-headers', '*')
      res.setHeader('access-control-allow-methods', '*')
      res.setHeader('access-control-expose-headers', '*')
      if (req.method === 'OPTIONS') {
        res.writeHead(204)
        res.end()
        return
      }
    }
    dispatch(handle, req, res).catch(() => res.destroy())
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  // A port in use rejects (EADDRINUSE) instead of crashing the process with an unhandled 'error' event.
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', () => (server.off('error', reject), resolve())))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

async function dispatch(handle: (request: Request) => Response | Promise<Response>, req: IncomingMessage, res: ServerResponse) {
  const chunks: Uint8Array<ArrayBuffer>[] = []
  for await (const chunk of req) chunks.push(chunk as Uint8Array<ArrayBuffer>)
  const controller = new AbortController()
  // The client went away before the answer: tell the handler (a normal close is not an abort).
  res.on('close', () => res.writableFinished || controller.abort())
  const headers = new Headers()
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value)
  }
  const hasBody = chunks.length > 0 && req.method !== 'GET' && req.method !== 'HEAD'
  const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, {
    method: req.method,
    headers,
    body: hasBody ? new Blob(chunks) : undefined,
    signal: controller.signal,
  })
  // A handler that throws models a dropped connection: the socket is destroyed.
  const response = await handle(request)
  const out: Record<string, string> = {}
  response.headers.forEach((value, key) => {
    out[key] = value
  })
  res.writeHead(response.status, { ...out, ...(res.getHeader('access-control-allow-origin') ? { 'access-control-allow-origin': '*' } : {}) })
  res.end(new Uint8Array(await response.arrayBuffer()))
}
