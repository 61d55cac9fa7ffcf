import { onAbort } from './retry'

export interface Slots {
  /** Takes a slot if one is free, at once. */
  tryTake(): boolean
  /** Waits for a slot, in arrival order; rejects with the signal's reason if it aborts first. */
  take(signal: AbortSignal): Promise<void>
  /** Frees a slot: the longest waiter gets it at once. */
  release(): void
}

/**
 * At most `size` requests in flight to one provider target, shared by every erase() and
 * eraseMany() of an eraser: a vendor's cap (CleverTap: 3 per account) counts all of them.
 */
export function createSlots(size: number): Slots {
  let free = size
  const waiting = new Set<() => void>()
  const tryTake = () => free > 0 && (free--, true)
  return {
    tryTake,
    take(signal) {
      if (tryTake()) return Promise.resolve()
      if (signal.aborted) return Promise.reject(signal.reason)
      return new Promise((resolve, reject) => {
        const grant = () => (stop(), resolve())
        const stop = onAbort(signal, () => (waiting.delete(grant), reject(signal.reason)))
        waiting.add(grant)
      })
    },
    release() {
      const [next] = waiting
      if (!next) return void free++
      waiting.delete(next)
      next()
    },
  }
}
