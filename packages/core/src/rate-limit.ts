import type { RateLimit } from './types'
import { sleep } from './retry'

/**
 * A token bucket (GCRA form): bursts of up to `requests`, then one every `perMs / requests`.
 * Each call reserves its slot at once, so concurrent callers queue in order.
 */
export function createRateLimiter({ requests, perMs }: RateLimit, now = () => Date.now()) {
  const interval = perMs / requests
  const tolerance = perMs - interval
  let theoretical = 0
  return async function take(signal: AbortSignal): Promise<void> {
    const time = now()
    theoretical = Math.max(theoretical, time)
    const wait = theoretical - tolerance - time
    theoretical += interval
    if (wait > 0) await sleep(wait, signal)
  }
}
