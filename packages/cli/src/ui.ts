import { createConsola, LogLevels } from 'consola'
import { colors, stripAnsi } from 'consola/utils'

export { colors }

/**
 * Human messages. Fancy icons on a terminal, `[level] message` lines otherwise (logs, CI, pipes).
 * The level is fixed at info (consola would drop to warn under NODE_ENV=test); CONSOLA_LEVEL overrides it.
 */
export const logger = createConsola({
  fancy: Boolean(process.stdout.isTTY),
  level: process.env.CONSOLA_LEVEL ? Number(process.env.CONSOLA_LEVEL) : LogLevels.info,
  formatOptions: { date: false },
} as Parameters<typeof createConsola>[0])

export const fmt = (value: number) => value.toLocaleString('en-US')

const width = (text: string) => stripAnsi(text).length

const NUMERIC = /^[\d,.\s-]*$/

/** A plain aligned table: columns of numbers right-aligned, text left-aligned. */
export function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows]
  const widths = head.map((_, column) => Math.max(...all.map((row) => width(row[column] ?? ''))))
  const right = head.map((_, column) => column > 0 && rows.length > 0 && rows.every((row) => NUMERIC.test(stripAnsi(row[column] ?? ''))))
  const line = (row: string[]) =>
    row
      .map((cell, column) => {
        const pad = ' '.repeat(widths[column]! - width(cell))
        return right[column] ? pad + cell : cell + pad
      })
      .join('  ')
      .trimEnd()
  return [colors.bold(line(head)), colors.dim(widths.map((w) => '─'.repeat(w)).join('  ')), ...rows.map(line)].map((row) => `  ${row}`).join('\n')
}

export const statusColor: Record<string, (text: string) => string> = {
  deleted: colors.green,
  accepted: colors.green,
  not_found: colors.green,
  skipped: colors.yellow,
  failed: colors.red,
}

/** A plain line on stdout: tables, summaries (no `[log]` prefix, whatever the reporter). */
export const out = (line = '') => {
  process.stdout.write(`${line}\n`)
}
