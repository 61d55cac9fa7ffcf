/** The input readers: one CSV record per line (RFC 4180 quoting), JSONL, what a line's error may say. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject, test } from 'vitest'
import { parseCsvLine } from '../src/csv'
import { formatOf, type InputItem, readSubjects } from '../src/input'

const read = async (name: string, text: string) => {
  const file = join(mkdtempSync(join(inject('tmpRoot'), 'input-')), name)
  writeFileSync(file, text)
  const items: InputItem[] = []
  for await (const item of readSubjects(file, name.endsWith('.csv') ? 'csv' : 'jsonl', { providers: ['adapty'], warn: () => {} })) items.push(item)
  return items
}

describe('parseCsvLine', () => {
  test('quoted fields: a doubled quote is one quote, commas inside stay', () => {
    expect(parseCsvLine('"a""b",plain,"x, y",""')).toEqual({ fields: ['a"b', 'plain', 'x, y', ''] })
    expect(parseCsvLine('"""quoted"""')).toEqual({ fields: ['"quoted"'] })
  })

  test('a stray quote fails the line at its column and never quotes the value', () => {
    expect(parseCsvLine('cust-1,ab"cd')).toEqual({ error: 'quote inside an unquoted field at column 10' })
    expect(parseCsvLine('"cust-1"x,y')).toEqual({ error: 'unexpected character after the closing quote at column 9' })
    expect(parseCsvLine('"cust-1,y')).toEqual({ error: 'quote opened at column 1 is not closed on this line (fields cannot span lines)' })
  })
})

describe('readSubjects', () => {
  test('CSV: a byte-order mark before the header is dropped; blank lines, after the header too, are not subjects', async () => {
    const items = await read('people.csv', '\uFEFF"userId",email\r\n\r\ncust-1,a@example.org\n   \ncust-2,\n')
    expect(items).toEqual([
      { line: 3, subject: { userId: 'cust-1', email: 'a@example.org' } },
      { line: 5, subject: { userId: 'cust-2' } },
    ])
  })

  test('JSONL: a byte-order mark on the first line is dropped; blank lines are skipped', async () => {
    const items = await read('people.jsonl', '\uFEFF{"userId":"cust-1"}\n\n{"email":"a@example.org"}\n')
    expect(items).toEqual([
      { line: 1, subject: { userId: 'cust-1' } },
      { line: 3, subject: { email: 'a@example.org' } },
    ])
  })

  test('the format comes from the extension: .csv, .jsonl and .ndjson, in any case', () => {
    expect(['a.csv', 'A.CSV', 'a.jsonl', 'a.ndjson', 'a.NDJSON', 'a.json', 'a.txt'].map(formatOf)).toEqual(['csv', 'csv', 'jsonl', 'jsonl', 'jsonl', undefined, undefined])
  })

  test('a CSV row with more or fewer fields than the header fails alone; an empty file is refused', async () => {
    const items = await read('people.csv', 'userId,email\ncust-1\ncust-2,a@example.org,extra\ncust-3,b@example.org\n')
    expect(items.map((item) => item.error ?? item.subject!.userId)).toEqual([
      'malformed CSV: expected 2 fields as in the header, got 1',
      'malformed CSV: expected 2 fields as in the header, got 3',
      'cust-3',
    ])
    await expect(read('empty.csv', '\n\n')).rejects.toThrow(/empty file; expected a header row/)
  })

  test('a malformed CSV line fails alone, naming its line and column, not its values', async () => {
    const items = await read('people.csv', 'userId\ncust-1\nab"secret-id\ncust-3\n')
    expect(items.map((item) => item.error ?? item.subject!.userId)).toEqual(['cust-1', 'malformed CSV: quote inside an unquoted field at column 3', 'cust-3'])
    expect(JSON.stringify(items)).not.toContain('secret-id')
  })
})
