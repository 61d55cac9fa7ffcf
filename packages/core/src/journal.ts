import type { Journal, Outcome, Status } from './types'

/** Statuses that mean the provider has the request: a resumed run does not send them again. */
export const CONFIRMED: ReadonlySet<Status> = new Set(['deleted', 'accepted', 'not_found'])

export const journalKey = (subjectRef: string, provider: string, target?: string) =>
  target ? `${subjectRef}\u0000${provider}\u0000${target}` : `${subjectRef}\u0000${provider}`

/**
 * A Journal in memory: for tests, and for runs that resume within one process. Keyed by subject,
 * provider target and identifier hash; `has` without a hash asks about any identifier. `forget`
 * removes a confirmation (a follow-up found the vendor failed a request it had accepted), so the
 * next run sends it again: the engine never withdraws one itself.
 */
export function createMemoryJournal(): Journal & { readonly size: number; forget(subjectRef: string, provider: string, target?: string, identifierHash?: string): void } {
  const confirmed = new Map<string, Set<string | undefined>>()
  return {
    forget(subjectRef, provider, target, identifierHash) {
      const key = journalKey(subjectRef, provider, target)
      const hashes = confirmed.get(key)
      if (identifierHash === undefined || (hashes?.delete(identifierHash) && !hashes.size)) confirmed.delete(key)
    },
    record(outcome: Outcome) {
      if (!CONFIRMED.has(outcome.status)) return
      const key = journalKey(outcome.subjectRef, outcome.provider, outcome.target)
      confirmed.set(key, (confirmed.get(key) ?? new Set()).add(outcome.identifier?.hash))
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
