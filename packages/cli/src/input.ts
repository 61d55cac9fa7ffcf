import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { refHoldsIdentifier, type Subject } from '@erasekit/core'
import { misspells } from '@erasekit/core/schema'
import { parseCsvLine } from './csv'
import { UsageError } from './errors'

export type InputFormat = 'csv' | 'jsonl'

/** One line of input: a subject to erase, or the reason the line cannot be one. */
export interface InputItem {
  line: number
  subject?: Subject
  /** Names the line and the field, never a value (values are personal data). */
  error?: string
  /** The ref of a line that is read but no subject, for its receipts. */
  ref?: string
}

export interface ReadOptions {
  /** Keys accepted in `ids.<key>` columns: provider names, and an id a provider reads (Altcraft's `custom.from`). */
  providers: readonly string[]
  warn(message: string): void
}

export function formatOf(file: string): InputFormat | undefined {
  const lower = file.toLowerCase()
  if (lower.endsWith('.csv')) return 'csv'
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl'
  return undefined
}

const FIELDS = ['ref', 'userId', 'email', 'phone'] as const
/** The keys a JSONL subject may have. */
const KEYS = [...FIELDS, 'ids']
type Field = (typeof FIELDS)[number]
const quote = (name: string) => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)

/**
 * Whether a message may quote a key or column: a known one, or a misspelling of one. Any other may
 * be personal data (an export keyed by email), and messages go to the terminal and the receipts.
 */
const nameable = (key: string, known: readonly string[]) => known.includes(key) || misspells(key, known)
const NOT_NAMED = '(not named: it may be personal data)'

/** Subjects, one per non-empty line after the header (CSV) or per non-empty line (JSONL), read lazily. */
export async function* readSubjects(file: string, format: InputFormat, options: ReadOptions): AsyncGenerator<InputItem> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })
  let number = 0
  try {
    if (format === 'jsonl') {
      const ids = idNames(options.providers)
      for await (const raw of lines) {
        number++
        const text = number === 1 ? raw.replace(/^\uFEFF/, '') : raw
        if (!text.trim()) continue
        yield { line: number, ...identified(fromJson(text, ids)) }
      }
      return
    }
    let columns: Column[] | undefined
    for await (const raw of lines) {
      number++
      const text = number === 1 ? raw.replace(/^\uFEFF/, '') : raw
      if (!text.trim()) continue
      const parsed = parseCsvLine(text)
      if (!columns) {
        if ('error' in parsed) throw new UsageError(`${file} line ${number}: malformed header: ${parsed.error}`)
        columns = header(parsed.fields, file, number, options)
        continue
      }
      if ('error' in parsed) {
        yield { line: number, error: `malformed CSV: ${parsed.error}` }
        continue
      }
      yield { line: number, ...identified(fromRow(parsed.fields, columns)) }
    }
    if (!columns) throw new UsageError(`${file}: empty file; expected a header row naming ref, userId, email, phone or ids.<provider> columns`)
  } finally {
    lines.close()
  }
}

/** A header cell: a subject field, a provider id, or an unknown column as messages name it. */
type Column = { field: Field } | { id: string } | { unknown: string }

function idNames(providers: readonly string[]): Map<string, string> {
  return new Map(providers.map((name) => [name.toLowerCase(), name]))
}

function header(cells: string[], file: string, line: number, options: ReadOptions): Column[] {
  const ids = idNames(options.providers)
  const seen = new Set<string>()
  const known = [...FIELDS, ...[...ids.values()].map((id) => `ids.${id}`)]
  const columns = cells.map((cell, index): Column => {
    const name = cell.trim()
    const lower = name.toLowerCase()
    const field = FIELDS.find((item) => item.toLowerCase() === lower)
    const id = lower.startsWith('ids.') ? ids.get(lower.slice(4)) : undefined
    const key = field ?? (id ? `ids.${id}` : undefined)
    if (key) {
      if (seen.has(key)) throw new UsageError(`${file} line ${line}: column ${quote(key)} appears twice`)
      seen.add(key)
      return field ? { field } : { id: id! }
    }
    const position = String(index + 1)
    return { unknown: !name ? `${position} (empty header)` : nameable(name, known) ? quote(name) : `${position} ${NOT_NAMED}` }
  })
  const unknown = columns.flatMap((column) => ('unknown' in column ? [column.unknown] : []))
  if (unknown.length) {
    options.warn(
      `${file} line ${line}: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} ` +
        `(known: ref, userId, email, phone, ${[...ids.values()].map((name) => `ids.${name}`).join(', ')}); rows with a value there fail as invalid_subject`,
    )
  }
  if (!columns.some((column) => 'id' in column || ('field' in column && column.field !== 'ref'))) {
    throw new UsageError(`${file} line ${line}: no identifier column; expected userId, email, phone or ids.<provider> (or ids.<key> when Altcraft, configured by options, has custom.from 'ids.<key>')`)
  }
  return columns
}

/**
 * A line with no identifier at all would be skipped by every provider and counted ok: nothing
 * erased. A ref that holds an identifier would put it in every receipt: the line fails under its
 * line number instead.
 */
function identified(item: Omit<InputItem, 'line'>): Omit<InputItem, 'line'> {
  const { ref, userId, email, phone, ids = {} } = item.subject ?? {}
  if (ref && refHoldsIdentifier(ref, item.subject!)) return { error: 'ref holds an identifier of the subject; receipts show refs as they are (use a case or ticket id)' }
  if (!item.subject || userId || email || phone || Object.keys(ids).length) return item
  return { error: 'no identifier: expected a value in userId, email, phone or ids.<provider>', ref }
}

function fromRow(cells: string[], columns: Column[]): Omit<InputItem, 'line'> {
  if (cells.length !== columns.length) {
    return { error: `malformed CSV: expected ${columns.length} fields as in the header, got ${cells.length}` }
  }
  const subject: Subject = {}
  for (let i = 0; i < cells.length; i++) {
    const value = cells[i]!
    if (value === '') continue
    const column = columns[i]!
    if ('field' in column) subject[column.field] = value
    else if ('id' in column) (subject.ids ??= {})[column.id] = value
    else return { error: `unknown column ${column.unknown} has a value; rename the column or empty it` }
  }
  return { subject }
}

function fromJson(text: string, ids: Map<string, string>): Omit<InputItem, 'line'> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    // JSON.parse messages quote the input: never echo it.
    return { error: 'not valid JSON' }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'expected a JSON object' }
  const repeated = repeatedKey(text)
  if (repeated !== undefined) {
    const name = nameable(repeated, [...KEYS, ...ids.values()]) ? quote(repeated) : `a key ${NOT_NAMED}`
    return { error: `${name} given more than once (JSON keeps the last: which one was meant is unknowable)` }
  }
  const subject: Subject = {}
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === '') continue
    const field = FIELDS.find((name) => name === key)
    if (field) {
      if (typeof item !== 'string') return { error: `${field}: expected a string` }
      subject[field] = item
    } else if (key === 'ids') {
      if (typeof item !== 'object' || Array.isArray(item)) return { error: 'ids: expected an object of provider ids' }
      for (const [provider, id] of Object.entries(item as Record<string, unknown>)) {
        if (id === null || id === '') continue
        const name = ids.get(provider.toLowerCase())
        if (!name) {
          const known = [...ids.values()]
          return { error: `ids: unknown provider ${nameable(provider, known) ? quote(provider) : NOT_NAMED}; known: ${known.join(', ')}` }
        }
        if (typeof id !== 'string') return { error: `ids.${name}: expected a string` }
        if (subject.ids?.[name] !== undefined) return { error: `ids.${name} given more than once` }
        ;(subject.ids ??= {})[name] = id
      }
    } else {
      return { error: `unknown field ${nameable(key, KEYS) ? quote(key) : NOT_NAMED}; known: ${KEYS.join(', ')}` }
    }
  }
  return { subject }
}

/** What follows a string that is a key. */
const KEY_END = /\s*:/y

/** The first key an object of this (valid) JSON text repeats, compared decoded. */
function repeatedKey(text: string): string | undefined {
  // One set of keys per open object; undefined per open array.
  const open: (Set<string> | undefined)[] = []
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (char === '{') open.push(new Set())
    else if (char === '[') open.push(undefined)
    else if (char === '}' || char === ']') open.pop()
    else if (char === '"') {
      const start = i
      while (text[++i] !== '"') if (text[i] === '\\') i++
      const keys = open.at(-1)
      KEY_END.lastIndex = i + 1
      if (!keys || !KEY_END.test(text)) continue
      const key = JSON.parse(text.slice(start, i + 1)) as string
      if (keys.has(key)) return key
      keys.add(key)
    }
  }
  return undefined
}

/** Non-empty lines in a file (a quick byte scan), for the progress bar's total. Lines end as readline ends them: LF, CRLF or a bare CR. */
export async function countLines(file: string): Promise<number> {
  let count = 0
  let content = false
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!
      if (byte === 10 || byte === 13) {
        if (content) count++
        content = false
      } else if (byte !== 32 && byte !== 9) content = true
    }
  }
  return content ? count + 1 : count
}
