import { access, realpath, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { createEraser, type Outcome, type Report } from '@erasekit/core'
import { defineCommand, type ArgsDef } from 'citty'
import { rejectUnknownFlags, requireValue } from '../args'
import { buildConfig, BUNDLED_NAMES, loadConfig, scopeOf } from '../config'
import { RunStopped, UsageError } from '../errors'
import { createOutcomeSink, LineFile, loadJournal, lockJournal, refOf, runsPathOf, saltCheckOf, subjectKey } from '../files'
import { countLines, formatOf, readSubjects, type InputItem } from '../input'
import { startProgress } from '../progress'
import { circuitBreaker, credentialBreaker } from '../breaker'
import { laneOf, Tally } from '../summary'
import { colors, fmt, logger, out } from '../ui'
import { VERSION } from '../version'

const args = {
  config: { type: 'string', description: 'erasekit.config.ts, .mjs or .json (providers; secrets from environment variables)', valueHint: 'FILE' },
  input: { type: 'string', description: 'Subjects: .csv (header: ref, userId, email, phone, ids.<provider>) or .jsonl/.ndjson (one subject per line)', valueHint: 'FILE' },
  'dry-run': { type: 'boolean', description: 'Validate and build every request, send nothing' },
  journal: { type: 'string', description: 'Resume file: confirmed outcomes are appended as they happen and skipped on the next run', valueHint: 'FILE' },
  receipts: { type: 'string', description: 'Receipts file (JSON lines, one outcome each, identifiers only as salted hashes); appended to. Default ./erasekit-receipts-<time>.jsonl', valueHint: 'FILE' },
  only: { type: 'string', description: 'Comma-separated providers to run (e.g. adapty,batch)', valueHint: 'PROVIDERS' },
} satisfies ArgsDef

const SHOWN_FAILURES = 10
/** A bulk body (up to the window, 2 000 ids for Batch) shows its first ids in the dry-run sample. */
const abridge = (value: unknown): unknown =>
  Array.isArray(value)
    ? [...value.slice(0, 3).map(abridge), ...(value.length > 3 ? [`… ${fmt(value.length - 3)} more`] : [])]
    : value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, abridge(item)]))
      : value
/** Subjects read ahead of their reports: enough to keep every provider busy, few enough to finish quickly on Ctrl-C. */
const WINDOW = 2_000

export default defineCommand({
  meta: { name: 'run', description: 'Erase every subject of a CSV or JSONL file from the configured providers' },
  args,
  async run({ args: parsed, rawArgs }) {
    rejectUnknownFlags(rawArgs, args)
    const configFile = requireValue(parsed.config, '--config')
    const inputFile = requireValue(parsed.input, '--input')
    const dryRun = Boolean(parsed['dry-run'])
    const only = parsed.only === undefined ? undefined : requireValue(parsed.only, '--only').split(',').map((name) => name.trim()).filter(Boolean)
    if (only && only.length === 0) throw new UsageError('--only: expected provider names, e.g. --only adapty,batch')

    const format = formatOf(inputFile)
    if (!format) throw new UsageError(`--input: expected a .csv or .jsonl file, got ${inputFile}`)
    try {
      await access(inputFile)
      if ((await stat(inputFile)).isDirectory()) throw Object.assign(new Error('a directory'), { code: 'EISDIR' })
    } catch (error) {
      throw new UsageError(`--input: cannot read ${inputFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
    }

    const built = buildConfig(await loadConfig(configFile), { file: configFile, only })
    const journalPath = parsed.journal === undefined ? undefined : resolve(requireValue(parsed.journal, '--journal'))
    // Taken before the journal is read: what another run confirms meanwhile must not be missed.
    const writesJournal = journalPath !== undefined && !dryRun
    if (writesJournal) lockJournal(journalPath)
    const loaded = journalPath ? await loadJournal(journalPath) : undefined
    const saltCheck = saltCheckOf(built.receiptSalt)
    if (loaded?.saltChecks.size && !loaded.saltChecks.has(saltCheck)) {
      throw new UsageError(
        `--journal: ${journalPath} was written with another receiptSalt (or none): its hashes would match nothing, and every erasure it confirms would be sent again. Run with the receiptSalt of that journal, or give a new --journal`,
      )
    }
    const receiptsPath =
      parsed.receipts !== undefined
        ? resolve(requireValue(parsed.receipts, '--receipts'))
        : dryRun
          ? undefined
          : resolve(`erasekit-receipts-${new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z')}.jsonl`)

    // Appending receipts to the input, or mixing receipts and journal lines, would spoil both.
    // Compared as the files they are: a link (symbolic or hard) to the input is the input, and a
    // file still to be made is known by its real directory.
    const identity = (path: string) =>
      stat(path).then(
        (file) => `${file.dev}:${file.ino}`,
        async () => join(await realpath(dirname(path)).catch(() => dirname(path)), basename(path)),
      )
    const paths: [string, string, string][] = []
    for (const [option, path] of [['--input', resolve(inputFile)], ['--receipts', receiptsPath], ['--journal', journalPath]] as const) if (path) paths.push([option, path, await identity(path)])
    for (const [i, [option, path, id]] of paths.entries()) {
      const other = paths.slice(0, i).find(([, , earlier]) => earlier === id)
      if (other) throw new UsageError(`${option}: ${path} is also the ${other[0]} file; use a file of its own`)
    }

    // Every provider misses a secret: every subject would fail the same way, so say it once.
    if (built.problems.length && built.problems.length === built.providers.length) {
      throw new UsageError(`${configFile}: no provider can run: ${built.problems.join('; ')}. Set the variables and run again`)
    }

    const total = Math.max(0, (await countLines(inputFile)) - (format === 'csv' ? 1 : 0))
    logger.info(`${dryRun ? 'Dry run: ' : ''}erasing ${fmt(total)} subject${total === 1 ? '' : 's'} from ${basename(inputFile)} with ${built.lanes.join(', ')}`)
    if (loaded) {
      logger.info(`journal ${journalPath}: ${loaded.confirmed.size ? `${fmt(loaded.confirmed.size)} confirmed outcomes from earlier runs will be skipped` : 'new'}`)
      if (loaded.skipped) logger.warn(`journal: ignored ${loaded.skipped} unreadable line(s) (a run that crashed mid-write)`)
    }
    for (const problem of built.problems) logger.warn(`${configFile}: ${problem}; that provider's outcomes fail with invalid_config, the others run`)
    // Its receipts look like a GDPR removal's (accepted, a token): say what it does while it can be changed.
    if (built.options.batch && built.options.batch.mode !== 'gdpr') {
      logger.warn(`${configFile}: providers.batch.mode is custom_data: Batch deletes only the custom data set through its Custom Data API, not the user. For a right-to-erasure request set mode: 'gdpr'`)
    }
    if (built.receiptSalt === undefined && !dryRun) {
      logger.warn(`${configFile}: no receiptSalt: receipts and journal hold plain SHA-256 hashes of the identifiers, so whoever has a list of your users' emails or ids can tell whom you erased. Set receiptSalt (erasekit init writes it), keep it secret, and keep it for every later run`)
    }

    // Read up to the first subject now: a bad header stops here, before any file is written.
    const names = [...new Set([...BUNDLED_NAMES, ...built.providers.map((provider) => provider.name), ...built.idKeys])]
    // A key that differs from a provider's column only in case would take that column over.
    const twin = names.find((name) => built.idKeys.some((key) => key !== name && key.toLowerCase() === name.toLowerCase()))
    if (twin) throw new UsageError(`${configFile}: providers.altcraft.custom.from: differs from the ids.${twin} column only in case; write ids.${twin}, or use a key of its own`)
    const warnings: string[] = []
    const input = readSubjects(inputFile, format, { providers: names, warn: (message) => warnings.push(message) })
    const first = await input.next()
    for (const message of warnings) logger.warn(message)

    const receipts = receiptsPath ? new LineFile(receiptsPath, '--receipts') : undefined
    // Beside the receipts, one line per run: what its receipts cover (Batch's mode, Altcraft's
    // database, the vendors' origins) and which salt their hashes use, none of it secret.
    if (receiptsPath) {
      const record = new LineFile(runsPathOf(receiptsPath), '--receipts')
      const run = { startedAt: new Date().toISOString(), erasekit: VERSION, input: basename(inputFile), ...(dryRun ? { dryRun } : {}), saltCheck: built.receiptSalt === undefined ? null : saltCheck }
      record.write(`${JSON.stringify({ ...run, providers: scopeOf(built) })}\n`)
      record.close()
    }
    const journal = writesJournal ? new LineFile(journalPath, '--journal') : undefined
    if (journal && !loaded?.saltChecks.has(saltCheck)) journal.write(`${JSON.stringify({ saltCheck })}\n`)
    const sink = createOutcomeSink({ receipts, journal, loaded: loaded?.confirmed, dryRun, keyed: true })
    // Each outcome is written as it settles, not once its subject's report is out (a report waits
    // for the slowest provider), and before the config's plugins see it (one may throw or be slow):
    // a crash or kill -9 then loses nothing a vendor confirmed.
    const receiptsFirst = { name: 'erasekit-cli-receipts', hooks: { outcome: (outcome: Outcome) => sink.record(outcome) } }
    const eraser = createEraser({ providers: built.providers, plugins: [receiptsFirst, ...built.plugins], retry: built.retry, timeout: built.timeout, receiptSalt: built.receiptSalt })
    const tally = new Tally(built.lanes)
    const progress = startProgress({ tally, total })
    circuitBreaker(eraser, (message) => progress.print(() => logger.warn(message)))
    credentialBreaker(eraser, (message) => progress.print(() => logger.warn(message)))

    // Ctrl-C once: read no more input, finish the subjects already read (their requests complete,
    // so nothing is left half-sent). Twice: abort them (each is reported as failed: aborted).
    // Three times: exit at once (every line written so far is already in the files).
    const controller = new AbortController()
    let stopping: NodeJS.Signals | undefined
    let read = 0
    const onSignal = (signal: NodeJS.Signals) => {
      if (!stopping) {
        stopping = signal
        const inFlight = Math.max(0, read - tally.subjects)
        progress.print(() => logger.warn(`${signal}: reading no more subjects; finishing the ${fmt(inFlight)} already read (Ctrl-C again to abort them)`))
      } else if (!controller.signal.aborted) {
        progress.print(() => logger.warn(`${signal}: aborting the subjects in flight; they are reported as failed (aborted) and sent again on resume`))
        controller.abort(new Error(`interrupted by ${signal}`))
      } else {
        sink.close()
        process.stderr.write('\n')
        process.exit(130)
      }
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)

    // Where each subject came from, by its key, while it is in flight (for messages).
    const lineOf = new Map<string, number>()
    const shown: string[] = []
    let hiddenFailures = 0
    // The dry run shows the first line's requests: reports come back in any order.
    let sample: { report: Report; line: number } | undefined

    const onReport = (report: Report, line?: number, reason?: string) => {
      tally.add(report)
      if (dryRun && report.requests?.length && line !== undefined && (!sample || line < sample.line)) sample = { report, line }
      if (report.ok) return
      if (shown.length >= SHOWN_FAILURES) {
        hiddenFailures++
        return
      }
      const ref = report.subjectRef.startsWith('line:') ? '' : ` (ref ${report.subjectRef})`
      const where = line !== undefined ? `line ${line}${ref}` : report.subjectRef.startsWith('line:') ? `line ${report.subjectRef.slice(5)}` : `ref ${report.subjectRef}`
      if (reason) {
        shown.push(`${where}: invalid_subject: ${reason}`)
        return
      }
      // One cause per group of provider targets: each failure keeps its own message.
      const causes = new Map<string, string[]>()
      for (const outcome of report.outcomes) {
        if (outcome.status !== 'failed') continue
        const cause = `${outcome.error?.code}: ${outcome.error?.message}`
        causes.set(cause, [...(causes.get(cause) ?? []), laneOf(outcome)])
      }
      shown.push(`${where}: ${[...causes].map(([cause, lanes]) => `${lanes.join(', ')}: ${cause}`).join('; ')}`)
    }

    /** A line that is no subject becomes a failed report of its own (invalid_subject, its ref or line:<n>). */
    const reject = (item: InputItem) => {
      const subjectRef = item.ref ?? `line:${item.line}`
      const at = new Date().toISOString()
      const message = `[erasekit] ${basename(inputFile)} line ${item.line}: ${item.error}`
      const outcomes = built.lanes.map((lane) => {
        const [provider, target] = lane.split('/') as [string, string | undefined]
        return {
          provider,
          ...(target ? { target } : {}),
          subjectRef,
          status: 'failed' as const,
          attempts: 0,
          durationMs: 0,
          at,
          error: { code: 'invalid_subject' as const, message, retryable: false },
        }
      })
      for (const outcome of outcomes) sink.receipt(outcome)
      onReport({ subjectRef, ok: false, outcomes, durationMs: 0 }, item.line, item.error)
    }

    // An error from the input (a bad header, an I/O error) must stop the run; @erasekit/core 0.1 can
    // end eraseMany quietly when its source throws with nothing pending, so it is kept here too.
    let inputError: unknown
    let inputEnded = false
    async function* subjects() {
      try {
        for (let next = first; ; next = await input.next()) {
          if (next.done) {
            inputEnded = true
            break
          }
          const item = next.value
          if (stopping) return
          read++
          if (item.error !== undefined) {
            reject(item)
            continue
          }
          const subject = item.subject!
          subject.ref = subjectKey(subject.ref ?? `line:${item.line}`, subject, built.receiptSalt)
          lineOf.set(subject.ref, item.line)
          yield subject
        }
      } catch (error) {
        inputError = error
        throw error
      } finally {
        await input.return(undefined)
      }
    }

    let fatal: unknown
    try {
      // The engine only asks the journal what is done; the outcome hook above records.
      const journal = { has: sink.has, record() {} }
      for await (const report of eraser.eraseMany(subjects(), { signal: controller.signal, journal, dryRun, window: WINDOW })) {
        const line = lineOf.get(report.subjectRef)
        lineOf.delete(report.subjectRef)
        onReport({ ...report, subjectRef: refOf(report.subjectRef) }, line)
      }
    } catch (error) {
      fatal = error
    } finally {
      progress.stop()
      sink.close()
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
    fatal ??= inputError
    if (fatal) {
      if (fatal instanceof UsageError && !read) throw fatal
      // Every outcome written so far is on disk (the journal never ahead of the receipts).
      throw RunStopped.by(`run stopped (${fmt(sink.receipts)} outcomes in the receipts${journal ? `, ${fmt(sink.journaled)} confirmed in the journal` : ''})`, fatal, journalPath ? ' to resume (confirmed erasures are not repeated)' : '')
    }

    process.stdout.write(`\n${tally.table()}\n\n`)
    for (const line of tally.reasonLines()) out(`  ${colors.yellow('•')} ${line}`)
    for (const line of tally.failureLines()) out(`  ${colors.red('•')} ${line}`)
    if (shown.length) {
      out()
      out(colors.bold('  failed subjects:'))
      for (const line of shown) out(`    ${line}`)
      if (hiddenFailures) out(`    … and ${fmt(hiddenFailures)} more${receiptsPath ? ' (see the receipts)' : ''}`)
    }
    if (sample) {
      out()
      out(colors.bold(`  requests for the first subject (${sample.report.subjectRef}), redacted:`))
      for (const request of sample.report.requests!) {
        const headers = Object.entries(request.headers).filter(([name]) => !['content-type', 'accept'].includes(name.toLowerCase()))
        out(`    ${request.provider}${request.target ? `/${request.target}` : ''}: ${request.method} ${request.url}`)
        out(colors.dim(`      ${headers.map(([name, value]) => `${name}: ${value}`).join(', ')}${request.body === undefined ? '' : `  body ${JSON.stringify(abridge(request.body))}`}`))
      }
    }
    out()
    // "ok" includes providers never asked (no identifier they can use): a request may still be open there.
    const unasked = tally.unasked ? ` (${fmt(tally.unasked)} not sent to every provider: no identifier it can use)` : ''
    const summary = `${fmt(tally.subjects)} subject${tally.subjects === 1 ? '' : 's'}: ${fmt(tally.okSubjects)} ok${unasked}, ${fmt(tally.failedSubjects)} with failures`
    if (receiptsPath) logger.info(`receipts: ${receiptsPath} (${fmt(sink.receipts)} outcomes written); run record: ${runsPathOf(receiptsPath)}`)
    if (journalPath) logger.info(`journal: ${journalPath} (${dryRun ? 'not written in a dry run' : `${fmt(sink.journaled)} confirmed outcomes added`})`)
    // A stop that came after the last subject was read, and aborted nothing, stopped nothing.
    const interrupted = stopping && (!inputEnded || controller.signal.aborted)
    if (interrupted) {
      logger.warn(`interrupted after ${summary}. Run the same command again to resume${journalPath ? '' : ' (add --journal FILE next time: without it everything is sent again)'}.`)
      process.exitCode = 130
    } else if (tally.failedSubjects) {
      const again = writesJournal ? ' with the same --journal: confirmed erasures are not repeated' : ''
      // Only passing causes (rate limits, outages, timeouts): a scheduler can simply run it again later.
      const passing = !tally.permanentFailures
      logger.error(`${summary}. ${passing ? `Every failure is retryable: run again later${again}` : `Fix the causes above and run again${again}`}.`)
      process.exitCode = passing ? 4 : 2
    } else {
      logger.success(dryRun ? `${summary} (dry run: nothing was sent)` : summary)
      process.exitCode = 0
    }
  },
})
