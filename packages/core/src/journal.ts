import type { Journal, Outcome, Status } from './types'

/** Statuses that mean the provider has the request: a resumed run does not send them again. */
export const CONFIRMED: ReadonlySet<Status> = new Set(['deleted', 'accepted', 'not_found'])

export const journalKey = (subjectRef: string, provider: string, target?: string) =>
  target ? `${subjectRef}\u0000${provider}\u0000${target}` : `${subjectRef}\u0000${provider}`

/**
 * A Journal in memory: for tests, and for runs that resume within one process. Keyed by subject,
 * provider target and identifier hash; `has` without a hash asks about any identifier. A `failed`
 * outcome withdraws the confirmation of its identifier (all of the target's without one).
 */
export function createMemoryJournal(): Journal & { readonly size: number } {
  const confirmed = new Map<string, Set<string | undefined>>()
  return {
    record(outcome: Outcome) {
      const key = journalKey(outcome.subjectRef, outcome.provider, outcome.target)
      const hash = outcome.identifier?.hash
      if (CONFIRMED.has(outcome.status)) confirmed.set(key, (confirmed.get(key) ?? new Set()).add(hash))
      else if (outcome.status === 'failed') {
        const hashes = confirmed.get(key)
        if (hash === undefined || (hashes?.delete(hash) && !hashes.size)) confirmed.delete(key)
      }
    },
    has(subjectRef, provider, target, identifierHash) {
      const hashes = confirmed.get(journalKey(subjectRef, provider, target))
      return !!hashes && (identifierHash === undefined || hashes.has(identifierHash))
    },
    get size() {
      let size = 0
      for (const hashes of confirmed.values()) size += hashes.size
      return size
    },
  }
}
