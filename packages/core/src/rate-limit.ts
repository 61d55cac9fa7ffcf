import type { RateLimit } from './types'
import { ignore, sleep } from './retry'

/** Sends `send()` when the rate limit allows it; resolves as soon as it has gone (boxed, so the limiter never waits for the answer). */
export type Pace = <T>(signal: AbortSignal, send: () => T) => Promise<{ sent: T }>

/**
 * At most `requests` sends in any window of `perMs`, judged from the times the requests really
 * went (a sliding log; `send` starts in the same turn its time is logged): a burst of `requests`,
 * then each waits for the oldest to leave the window. Callers take their turn in order.
 */
export function createRateLimiter({ requests, perMs }: RateLimit): Pace {
  const log: number[] = []
  let queue: Promise<unknown> = Promise.resolve()
  return (signal, send) => {
    const turn = queue.then(async () => {
      for (;;) {
        // Aborted while it waited in line: it takes no send from the window.
        if (signal.aborted) throw signal.reason
        const time = Date.now()
        // A logged send leaves the window 1 ms late: the request itself may have gone in the next ms.
        while (log.length && log[0]! < time - perMs) log.shift()
        if (log.length < requests) {
          log.push(time)
          return { sent: send() }
        }
        // +1: Date.now() counts whole ms, so a wait of exactly that long can land a hair short.
        await sleep(log[0]! + perMs - time + 1, signal)
      }
    })
    // A caller that gave up (aborted) does not hold up the next.
    queue = turn.catch(ignore)
    return turn
  }
}
