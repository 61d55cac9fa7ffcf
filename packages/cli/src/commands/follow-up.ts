import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { ErasureError, type Outcome } from '@erasekit/core'
import { createBatchClient, type BatchGdprStatus, type BatchOptions } from '@erasekit/batch'
import { defineCommand, type ArgsDef } from 'citty'
import { rejectUnknownFlags, requireValue } from '../args'
import { buildConfig, loadConfig } from '../config'
import { RunStopped, UsageError } from '../errors'
import { checkJournal, type FailedRequest, isReceipt, jsonLines, LineFile, lockJournal, withdrawFromJournal } from '../files'
import { colors, fmt, logger, statusColor, table } from '../ui'

const args = {
  config: { type: 'string', description: 'The config the receipts were made with (its batch provider, mode gdpr)', valueHint: 'FILE' },
  receipts: { type: 'string', description: 'Receipts files of earlier runs, comma-separated', valueHint: 'FILES' },
  journal: { type: 'string', description: 'The journal the runs used: each request Batch failed is withdrawn from it, so that erasekit run with it sends the subject again', valueHint: 'FILE' },
  output: { type: 'string', description: 'Follow-up file (JSON lines, one per request looked up, identifiers only as salted hashes); appended to. Default ./erasekit-follow-up-<time>.jsonl', valueHint: 'FILE' },
} satisfies ArgsDef

/** The shortest time Batch keeps a GDPR request [doc: 20–30 days]. */
const KEPT_MS = 20 * 24 * 3600e3
/** Batch's own concurrency limit (limits.concurrency of the provider). */
const CONCURRENCY = 8
const COLUMNS = ['accepted', 'deleted', 'not_found', 'failed', 'lookup failed'] as const
// 'accepted' is what the outcomes say; here it means Batch has not processed the request yet.
const HEADINGS = ['request', 'pending', ...COLUMNS.slice(1)]

type FiledRequest = Pick<Outcome, 'target' | 'subjectRef' | 'identifier' | 'requestId'>
type Answer = Omit<BatchGdprStatus, 'requestId'> | { lookupError: { code: string; message: string; retryable: boolean } }
type Line = FiledRequest & { provider: 'batch'; checkedAt: string } & Answer

export default defineCommand({
  meta: { name: 'follow-up', description: 'Look up the Batch GDPR requests that earlier runs left accepted: pending, deleted, not_found or failed' },
  args,
  async run({ args: parsed, rawArgs }) {
    rejectUnknownFlags(rawArgs, args)
    const configFile = requireValue(parsed.config, '--config')
    const files = requireValue(parsed.receipts, '--receipts').split(',').map((file) => file.trim()).filter(Boolean)
    if (!files.length) throw new UsageError('--receipts: expected receipts files, e.g. --receipts receipts.jsonl')
    for (const file of files) {
      const code = await stat(file).then((info) => (info.isDirectory() ? 'EISDIR' : undefined), (error: NodeJS.ErrnoException) => error.code ?? 'error')
      if (code) throw new UsageError(`--receipts: cannot read ${file} (${code})`)
    }

    const raw = await loadConfig(configFile)
    const configured = (raw as { providers?: Record<string, unknown> } | null)?.providers
    if (!configured || typeof configured !== 'object' || !Object.hasOwn(configured, 'batch')) throw new UsageError(`${configFile}: providers.batch: required (only Batch GDPR requests have a status to follow up)`)
    const built = buildConfig(raw, { file: configFile, only: ['batch'] })
    if (built.problems.length) throw new UsageError(`${configFile}: ${built.problems.join('; ')}. Set the variables and run again`)
    const options = built.options.batch as BatchOptions | undefined
    if (!options) throw new UsageError(`${configFile}: providers.batch: expected batch options (a provider object cannot make a status client)`)
    if (options.mode !== 'gdpr') throw new UsageError(`${configFile}: providers.batch.mode: expected gdpr (custom_data tokens have no status to look up)`)
    const client = createBatchClient(options)

    const outputPath = resolve(parsed.output !== undefined ? requireValue(parsed.output, '--output') : `erasekit-follow-up-${new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z')}.jsonl`)
    const journalPath = parsed.journal === undefined ? undefined : resolve(requireValue(parsed.journal, '--journal'))
    if (journalPath) await stat(journalPath).catch((error: NodeJS.ErrnoException) => Promise.reject(new UsageError(`--journal: cannot read ${journalPath} (${error.code ?? 'error'})`)))
    // A file given twice would be looked up twice; the output among the inputs (or the journal) would grow as it is read.
    const identities = await Promise.all([...files, outputPath, ...(journalPath ? [journalPath] : [])].map((file) => stat(file).then((info) => `${info.dev}:${info.ino}`, () => resolve(file))))
    const twice = identities.findIndex((id, index) => identities.indexOf(id) !== index && index < files.length)
    if (twice !== -1) throw new UsageError(`--receipts: ${files[twice]} is given twice`)
    if (identities.indexOf(identities[files.length]!) !== files.length || identities.lastIndexOf(identities[files.length]!) !== files.length) {
      throw new UsageError(`--output: ${outputPath} is also an input or the journal; use a file of its own`)
    }
    // Checked and locked before any lookup: a run using it now would be told apart only after them.
    if (journalPath) {
      await checkJournal(journalPath)
      lockJournal(journalPath)
    }
    const output = new LineFile(outputPath, '--output')

    const controller = new AbortController()
    const onSignal = (signal: NodeJS.Signals) => controller.abort(new Error(`interrupted by ${signal}`))
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    const counts = new Map<string, Record<(typeof COLUMNS)[number], number>>()
    // Requests Batch failed and lookups it refused, by subject, app and identifier.
    const problems: (Omit<FailedRequest, 'identifierHash'> & { identifierHash?: string; subject: string; failed: boolean })[] = []
    let found = 0
    let old = 0
    let journaled = 0
    let unnamed = 0
    // The receipts and the journal of one run name the same requests: each is looked up once.
    // About 0.5 KB per request held, for the whole follow-up, with `newest`.
    const seen = new Set<string>()
    // The newest request for each subject, app and identifier among the files, all looked up here:
    // an older one that failed, or that Batch no longer keeps, was sent again since.
    const newest = new Map<string, { at: string; requestId: string }>()
    const subjectOf = (request: { subjectRef: string; target?: string | undefined }, hash: unknown) => `${request.subjectRef}\n${request.target}\n${hash}`
    let repeated = 0
    let writeError: unknown
    const lookUp = async (request: FiledRequest) => {
      let answer: Answer
      try {
        const { requestId: _, ...status } = await client.gdprStatus(request, { signal: controller.signal })
        answer = status
      } catch (error) {
        if (!ErasureError.isInstance(error)) throw error
        if (error.code === 'aborted') return
        answer = { lookupError: { code: error.code, message: error.message, retryable: error.retryable } }
      }
      const column = 'lookupError' in answer ? 'lookup failed' : answer.status
      if ('lookupError' in answer ? !answer.lookupError.retryable : answer.status === 'failed') {
        const { subjectRef, target, identifier, requestId } = request
        problems.push({ subject: subjectOf(request, identifier?.hash), failed: column === 'failed', subjectRef, provider: 'batch', target, identifierHash: identifier?.hash, requestId: requestId! })
      }
      const lane = `batch/${request.target}`
      const row = counts.get(lane) ?? counts.set(lane, { accepted: 0, deleted: 0, not_found: 0, failed: 0, 'lookup failed': 0 }).get(lane)!
      row[column]++
      try {
        output.write(`${JSON.stringify({ provider: 'batch', ...request, ...answer, checkedAt: new Date().toISOString() } satisfies Line)}\n`)
      } catch (error) {
        // A full disk: the lookups stop; the lines written so far are whole.
        writeError ??= error
        controller.abort(error)
      }
    }

    // Streamed: at most CONCURRENCY lookups in flight, however long the receipts (a receipt per
    // subject and app key; each accepted one names a request of its own).
    const inFlight = new Set<Promise<void>>()
    try {
      for (const file of files) {
        let unreadable = 0
        for await (const { value } of jsonLines(file, '--receipts')) {
          if (controller.signal.aborted) break
          const receipt = value as Partial<Outcome> | null | undefined
          if (receipt === undefined) {
            unreadable++
            continue
          }
          // A resumed run's receipt of what an earlier run confirmed names no request: that run's receipts, or the journal, do.
          if (receipt?.provider === 'batch' && receipt.reason === 'journaled') journaled++
          // Batch answered 2xx without a readable request id (an empty or cut-off body): filed, but nothing to look up.
          // Receipts only: a journal line from before journals kept request ids names none either.
          if (receipt?.provider === 'batch' && receipt.status === 'accepted' && receipt.requestId === undefined && isReceipt(receipt)) unnamed++
          if (receipt?.provider !== 'batch' || receipt.status !== 'accepted' || typeof receipt.requestId !== 'string' || typeof receipt.target !== 'string') continue
          const key = `${receipt.target}\n${receipt.requestId}`
          if (seen.has(key)) {
            repeated++
            continue
          }
          seen.add(key)
          const hash = receipt.identifier?.hash ?? (receipt as { identifierHash?: string }).identifierHash
          const subject = subjectOf({ subjectRef: String(receipt.subjectRef), target: receipt.target }, hash)
          // A receipt without a time (hand-made) is never taken for the newer one.
          const at = typeof receipt.at === 'string' ? receipt.at : ''
          if (!newest.has(subject) || at > newest.get(subject)!.at) newest.set(subject, { at, requestId: receipt.requestId })
          // Batch keeps requests 20–30 days [doc]: an older one may be gone (a 404: lookup failed).
          if (Date.now() - Date.parse(String(receipt.at)) > KEPT_MS) old++
          if (!found++) logger.info(`looking up the Batch GDPR requests in ${files.map((name) => basename(name)).join(', ')}`)
          // A journal line keeps the identifier's hash only (Batch's identifier is always its custom id).
          const identifier = receipt.identifier ?? (typeof hash === 'string' ? { kind: 'custom_id', hash } : undefined)
          const request: FiledRequest = { target: receipt.target, subjectRef: String(receipt.subjectRef), identifier, requestId: receipt.requestId }
          const pending = lookUp(request).finally(() => inFlight.delete(pending))
          inFlight.add(pending)
          if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight)
        }
        if (unreadable) logger.warn(`${basename(file)}: ${fmt(unreadable)} unreadable line(s) skipped (a run that crashed mid-write)`)
      }
      await Promise.all(inFlight)
    } finally {
      output.close()
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
    if (writeError) throw RunStopped.by(`follow-up stopped after ${fmt(output.lines)} lookups, written to ${basename(outputPath)}`, writeError)
    if (repeated) logger.info(`${fmt(repeated)} request(s) listed more than once (a run's receipts and its journal), looked up once`)
    if (journaled) logger.warn(`${fmt(journaled)} Batch receipt(s) say an earlier run confirmed the request (skipped: journaled) and name no request id: give that run's receipts file too, or the journal (it keeps the ids)`)
    if (unnamed) logger.warn(`${fmt(unnamed)} accepted Batch receipt(s) name no request id (Batch's 2xx carried none that could be read): look them up in Batch's dashboard by custom id`)
    if (!found && !controller.signal.aborted) {
      logger.info(`no accepted Batch requests in ${files.map((file) => basename(file)).join(', ')}: nothing to follow up`)
      return
    }

    // A failure, or a refused lookup, that a later request looked up here replaced is history.
    const current = problems.filter(({ subject, requestId }) => newest.get(subject)?.requestId === requestId)
    const superseded = problems.length - current.length
    const failing = new Set(current.filter((problem) => problem.failed).map((problem) => problem.subject))
    const failedNow = failing.size
    // The runs' journal holds them as accepted: withdrawn, a run with it sends them again. Every
    // failed request of a subject whose newest failed, since the journal may name any of them.
    const withdrawing = problems.filter((problem): problem is FailedRequest & (typeof problems)[number] => problem.failed && failing.has(problem.subject) && problem.identifierHash !== undefined)
    const written = { lines: 0 }
    const withdrawal = journalPath && withdrawing.length ? await withdrawFromJournal(journalPath, withdrawing, written).catch((error) => ((writeError = error), undefined)) : undefined
    const rows = [...counts].sort(([a], [b]) => a.localeCompare(b))
    const color = (column: string, count: number) => (count ? (statusColor[column] ?? colors.red)(fmt(count)) : colors.dim('0'))
    process.stdout.write(`\n${table(HEADINGS, rows.map(([lane, row]) => [lane, ...COLUMNS.map((column) => color(column, row[column]))]))}\n\n`)
    const total = (column: (typeof COLUMNS)[number]) => rows.reduce((sum, [, row]) => sum + row[column], 0)
    const looked = rows.reduce((sum, [, row]) => sum + COLUMNS.reduce((all, column) => all + row[column], 0), 0)
    logger.info(`follow-up: ${outputPath} (${fmt(looked)} lines written)`)
    if (old) logger.warn(`${fmt(old)} request(s) filed more than 20 days ago: Batch keeps requests 20–30 days, so a lookup may find nothing (invalid_request); follow up sooner next time`)
    if (superseded) logger.info(`${fmt(superseded)} failed request(s) or refused lookup(s) were sent again since (a later request for the same subject and app, looked up here): not counted`)
    if (withdrawal) {
      const { withdrawn, already, absent, elsewhere } = withdrawal
      const earlier = already ? ` (${fmt(already)} by an earlier follow-up)` : ''
      logger.info(`${fmt(withdrawn + already)} withdrawn from ${basename(journalPath!)}${earlier}: erasekit run with that journal sends them to Batch again${absent ? `; ${fmt(absent)} not in it` : ''}`)
      if (elsewhere) logger.warn(`${fmt(elsewhere)} failed request(s) not withdrawn: the journal's latest line for that subject names another request, not looked up here. Give the journal among --receipts too (it keeps the request ids), so that request is looked up`)
    }
    // Each withdrawal line is whole; a second run withdraws what is left, and none twice.
    if (writeError) throw RunStopped.by(`could not withdraw from ${basename(journalPath!)} after ${fmt(written.lines)} withdrawal line(s)`, writeError)
    if (controller.signal.aborted) {
      logger.warn(`interrupted after ${fmt(looked)} lookups; run the same command again`)
      process.exitCode = 130
    } else if (current.length) {
      const advice = [
        failedNow && !withdrawal ? 'to erase the failed ones again, run this with --journal <the runs\' journal>, which withdraws them, then erasekit run with that journal (it holds them as accepted and would skip them)' : '',
        current.length > failedNow ? 'fix what the refused lookups say' : '',
      ].filter(Boolean).join('; ')
      logger.error(`${fmt(failedNow)} request(s) failed at Batch, ${fmt(current.length - failedNow)} lookup(s) refused: see ${basename(outputPath)}${advice ? `; ${advice}` : ''}`)
      process.exitCode = 2
    } else if (total('accepted') || total('lookup failed')) {
      logger.warn(`${fmt(total('accepted'))} request(s) still pending at Batch${total('lookup failed') ? `, ${fmt(total('lookup failed'))} lookup(s) to retry` : ''}: run the same command again later (Batch keeps requests 20–30 days)`)
      process.exitCode = 4
    } else {
      logger.success(`${fmt(looked)} request(s) done at Batch: ${fmt(total('deleted'))} deleted, ${fmt(total('not_found'))} not found`)
      process.exitCode = 0
    }
  },
})
