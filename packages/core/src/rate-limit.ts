import { monotonic } from './clock'
import type { RateLimit } from './types'
import { ignore, sleep } from './retry'

/** Sends `send()` when the rate limit allows it; resolves as soon as it has gone (boxed, so the limiter never waits for the answer). */
export type Pace = <T>(signal: AbortSignal, send: () => T) => Promise<{ sent: T }>

/**
 * At most `requests` sends in any window of `perMs`, judged from the times the requests really
 * went (a sliding log; `send` starts in the turn its time is logged, just after it): a burst of
 * `requests`, then each waits for the oldest to leave the window. Callers take their turn in order.
 */
export function createRateLimiter({ requests, perMs }: RateLimit): Pace {
  const log: number[] = []
  let queue: Promise<unknown> = Promise.resolve()
  return (signal, send) => {
    const turn = queue.then(async () => {
      for (;;) {
        // Aborted while it waited in line: it takes no send from the window.
        if (signal.aborted) throw signal.reason
        const time = monotonic()
        // Past its end, not at it: a coarse clock (1 ms steps in Safari and Firefox) may read the end early.
        while (log.length && log[0]! + perMs < time) log.shift()
        if (log.length < requests) {
          const sent = send()
          // Logged once it has gone (send calls fetch in this turn): no two reach fetch closer than the log says.
          log.push(monotonic())
          return { sent }
        }
        // A timer may fire a little early (whole ms): the loop looks again.
        await sleep(log[0]! + perMs - time + 1, signal)
      }
    })
    // A caller that gave up (aborted) does not hold up the next.
    queue = turn.catch(ignore)
    return turn
  }
}
