import { describe, expect, it } from 'vitest'
import { serve } from '@erasekit/core/testing/node'

describe('serve()', () => {
  it('answers through the handler on loopback, and a port already in use rejects instead of crashing the process', async () => {
    const first = await serve(() => Response.json({ ok: true }))
    try {
      expect(await (await fetch(`${first.url}/x`)).json()).toEqual({ ok: true })
      await expect(serve(() => new Response(null), { port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' })
    } finally {
      await first.close()
    }
  })
})
