#!/usr/bin/env node
// Keeps the guides' code blocks identical to code the tests run.
//
// In a Markdown file, a marker line
//
//   <!-- include: examples/provider-braze/src/index.ts#erase -->
//
// is followed by a fenced code block; this script rewrites that block from the region
//
//   // #region erase        ...        // #endregion erase
//
// of the named file (path from the repository root; without `#region` the whole file). Region
// marker lines nested inside a region are dropped, and the code is dedented.
//
//   node scripts/docs-sync.mjs            rewrite docs/*.md in place, list what changed
//   node scripts/docs-sync.mjs --check    change nothing; exit 1 when a doc is out of date
//   node scripts/docs-sync.mjs [--check] path/to/file.md ...
//
// A marker naming a missing file or region is an error in both modes.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, extname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

const MARKER = /^<!--\s*include:\s*([^\s#]+)(?:#([\w.-]+))?\s*-->\s*$/
const REGION = /^\s*(?:\/\/|#|<!--|\/\*)\s*#(region|endregion)\s+([\w.-]+)/
const FENCE = /^(`{3,}|~{3,})/
const LANGUAGES = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json', '.toml': 'toml', '.sh': 'sh', '.yaml': 'yaml', '.yml': 'yaml' }

export class SyncError extends Error {}

/** The lines of region `name` (or the whole file), without region markers, dedented. */
export function extractRegion(source, name, label = 'source') {
  const lines = source.replace(/\r\n/g, '\n').split('\n')
  let body = lines
  if (name) {
    const start = lines.findIndex((line) => matchRegion(line, 'region', name))
    if (start === -1) throw new SyncError(`${label}: no "#region ${name}"`)
    const end = lines.findIndex((line, index) => index > start && matchRegion(line, 'endregion', name))
    if (end === -1) throw new SyncError(`${label}: "#region ${name}" has no "#endregion ${name}"`)
    body = lines.slice(start + 1, end)
  }
  body = body.filter((line) => !REGION.test(line))
  while (body.length && body[0].trim() === '') body.shift()
  while (body.length && body.at(-1).trim() === '') body.pop()
  if (!body.length) throw new SyncError(`${label}: ${name ? `region "${name}"` : 'file'} is empty`)
  const indent = Math.min(...body.filter((line) => line.trim()).map((line) => line.match(/^ */)[0].length))
  return body.map((line) => line.slice(indent).trimEnd()).join('\n')
}

function matchRegion(line, kind, name) {
  const match = REGION.exec(line)
  return match !== null && match[1] === kind && match[2] === name
}

/**
 * Rewrites every included block of one Markdown text. `load(path)` returns a source file's text.
 * Returns the new text and the includes it saw.
 */
export function syncMarkdown(markdown, load, label = 'doc') {
  const lines = markdown.split('\n')
  const out = []
  const includes = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    out.push(line)
    // A code block that is not an include (it may show the marker syntax itself): copied as is.
    const fence = FENCE.exec(line.trimStart())
    if (fence) {
      const close = closingFence(lines, i, fence[1])
      if (close === -1) throw new SyncError(`${label}:${i + 1}: unclosed code block`)
      out.push(...lines.slice(i + 1, close + 1))
      i = close
      continue
    }
    const marker = MARKER.exec(line.trim())
    if (!marker) continue
    const [, path, region] = marker
    includes.push(region ? `${path}#${region}` : path)
    const code = extractRegion(load(path), region, `${label}:${i + 1}: ${path}`)
    const language = LANGUAGES[extname(path)] ?? ''
    // A fence longer than any run of backticks in the code keeps the block intact.
    const ticks = '`'.repeat(Math.max(3, ...[...code.matchAll(/`{3,}/g)].map((m) => m[0].length + 1)))
    out.push(`${ticks}${language}`, ...code.split('\n'), ticks)
    // The block that followed the marker (if any) is replaced by the one above.
    const open = FENCE.exec(lines[i + 1] ?? '')
    if (open) {
      const close = closingFence(lines, i + 1, open[1])
      if (close === -1) throw new SyncError(`${label}:${i + 2}: unclosed code block after an include marker`)
      i = close
    }
  }
  return { text: out.join('\n'), includes }
}

/** Index of the line closing the fence opened at `start` (same character, at least as long), or -1. */
function closingFence(lines, start, opener) {
  const close = new RegExp(`^ {0,3}[${opener[0]}]{${opener.length},}\\s*$`)
  return lines.findIndex((line, index) => index > start && close.test(line))
}

/** Syncs files; `check` leaves them alone. Returns { changed, errors, includes }. */
export function syncFiles(files, { check = false, base = root } = {}) {
  const changed = []
  const errors = []
  let includes = 0
  const cache = new Map()
  const load = (path) => {
    const file = resolve(base, path)
    if (!file.startsWith(base)) throw new SyncError(`${path}: outside the repository`)
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(file, 'utf8'))
      } catch {
        throw new SyncError(`${path}: no such file`)
      }
    }
    return cache.get(file)
  }
  for (const file of files) {
    const label = relative(base, file)
    const before = readFileSync(file, 'utf8')
    try {
      const { text, includes: seen } = syncMarkdown(before, load, label)
      includes += seen.length
      if (text !== before) {
        changed.push(label)
        if (!check) writeFileSync(file, text)
      }
    } catch (error) {
      if (!(error instanceof SyncError)) throw error
      errors.push(error.message)
    }
  }
  return { changed, errors, includes }
}

export function defaultDocs(base = root) {
  const dir = join(base, 'docs')
  return readdirSync(dir).filter((name) => name.endsWith('.md')).sort().map((name) => join(dir, name))
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2)
  const check = args.includes('--check')
  const paths = args.filter((arg) => !arg.startsWith('--')).map((arg) => resolve(arg))
  const { changed, errors, includes } = syncFiles(paths.length ? paths : defaultDocs(), { check })
  for (const error of errors) console.error(`error: ${error}`)
  if (check) {
    for (const file of changed) console.error(`out of date: ${file} (run: node scripts/docs-sync.mjs)`)
    if (!changed.length && !errors.length) console.log(`docs in sync (${includes} included blocks)`)
  } else {
    for (const file of changed) console.log(`updated ${file}`)
    if (!changed.length && !errors.length) console.log(`docs already in sync (${includes} included blocks)`)
  }
  process.exit(errors.length || (check && changed.length) ? 1 : 0)
}
