import type { Outcome, Report, Status } from '@erasekit/core'
import { colors, fmt, statusColor, table } from './ui'

export const STATUSES: Status[] = ['deleted', 'accepted', 'not_found', 'skipped', 'failed']

export const laneOf = (outcome: Pick<Outcome, 'provider' | 'target'>) => (outcome.target ? `${outcome.provider}/${outcome.target}` : outcome.provider)

interface FailureGroup {
  code: string
  message: string
  lanes: Map<string, number>
}

/** Counts reports and outcomes as they stream by: per provider target and status, plus failures. */
export class Tally {
  subjects = 0
  okSubjects = 0
  /** Ok subjects some provider was never asked about: it had no identifier it can use. */
  unasked = 0
  /** Failed outcomes that need a fix before a rerun can mend them (a refused credential, an invalid subject): not `retryable`. */
  permanentFailures = 0
  readonly lanes = new Map<string, Record<Status, number>>()
  readonly reasons = new Map<string, number>()
  private readonly failures = new Map<string, FailureGroup>()

  constructor(lanes: string[] = []) {
    for (const lane of lanes) this.lane(lane)
  }

  private lane(name: string) {
    let counts = this.lanes.get(name)
    if (!counts) this.lanes.set(name, (counts = { deleted: 0, accepted: 0, not_found: 0, skipped: 0, failed: 0 }))
    return counts
  }

  add(report: Report) {
    this.subjects++
    if (report.ok) this.okSubjects++
    if (report.ok && report.outcomes.some((outcome) => outcome.reason === 'no_identifier')) this.unasked++
    for (const outcome of report.outcomes) {
      const lane = laneOf(outcome)
      this.lane(lane)[outcome.status]++
      if (outcome.reason) this.reasons.set(`${lane}\u0000${outcome.reason}`, (this.reasons.get(`${lane}\u0000${outcome.reason}`) ?? 0) + 1)
      if (outcome.status === 'failed') {
        if (outcome.error?.retryable !== true) this.permanentFailures++
        const code = outcome.error?.code ?? 'provider_error'
        // One group per cause: line numbers differ between lines with the same problem.
        const message = (outcome.error?.message ?? '').replace(/\bline \d+/g, 'line …')
        const id = `${code}\u0000${message}`
        let group = this.failures.get(id)
        if (!group) this.failures.set(id, (group = { code, message, lanes: new Map() }))
        group.lanes.set(lane, (group.lanes.get(lane) ?? 0) + 1)
      }
    }
  }

  get failedSubjects() {
    return this.subjects - this.okSubjects
  }

  total(status: Status) {
    let sum = 0
    for (const counts of this.lanes.values()) sum += counts[status]
    return sum
  }

  /** Per provider target × status, with a total column. */
  table(): string {
    const rows = [...this.lanes].map(([lane, counts]) => [
      lane,
      ...STATUSES.map((status) => (counts[status] ? statusColor[status]!(fmt(counts[status])) : colors.dim('0'))),
      fmt(STATUSES.reduce((sum, status) => sum + counts[status], 0)),
    ])
    return table(['provider', ...STATUSES, 'total'], rows)
  }

  /** "skipped" explained: no identifier / journaled / dry run, with the provider targets concerned. */
  reasonLines(): string[] {
    const words: Record<string, string> = { no_identifier: 'no identifier this provider can use', journaled: 'already done in an earlier run (journal)', dry_run: 'dry run: nothing sent' }
    const byReason = new Map<string, Map<string, number>>()
    for (const [id, count] of this.reasons) {
      const [lane, reason] = id.split('\u0000') as [string, string]
      if (!byReason.has(reason)) byReason.set(reason, new Map())
      byReason.get(reason)!.set(lane, count)
    }
    return [...byReason].map(([reason, lanes]) => `skipped, ${words[reason] ?? reason}: ${where(lanes)}`)
  }

  /** One line per cause: `invalid_subject × 2 (adapty, clevertap): message`. */
  failureLines(): string[] {
    return [...this.failures.values()].map(({ code, message, lanes }) => `${code}, ${where(lanes)}: ${message}`)
  }
}

/** `4 × adapty, clevertap` when the counts agree, `adapty 4, altcraft 3` otherwise. */
function where(lanes: Map<string, number>): string {
  const counts = [...lanes.values()]
  return counts.every((count) => count === counts[0])
    ? `${fmt(counts[0]!)} × ${[...lanes.keys()].join(', ')}`
    : [...lanes].map(([lane, count]) => `${lane} ${fmt(count)}`).join(', ')
}
