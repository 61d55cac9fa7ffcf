import type { Eraser } from '@erasekit/core'

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
