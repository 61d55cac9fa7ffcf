// workerd probe: bundled by esbuild (conditions workerd,worker,browser) from the BUILT
// packages; POST the scenario config, get the result JSON.
import { createEraser } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch } from '@erasekit/batch'
import { eraseEverywhere } from './scenario.mjs'

export default {
  async fetch(request) {
    if (request.method !== 'POST') return new Response('ready')
    try {
      const result = await eraseEverywhere({ createEraser, adapty, clevertap, altcraft, batch }, await request.json())
      return Response.json({ ...result, format: 'esm-bundle' })
    } catch (error) {
      return Response.json({ error: String(error?.stack ?? error) }, { status: 500 })
    }
  },
}
