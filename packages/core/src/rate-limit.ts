import type { RateLimit } from './types'
import { sleep } from './retry'

/**
 * Paces requests evenly, one every `perMs / requests`, so no window of `perMs` ever holds more
 * than `requests` (a bucket that allowed a burst first would let twice that into one window).
 * Each call reserves its slot at once, so concurrent callers queue in order.
 */
export function createRateLimiter({ requests, perMs }: RateLimit, now = () => Date.now()) {
  const interval = perMs / requests
  let next = 0
  return async function take(signal: AbortSignal): Promise<void> {
    const time = now()
    const wait = next - time
    next = Math.max(next, time) + interval
    if (wait > 0) await sleep(wait, signal)
  }
}
