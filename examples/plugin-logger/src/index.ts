/**
 * erasekit plugin: one structured JSON event per request, response, retry, error and outcome
 * (reports and progress on request), to a pluggable sink. Default sink: one JSON line on
 * console.log.
 *
 * Nothing raw is ever logged. Request events come from the hook context's `toJSON()`, which the
 * core has already redacted (secrets → `***`, the batch's identifiers → `[id:<hash prefix>]`);
 * outcomes and reports hold no PII by contract. Bodies are left out unless `bodies: true`.
 */
// #region imports
import { definePlugin, type Outcome, type Plugin, type Progress, type Report, type RequestContext, type RequestSnapshot } from '@erasekit/core'
// #endregion imports

export type LogEventName = 'request' | 'response' | 'error' | 'retry' | 'outcome' | 'report' | 'progress'
export type LogLevel = 'info' | 'warn' | 'error'

/** One log line. Fields besides these depend on the event (see the README). */
export interface LogEvent {
  event: `erasekit.${LogEventName}`
  level: LogLevel
  /** ISO 8601. */
  time: string
  provider?: string
  target?: string
  [field: string]: unknown
}

export type LogSink = (event: LogEvent) => void | Promise<void>

export interface LoggerOptions {
  /** Where events go. Default: `consoleSink` (one JSON line per event on console.log). */
  sink?: LogSink
  /** Which events to emit. Default: request, response, retry, error, outcome. */
  events?: LogEventName[]
  /** Include the (redacted) request body and response data. Default false. */
  bodies?: boolean
  /** Called when the sink throws; the erasure goes on. Default: one console.error line without the event. */
  onSinkError?: (error: unknown, event: LogEvent) => void
  /** Clock, for tests. */
  now?: () => Date
}

export const DEFAULT_EVENTS: readonly LogEventName[] = ['request', 'response', 'retry', 'error', 'outcome']

/** One JSON line per event on console.log. */
export const consoleSink: LogSink = (event) => console.log(JSON.stringify(event))

// #region plugin
export function logger(options: LoggerOptions = {}): Plugin {
  const sink = options.sink ?? consoleSink
  const enabled = new Set(options.events ?? DEFAULT_EVENTS)
  const now = options.now ?? (() => new Date())
  const onSinkError = options.onSinkError ?? (() => console.error('[erasekit-plugin-logger] the log sink failed; event dropped'))

  // A broken sink must not fail an erasure: hook errors are fatal to a run in erasekit.
  const emit = async (name: LogEventName, level: LogLevel, fields: Record<string, unknown>) => {
    const event = { event: `erasekit.${name}`, level, time: now().toISOString(), ...fields } as LogEvent
    try {
      await sink(event)
    } catch (error) {
      onSinkError(error, event)
    }
  }
  // The redacted copy of the context: this plugin never reads `ctx.request` itself.
  const snapshot = (ctx: RequestContext) => ctx.toJSON()
  const where = (s: RequestSnapshot) => ({ provider: s.provider, target: s.target, attempt: s.attempt })

  return definePlugin({
    name: 'logger',
    setup(eraser) {
      // #region request-hooks
      if (enabled.has('request')) {
        eraser.hook('beforeRequest', (ctx) => {
          const s = snapshot(ctx)
          const { method, url, headers, body } = s.request
          return emit('request', 'info', { ...where(s), method, url, headers, ...(options.bodies ? { body } : {}) })
        })
      }
      // #endregion request-hooks
      if (enabled.has('response')) {
        eraser.hook('afterResponse', (ctx) => {
          const s = snapshot(ctx)
          const status = s.response?.status ?? 0
          return emit('response', status >= 400 ? 'warn' : 'info', { ...where(s), status, ...(options.bodies ? { data: s.response?.data } : {}) })
        })
      }
      if (enabled.has('error')) {
        eraser.hook('onError', (ctx) => {
          const s = snapshot(ctx)
          // `willRetry` as far as the core decided; a later onError/retry hook may still veto.
          return emit('error', s.retry ? 'warn' : 'error', { ...where(s), error: s.error, willRetry: s.retry })
        })
      }
      if (enabled.has('retry')) {
        eraser.hook('retry', (ctx) => {
          const s = snapshot(ctx)
          return emit('retry', 'warn', { ...where(s), nextAttempt: s.attempt + 1, delayMs: s.delayMs, code: s.error?.code, status: s.error?.status })
        })
      }
      // #region outcome-hook
      if (enabled.has('outcome')) {
        // Outcomes hold no raw identifier and no secret (identifier.hash only): logged whole.
        eraser.hook('outcome', (outcome: Outcome) => emit('outcome', outcome.status === 'failed' ? 'error' : 'info', { ...outcome }))
      }
      // #endregion outcome-hook
      if (enabled.has('report')) {
        eraser.hook('report', (report: Report) => {
          const statuses: Record<string, number> = {}
          for (const outcome of report.outcomes) statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1
          return emit('report', report.ok ? 'info' : 'error', { subjectRef: report.subjectRef, ok: report.ok, durationMs: report.durationMs, statuses, ...(report.dryRun ? { dryRun: true } : {}) })
        })
      }
      if (enabled.has('progress')) {
        eraser.hook('progress', (progress: Progress) => emit('progress', 'info', { ...progress }))
      }
    },
  })
}
// #endregion plugin
