import { defineProvider, type CommonProviderOptions, type ProviderResult } from '@erasekit/core'
import { serve, type Served } from '@erasekit/core/testing/node'

export interface Hit {
  method: string
  path: string
  headers: Record<string, string>
  body: unknown
}

/** A loopback server whose behaviour each test scripts, recording every request. */
export async function scriptedServer(): Promise<Served & { hits: Hit[]; reply: (fn: (hit: Hit, n: number) => Response | Promise<Response>) => void }> {
  const hits: Hit[] = []
  let handler: (hit: Hit, n: number) => Response | Promise<Response> = () => Response.json({ requestId: 'req-1' })
  const served = await serve(async (request) => {
    const text = await request.text()
    const hit = { method: request.method, path: new URL(request.url).pathname, headers: Object.fromEntries(request.headers), body: text ? JSON.parse(text) : undefined }
    hits.push(hit)
    return handler(hit, hits.length)
  })
  return Object.assign(served, { hits, reply: (fn: typeof handler) => void (handler = fn) })
}

export interface DemoOptions extends CommonProviderOptions {
  token: string
  batchSize?: number
}

/** A provider written against the public contract only, as a third party would. */
export const demo = (options: DemoOptions) =>
  defineProvider({
    name: 'demo',
    specificationVersion: 1,
    options,
    secrets: [options.token],
    baseURL: 'https://api.demo.example',
    limits: { batchSize: options.batchSize ?? 1, concurrency: 2 },
    match: (subject) => (subject.userId ? { kind: 'userId', value: subject.userId } : undefined),
    erase: (identifiers, ctx) =>
      ctx.request(
        {
          method: 'POST',
          url: '/users/delete',
          headers: { authorization: `Bearer ${options.token}` },
          body: { ids: identifiers.map((identifier) => identifier.value) },
        },
        (response): ProviderResult[] => {
          const data = response.data as { requestId?: string; code?: string } | undefined
          if (response.status === 200 && data?.requestId) {
            return identifiers.map(() => ({ status: 'deleted', requestId: data.requestId, httpStatus: 200 }))
          }
          if (response.status === 404 && data?.code === 'gone') return identifiers.map(() => ({ status: 'not_found', httpStatus: 404 }))
          throw ctx.responseError(response, { providerCode: data?.code })
        },
      ),
  })
