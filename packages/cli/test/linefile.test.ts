/** A full disk mid-line: the receipts and journal files keep whole lines. */
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, vi } from 'vitest'
import { RunStopped } from '../src/errors'
import { LineFile, lockJournal } from '../src/files'
import { tmp } from './helpers'

const fs = vi.hoisted(() => ({ cutAfter: undefined as number | undefined }))
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>()
  // Writes `cutAfter` bytes of the next write, then fails the rest as a full disk does.
  const writeSync = ((fd: number, buffer: Uint8Array, offset?: number) => {
    const cut = fs.cutAfter
    if (cut === undefined) return real.writeSync(fd, buffer, offset)
    if (cut === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    fs.cutAfter = 0
    return real.writeSync(fd, buffer, offset, cut)
  }) as typeof real.writeSync
  return { ...real, default: { ...real, writeSync }, writeSync }
})

test('a line the disk cuts short is cut off again: the file holds whole lines, and takes the next once there is room', () => {
  const path = join(tmp('linefile'), 'receipts.jsonl')
  const file = new LineFile(path, '--receipts')
  file.write('{"n":1}\n')
  fs.cutAfter = 4
  expect(() => file.write('{"n":2,"padding":"xxxxxxxx"}\n')).toThrow('ENOSPC')
  expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n')
  fs.cutAfter = undefined
  file.write('{"n":3}\n')
  file.close()
  expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n{"n":3}\n')
  expect(file.lines).toBe(2)
})

test('receipts and journal files are made readable by their owner only (they hold pseudonymised personal data)', () => {
  const path = join(tmp('linefile-mode'), 'receipts.jsonl')
  new LineFile(path, '--receipts').close()
  expect(statSync(path).mode & 0o777).toBe(0o600)
})

test("the journal lock is never written through a file or link someone left under its temporary name", () => {
  const dir = tmp('lock-link')
  const journal = join(dir, 'erasure.journal')
  const victim = join(dir, 'victim.txt')
  writeFileSync(victim, 'keep me')
  symlinkSync(victim, `${journal}.lock.${process.pid}`)
  lockJournal(journal)
  expect(readFileSync(victim, 'utf8')).toBe('keep me')
  expect(readFileSync(`${journal}.lock`, 'utf8')).toBe(`${process.pid}\n`)
  expect(existsSync(`${journal}.lock.${process.pid}`)).toBe(false)
})

test('RunStopped.by names the file error once, with its code, then what to do; exit code 3', () => {
  // Node's messages start with the code already: it is not repeated ("EFBIG: EFBIG: …").
  const full = Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG' })
  const stopped = RunStopped.by('run stopped (3 outcomes in the receipts)', full, ' to resume')
  expect([stopped.message, stopped.exitCode]).toEqual(['run stopped (3 outcomes in the receipts): EFBIG: file too large, write. Fix it and run the same command again to resume.', 3])
  // A message without its code gets it in front.
  const bare = Object.assign(new Error('i/o error'), { code: 'EIO' })
  expect(RunStopped.by('could not withdraw', bare).message).toBe('could not withdraw: EIO: i/o error. Fix it and run the same command again.')
  expect(RunStopped.by('x', new Error('disk gone')).message).toBe('x: disk gone. Fix it and run the same command again.')
})
