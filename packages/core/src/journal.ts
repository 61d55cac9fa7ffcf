import type { Journal, Outcome, Status } from './types'

/** Statuses that mean the provider has the request: a resumed run does not send them again. */
export const CONFIRMED: ReadonlySet<Status> = new Set(['deleted', 'accepted', 'not_found'])

export const journalKey = (subjectRef: string, provider: string, target?: string) =>
  target ? `${subjectRef}\u0000${provider}\u0000${target}` : `${subjectRef}\u0000${provider}`

/** A Journal in memory: for tests, and for runs that resume within one process. */
export function createMemoryJournal(): Journal & { readonly size: number } {
  const confirmed = new Set<string>()
  return {
    record(outcome: Outcome) {
      if (CONFIRMED.has(outcome.status)) confirmed.add(journalKey(outcome.subjectRef, outcome.provider, outcome.target))
    },
    has: (subjectRef, provider, target) => confirmed.has(journalKey(subjectRef, provider, target)),
    get size() {
      return confirmed.size
    },
  }
}
