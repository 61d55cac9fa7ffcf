import { ErasureError, type Eraser } from '@erasekit/core'

/**
 * Stops retrying a provider that cannot be reached: after `threshold` network errors or timeouts
 * in a row (no response in between), further attempts to it fail without retries until one gets
 * a response again. Without it, an unreachable provider costs every subject the full backoff.
 * The failures land in the summary and receipts; a rerun with the journal picks them up.
 */
export function circuitBreaker(eraser: Eraser, warn: (message: string) => void, threshold = 20) {
  const streak = new Map<string, number>()
  const open = new Set<string>()
  eraser.hook('afterResponse', (ctx) => {
    streak.set(ctx.provider, 0)
    open.delete(ctx.provider)
  })
  eraser.hook('onError', (ctx) => {
    if (!ctx.error || ctx.response) return
    if (ctx.error.code !== 'network' && ctx.error.code !== 'timeout') return
    const count = (streak.get(ctx.provider) ?? 0) + 1
    streak.set(ctx.provider, count)
    if (count >= threshold && !open.has(ctx.provider)) {
      open.add(ctx.provider)
      warn(`${ctx.provider}: ${count} network errors in a row (${ctx.error.message}); no more retries to it until it answers again`)
    }
    if (open.has(ctx.provider)) ctx.retry = false
  })
}

/**
 * Stops sending to a provider target that refuses the credentials: after `threshold` requests in a
 * row answered unauthorized or forbidden (no success in between), the rest of the run fails there
 * with that code without a request. Credentials do not mend mid-run, and a million 401s can get an
 * account or an address blocked. Fix them and rerun with the journal.
 */
export function credentialBreaker(eraser: Eraser, warn: (message: string) => void, threshold = 20) {
  const refused = new Map<string, number>()
  const stopped = new Map<string, ErasureError['code']>()
  const laneOf = (provider: string, target?: string) => (target ? `${provider}/${target}` : provider)
  eraser.hook('beforeRequest', (ctx) => {
    const code = stopped.get(laneOf(ctx.provider, ctx.target))
    if (code) throw new ErasureError(code, `not sent: ${threshold} requests in a row were refused (${code}); fix the credentials and run again`, { provider: ctx.provider })
  })
  eraser.hook('onError', (ctx) => {
    const code = ctx.error?.code
    if (code !== 'unauthorized' && code !== 'forbidden') return
    const lane = laneOf(ctx.provider, ctx.target)
    const count = (refused.get(lane) ?? 0) + 1
    refused.set(lane, count)
    if (count === threshold && !stopped.has(lane)) {
      stopped.set(lane, code)
      warn(`${lane}: ${count} requests in a row refused (${code}); nothing more is sent to it in this run`)
    }
  })
  eraser.hook('outcome', (outcome) => {
    if (outcome.status !== 'failed' && outcome.status !== 'skipped') refused.delete(laneOf(outcome.provider, outcome.target))
  })
}
