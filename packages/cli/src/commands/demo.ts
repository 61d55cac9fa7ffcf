import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createEraser, type Report } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { altcraft } from '@erasekit/altcraft'
import { batch } from '@erasekit/batch'
import { clevertap } from '@erasekit/clevertap'
import { defineCommand, type ArgsDef } from 'citty'
import { rejectUnknownFlags } from '../args'
import { UsageError } from '../errors'
import { createOutcomeSink, LineFile } from '../files'
import { startProgress } from '../progress'
import { ANDROID_KEY, IOS_KEY, person, startVendors } from '../vendors'
import { laneOf, Tally } from '../summary'
import { colors, fmt, logger, out, statusColor, table } from '../ui'

const args = {
  subjects: { type: 'string', default: '10000', description: 'How many subjects the bulk run erases', valueHint: 'N' },
  receipts: { type: 'string', description: 'Receipts file (default: a new file in the temp folder)', valueHint: 'FILE' },
} satisfies ArgsDef


export default defineCommand({
  meta: { name: 'demo', description: 'Erase people from the four bundled providers, emulated behind real loopback HTTP servers' },
  args,
  async run({ args: parsed, rawArgs }) {
    rejectUnknownFlags(rawArgs, args)
    const count = Number(parsed.subjects)
    if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new UsageError('--subjects: expected a whole number from 1 to 1 000 000')
    const started = performance.now()

    // 1. Four vendor APIs on this machine, in a worker thread (the "vendor side" gets its own core).
    const vendor = await startVendors(count + 1)
    const { urls, credentials } = vendor
    try {
      logger.start('Four emulated vendor APIs, each behind its own loopback HTTP server:')
      out(table(['provider', 'url'], Object.entries(urls)))
      const people = count + 1
      out()
      logger.info(`Seeded ${fmt(people)} people in each: userId user-000000… (Adapty, CleverTap, Batch ios + android), email person000000@example.com… (Altcraft)`)

      const eraser = createEraser({
        providers: [
          adapty({ apiKey: credentials.adaptyKey, baseURL: urls.adapty }),
          clevertap({ accountId: credentials.clevertapAccount, passcode: credentials.clevertapPasscode, baseURL: urls.clevertap }),
          altcraft({ baseURL: urls.altcraft, token: credentials.altcraftToken, dbId: 1 }),
          batch({ restKey: credentials.batchRestKey, appKeys: { ios: IOS_KEY, android: ANDROID_KEY }, baseURL: urls.batch }),
        ],
      })

      const receiptsPath = resolve(parsed.receipts ?? join(tmpdir(), `erasekit-demo-${Date.now()}`, 'receipts.jsonl'))
      const file = new LineFile(receiptsPath, '--receipts')
      const sink = createOutcomeSink({ receipts: file })
      // The receipts must hold no identifier: check every line against its subject's values.
      let leaks = 0
      const journal = {
        record(outcome: Parameters<typeof sink.record>[0]) {
          const i = Number(outcome.subjectRef.slice(4))
          const { userId, email } = person(i)
          const line = JSON.stringify(outcome)
          if (line.includes(userId) || line.includes(email) || line.includes(IOS_KEY) || line.includes(ANDROID_KEY)) leaks++
          return sink.record(outcome)
        },
        has: () => false,
      }

      // 3. One person, every provider.
      const first = person(0)
      out()
      logger.start(`Erasing one person (ref ${first.ref}, userId + email) from every provider:`)
      let single: Report | undefined
      for await (const report of eraser.eraseMany([first], { journal })) single = report
      out(
        table(
          ['provider', 'status', 'identifier', 'HTTP', 'request id', 'ms'],
          single!.outcomes.map((outcome) => [
            laneOf(outcome),
            statusColor[outcome.status]!(outcome.status),
            `${outcome.identifier?.kind ?? '-'} ${colors.dim(`sha256:${outcome.identifier?.hash.slice(0, 12) ?? ''}…`)}`,
            String(outcome.httpStatus ?? '-'),
            outcome.requestId ? (outcome.requestId.length > 14 ? `${outcome.requestId.slice(0, 13)}…` : outcome.requestId) : '-',
            String(outcome.durationMs),
          ]),
        ),
      )
      out(colors.dim('  deleted: gone now · accepted: queued by the vendor (CleverTap: within 48 h; Batch: asynchronous)'))

      // 4. Everyone else, streamed.
      out()
      logger.start(`Erasing the other ${fmt(count)} with eraseMany (batches, concurrency and retries per provider); the counts include the first:`)
      const tally = new Tally()
      tally.add(single!)
      const progress = startProgress({ tally, total: people })
      const bulkStarted = performance.now()
      const subjects = function* () {
        for (let i = 1; i < people; i++) yield person(i)
      }
      for await (const report of eraser.eraseMany(subjects(), { journal })) tally.add(report)
      progress.stop()
      const bulkSeconds = (performance.now() - bulkStarted) / 1000
      file.close()
      process.stdout.write(`\n${tally.table()}\n\n`)
      const check = await vendor.verify()
      logger.info(`${fmt(count)} people in ${bulkSeconds.toFixed(1)} s (${fmt(Math.round(count / bulkSeconds))}/s); requests received: ` +
        Object.entries(check.requests).map(([name, n]) => `${name} ${fmt(n)}`).join(', '))

      // 5. Check through the emulators' own stores that everyone is gone or queued.
      out()
      logger.start('Checking every seeded profile through the emulators\' stores:')
      const mark = (ok: boolean) => (ok ? colors.green('✔') : colors.red('✖'))
      const rows: [string, number, string][] = [
        ['adapty', check.adapty, 'profile gone'],
        ['clevertap', check.clevertap, `marked for deletion; purge() then removed ${fmt(check.purged)} (CleverTap: within 48 h)`],
        ['altcraft', check.altcraft, 'profile gone'],
        ['batch/ios', Math.min(check.iosQueued, check.ios), `queued in ${fmt(check.iosCalls)} call(s); processed: custom data gone`],
        ['batch/android', Math.min(check.androidQueued, check.android), `queued in ${fmt(check.androidCalls)} call(s); processed: custom data gone`],
      ]
      out(table(['provider', 'erased', 'of', 'how'], rows.map(([lane, done, how]) => [`${mark(done === people)} ${lane}`, fmt(done), fmt(people), how])))
      out(colors.dim("  batch runs in its default mode, custom_data: it deletes the custom data (what the demo seeded). For a right-to-erasure request use mode: 'gdpr' (Batch's GDPR removal, one request per user and app)."))
      const allErased = rows.every(([, done]) => done === people) && check.purged === people
      const green = tally.failedSubjects === 0 && allErased && leaks === 0

      // 6. Receipts.
      out()
      logger.info(`Receipts: ${receiptsPath}`)
      out(`  ${fmt(sink.receipts)} outcomes, one JSON line each; identifiers only as SHA-256 hashes (${leaks === 0 ? 'checked: no line holds a raw identifier or key' : colors.red(`${leaks} lines hold a raw identifier`)}). First line:`)
      out(colors.dim(`  ${JSON.stringify(single!.outcomes[0])}`))
      out()
      const seconds = ((performance.now() - started) / 1000).toFixed(1)
      if (green) {
        logger.success(`Every provider green in ${seconds} s: ${fmt(people)} people deleted at adapty and altcraft, marked for deletion at clevertap, their custom data deleted at batch (ios, android).`)
        process.exitCode = 0
      } else {
        logger.error(`Not every provider is green: ${fmt(tally.failedSubjects)} subjects failed, ${allErased ? 'stores checked' : 'some profiles are still stored'} (${seconds} s).`)
        process.exitCode = 2
      }
    } finally {
      await vendor.close()
    }
  },
})
