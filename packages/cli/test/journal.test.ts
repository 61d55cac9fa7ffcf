/** The journal file: what a crash can leave in it, journals from earlier versions, appending after a torn line. */
import { createHash } from 'node:crypto'
import { closeSync, fsyncSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject, test, vi } from 'vitest'
import { createOutcomeSink, LineFile, loadJournal, saltCheckOf, subjectKey, withdrawFromJournal } from '../src/files'

// fsync observed, not replaced.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>()
  return { ...fs, fsyncSync: vi.fn(fs.fsyncSync), closeSync: vi.fn(fs.closeSync) }
})

const dir = () => mkdtempSync(join(inject('tmpRoot'), 'journal-'))
const at = '2026-11-23T00:00:00.000Z'

describe('journal file', () => {
  test('a torn line (a crash mid-write) is skipped and counted; the lines around it still count', async () => {
    const path = join(dir(), 'j.jsonl')
    writeFileSync(path, [JSON.stringify({ subjectRef: 'dsr-1', identifierHash: 'h1', provider: 'adapty', status: 'deleted', at }), '{"subjectRef":"dsr-2","ident', JSON.stringify({ subjectRef: 'dsr-3', identifierHash: 'h3', provider: 'adapty', status: 'not_found', at }), ''].join('\n'))
    const loaded = await loadJournal(path)
    expect(loaded.skipped).toBe(1)
    const sink = createOutcomeSink({ loaded: loaded.confirmed })
    expect([sink.has('dsr-1', 'adapty', undefined, 'h1'), sink.has('dsr-2', 'adapty', undefined, 'h2'), sink.has('dsr-3', 'adapty', undefined, 'h3')]).toEqual([true, false, true])
  })

  test('a line without identifierHash (an earlier version) is matched by the subject fingerprint: the same subject is skipped, a corrected one is not', async () => {
    const subject = { userId: 'cust-1', email: 'a@example.org' }
    const key = subjectKey('dsr-1', subject, 'salt')
    const path = join(dir(), 'j.jsonl')
    writeFileSync(path, `${JSON.stringify({ subjectRef: 'dsr-1', fingerprint: key.slice(-16), provider: 'adapty', status: 'deleted', at })}\n`)
    const sink = createOutcomeSink({ loaded: (await loadJournal(path)).confirmed, keyed: true })
    expect(sink.has(key, 'adapty', undefined, 'any-hash')).toBe(true)
    expect(sink.has(subjectKey('dsr-1', { ...subject, email: 'b@example.org' }, 'salt'), 'adapty', undefined, 'any-hash')).toBe(false)
  })

  test('the subject fingerprint is salted with receiptSalt: an unsalted SHA-256 of the identifiers would let a journal holder test guesses', () => {
    const subject = { userId: 'cust-1', email: 'a@example.org' }
    const unsalted = createHash('sha256').update(JSON.stringify([subject.userId, subject.email, undefined, []])).digest('hex').slice(0, 16)
    expect(subjectKey('dsr-1', subject, '').slice(-16)).toBe(unsalted)
    expect(subjectKey('dsr-1', subject, 'pepper-123').slice(-16)).not.toBe(unsalted)
  })

  test('a salt-check line names the salt without holding it, and counts as no outcome; a device is refused, not read for ever', async () => {
    const path = join(dir(), 'j.jsonl')
    const check = saltCheckOf('pepper-123')
    expect(check).toMatch(/^[\da-f]{16}$/)
    expect([saltCheckOf('pepper-456'), saltCheckOf()]).not.toContain(check)
    writeFileSync(path, `${JSON.stringify({ saltCheck: check })}\n{"subjectRef":"dsr-1","identifierHash":"ab","provider":"adapty","status":"deleted","at":"${at}"}\n`)
    const loaded = await loadJournal(path)
    expect([...loaded.saltChecks]).toEqual([check])
    expect([loaded.confirmed.size, loaded.skipped]).toEqual([1, 0])
    await expect(loadJournal('/dev/zero')).rejects.toThrow('--journal: cannot use /dev/zero (not a regular file)')
  })

  test('appending to a file whose last line was torn starts on a fresh line', () => {
    const path = join(dir(), 'r.jsonl')
    writeFileSync(path, '{"subjectRef":"dsr-1"}\n{"subjectRef":"dsr-2","sta')
    const file = new LineFile(path, '--receipts')
    file.write('{"subjectRef":"dsr-3"}\n')
    file.close()
    expect(readFileSync(path, 'utf8').split('\n')).toEqual(['{"subjectRef":"dsr-1"}', '{"subjectRef":"dsr-2","sta', '{"subjectRef":"dsr-3"}', ''])
  })

  test('the subject fingerprint does not depend on the order of the ids in a JSONL line', () => {
    const a = subjectKey('dsr-1', { userId: 'cust-1', ids: { adapty: 'p-1', clevertap: 'g-1' } }, 'salt')
    const b = subjectKey('dsr-1', { userId: 'cust-1', ids: { clevertap: 'g-1', adapty: 'p-1' } }, 'salt')
    expect(b).toBe(a)
  })

  test('closing the files fsyncs each: receipts and journal said written survive a power cut', () => {
    const folder = dir()
    const sink = createOutcomeSink({ receipts: new LineFile(join(folder, 'r.jsonl'), '--receipts'), journal: new LineFile(join(folder, 'j.jsonl'), '--journal') })
    sink.record({ provider: 'adapty', subjectRef: 'dsr-1', identifier: { kind: 'customer_user_id', hash: 'h1' }, status: 'deleted', attempts: 1, durationMs: 1, at })
    vi.mocked(fsyncSync).mockClear()
    sink.close()
    expect(fsyncSync).toHaveBeenCalledTimes(2)
  })

  test('a file whose sync fails (EIO) is closed all the same, and the error is still thrown', () => {
    const file = new LineFile(join(dir(), 'r.jsonl'), '--receipts')
    file.write('{"subjectRef":"dsr-1"}\n')
    vi.mocked(fsyncSync).mockImplementationOnce(() => {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })
    })
    vi.mocked(closeSync).mockClear()
    expect(() => file.close()).toThrow('EIO')
    // The descriptor is released: a run that goes on (or a long-lived caller) does not leak one per failed sync.
    expect(closeSync).toHaveBeenCalledTimes(1)
    // A second close() is a no-op.
    expect(() => file.close()).not.toThrow()
    expect(closeSync).toHaveBeenCalledTimes(1)
  })
})

describe('withdrawFromJournal', () => {
  const dir = mkdtempSync(join(inject('tmpRoot'), 'withdraw-'))
  const line = (fields: Record<string, unknown>) => JSON.stringify({ provider: 'batch', target: 'ios', status: 'accepted', at: '2026-11-25T00:00:00.000Z', ...fields })
  const failed = (requestId: string, subjectRef = 'dsr-1', identifierHash = 'h1') => ({ subjectRef, provider: 'batch', target: 'ios', identifierHash, requestId })

  test('withdraws the subject whose latest line confirms one of its failed requests, whatever their order; another request\'s confirmation is left alone and counted', async () => {
    for (const order of [['A', 'B'], ['B', 'A']]) {
      const path = join(dir, `order-${order.join('')}.jsonl`)
      // A confirmed, withdrawn, sent again as B, confirmed; dsr-2 confirmed under C; dsr-3 never journaled.
      writeFileSync(path, [line({ subjectRef: 'dsr-1', identifierHash: 'h1', requestId: 'A' }), line({ subjectRef: 'dsr-1', identifierHash: 'h1', requestId: 'A', status: 'failed' }), line({ subjectRef: 'dsr-1', identifierHash: 'h1', requestId: 'B' }), line({ subjectRef: 'dsr-2', identifierHash: 'h2', requestId: 'C' })].join('\n') + '\n')
      const result = await withdrawFromJournal(path, [...order.map((id) => failed(id)), failed('D', 'dsr-2', 'h2'), failed('E', 'dsr-3', 'h3')])
      expect(result, order.join()).toEqual({ withdrawn: 1, already: 0, absent: 1, elsewhere: 1 })
      expect(JSON.parse(readFileSync(path, 'utf8').trim().split('\n').at(-1)!)).toMatchObject({ subjectRef: 'dsr-1', identifierHash: 'h1', status: 'failed', requestId: 'B' })
      expect([...(await loadJournal(path)).confirmed]).toEqual([['dsr-2', 'batch', 'ios', 'h2'].join('\u0000')])
      // Already withdrawn: nothing more is written.
      expect(await withdrawFromJournal(path, [failed('B')])).toEqual({ withdrawn: 0, already: 1, absent: 0, elsewhere: 0 })
    }
  })

  test('a line from before identifier hashes (fingerprint only) is withdrawn by ref, provider and app key', async () => {
    const path = join(dir, 'legacy.jsonl')
    writeFileSync(path, `${line({ subjectRef: 'dsr-1', fingerprint: '0123456789abcdef' })}\n`)
    expect((await loadJournal(path)).confirmed.size).toBe(1)
    expect(await withdrawFromJournal(path, [failed('A')])).toEqual({ withdrawn: 1, already: 0, absent: 0, elsewhere: 0 })
    expect((await loadJournal(path)).confirmed.size).toBe(0)
    expect(await withdrawFromJournal(path, [failed('A')])).toEqual({ withdrawn: 0, already: 1, absent: 0, elsewhere: 0 })
  })
})
