/**
 * The READMEs' code blocks are hand-written, and users copy them: they are checked here against
 * the BUILT packages (run `pnpm build` first), the way docs.test.ts keeps docs/*.md in sync.
 *
 * - Every ```ts / ```js block type-checks as a strict consumer compiles it (the options of
 *   test/consumer-types), each block its own ES module importing `@erasekit/*` from the packages'
 *   dist .d.mts. A fragment that uses names from the prose around it (`eraser`, `env`) gets the
 *   preamble PREAMBLES gives it, declarations only, and nothing else.
 * - Every block that imports an emulator runs in Node (bundled by esbuild from the dist, global
 *   `fetch` refused, so nothing reaches a network), and each top-level `expr // value` or
 *   `console.log(expr) // value` line must give that value.
 * - The CLI README's config examples load in `erasekit run --dry-run`, which refuses a misspelt
 *   option that the config's types let through.
 * - Every ```sh / ```bash line names what exists: a pnpm script, a CLI command and its flags (from
 *   `erasekit <command> --help`), a file, a package of this repository.
 *
 * A block that is not meant to compile is skipped only by `<!-- readme-check: skip (reason) -->`
 * on the line above it, never silently.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { root, run } from './runtimes/harness'

const exec = promisify(execFile)
const tmp = mkdtempSync(join(inject('tmpRoot'), 'readme-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const READMES = [
  'README.md',
  ...['core', 'adapty', 'clevertap', 'altcraft', 'batch', 'cli'].map((name) => `packages/${name}/README.md`),
  'examples/README.md',
  ...readdirSync(join(root, 'examples'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, 'examples', entry.name, 'README.md')))
    .map((entry) => `examples/${entry.name}/README.md`)
    .sort(),
]
const TS_LANGS = new Set(['ts', 'typescript', 'mts', 'js', 'javascript', 'mjs'])
const SH_LANGS = new Set(['sh', 'bash', 'shell'])
const CLI = join(root, 'packages/cli/dist/cli.mjs')

// ---------------------------------------------------------------------------------------------
// Blocks and markers

interface Block {
  /** README path from the repository root. */
  file: string
  /** 1-based line of the opening fence; the code starts on the next line. */
  line: number
  lang: string
  code: string
  /** The reason given by a `<!-- readme-check: skip (reason) -->` marker above the block. */
  skip?: string
}
const where = (block: Block, offset = 0) => `${block.file}:${block.line + 1 + offset}`

/** The fenced blocks of a Markdown text, their indentation removed; throws on a malformed or stray marker. */
function extractBlocks(file: string, markdown: string): Block[] {
  const lines = markdown.split('\n')
  const blocks: Block[] = []
  const markers = new Map<number, string>()
  lines.forEach((text, index) => {
    const marker = /^\s*<!--\s*readme-check:(.*?)-->\s*$/.exec(text)
    if (!marker) return
    const reason = /^\s*skip\s*\((.*\S.*)\)\s*$/.exec(marker[1]!)?.[1]
    if (!reason) throw new Error(`${file}:${index + 1}: a readme-check marker must read <!-- readme-check: skip (reason) -->`)
    markers.set(index, reason.trim())
  })
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)/.exec(lines[i]!)
    if (!open) continue
    const indent = open[1]!.length
    let end = i + 1
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++
    if (end === lines.length) throw new Error(`${file}:${i + 1}: code block never closed`)
    const code = lines
      .slice(i + 1, end)
      .map((text) => text.slice(Math.min(indent, text.length - text.trimStart().length)))
      .join('\n')
    let above = i - 1
    while (above >= 0 && !lines[above]!.trim()) above--
    const skip = markers.get(above)
    markers.delete(above)
    blocks.push({ file, line: i + 1, lang: open[2]!.toLowerCase(), code, ...(skip === undefined ? {} : { skip }) })
    i = end
  }
  const [stray] = markers.keys()
  if (stray !== undefined) throw new Error(`${file}:${stray + 1}: a readme-check marker must stand right above a code block`)
  return blocks
}

// ---------------------------------------------------------------------------------------------
// Preambles: what a fragment takes from the prose around it. Declarations only: a block that
// needs more than names to compile is a broken example.

const ENV = "declare const env: Record<'ADAPTY_API_KEY' | 'CLEVERTAP_ACCOUNT_ID' | 'CLEVERTAP_PASSCODE' | 'ALTCRAFT_TOKEN' | 'BATCH_REST_KEY' | 'BATCH_IOS_APP_KEY' | 'BATCH_ANDROID_APP_KEY', string>"
/** `block`: a piece of the block's code that no other block of that README holds. */
const PREAMBLES: { file: string; block: string; preamble: string }[] = [
  // "env: your secrets"
  { file: 'README.md', block: 'adapty({ apiKey: env.ADAPTY_API_KEY })', preamble: ENV },
  { file: 'packages/clevertap/README.md', block: 'clevertap({ accountId: env.CLEVERTAP_ACCOUNT_ID', preamble: ENV },
  // An eraser built as above; what the hooks write to is the reader's own.
  {
    file: 'README.md',
    block: "eraser.hook('beforeRequest', (ctx) => ctx.request.headers.set('x-request-id'",
    preamble: "import type { Eraser, Outcome } from '@erasekit/core'\ndeclare const eraser: Eraser\ndeclare const audit: { write(outcome: Outcome): Promise<void> }",
  },
  {
    file: 'README.md',
    block: 'eraser.eraseMany(readSubjects()',
    preamble:
      "import type { Eraser, Journal, Report, Subject } from '@erasekit/core'\ndeclare const eraser: Eraser\ndeclare function readSubjects(): AsyncIterable<Subject>\ndeclare const signal: AbortSignal\ndeclare const journal: Journal\ndeclare const receipts: { write(report: Report): Promise<void> }",
  },
  { file: 'README.md', block: 'const refused = new Map<string, number>()', preamble: "import type { Eraser } from '@erasekit/core'\ndeclare const eraser: Eraser" },
  // "take their types (`KVNamespace`, `D1Database`) from @cloudflare/workers-types": the parts used.
  {
    file: 'README.md',
    block: 'const kvJournal = (kv: KVNamespace): Journal',
    preamble:
      'interface KVNamespace { get(key: string): Promise<string | null>; put(key: string, value: string): Promise<void> }\ninterface D1Database { prepare(query: string): { bind(...values: unknown[]): { first(): Promise<unknown>; run(): Promise<unknown> } } }',
  },
  // "with any of these journals": fileJournal is the block above.
  {
    file: 'README.md',
    block: "const journal = fileJournal('erasure.journal')",
    preamble: "import type { Eraser, Journal, Subject } from '@erasekit/core'\ndeclare const eraser: Eraser\ndeclare function fileJournal(path: string): Journal\ndeclare const subjects: Iterable<Subject>",
  },
  { file: 'packages/adapty/README.md', block: 'createAdaptyClient({ apiKey })', preamble: 'declare const apiKey: string' },
  // "Store:" after the emulator block
  {
    file: 'packages/batch/README.md',
    block: 'emulator.store.add(appKey, customId',
    preamble: "import type { BatchEmulator } from '@erasekit/batch/emulator'\ndeclare const emulator: BatchEmulator\ndeclare const appKey: string, customId: string, data: Record<string, unknown>",
  },
  { file: 'examples/plugin-logger/README.md', block: 'plugins: [logger()]', preamble: "import type { Provider } from '@erasekit/core'\ndeclare const providers: Provider[]" },
]
const preambleOf = (block: Block) => PREAMBLES.find((entry) => entry.file === block.file && block.code.includes(entry.block))?.preamble

// The third-party examples are not built by `pnpm build`: their sources, as their own tests use them.
const EXAMPLE_SOURCES: Record<string, string> = {
  'erasekit-provider-braze/emulator': join(root, 'examples/provider-braze/src/emulator.ts'),
  'erasekit-provider-braze': join(root, 'examples/provider-braze/src/index.ts'),
  'erasekit-plugin-logger': join(root, 'examples/plugin-logger/src/index.ts'),
}

// ---------------------------------------------------------------------------------------------
// Type check: one program, every block a virtual .mts file beside the repository's node_modules

/** Type errors per block id (`file:line`), each as `file:line: TSxxxx message`. */
function typecheck(blocks: Block[]): Map<string, string[]> {
  const dir = join(root, '.readme-check') // virtual: nothing is written there
  const sources = new Map<string, { text: string; block: Block; offset: number }>()
  for (const block of blocks) {
    const preamble = preambleOf(block)
    const head = preamble ? `${preamble}\n` : ''
    const name = join(dir, `${block.file.replace(/\W+/g, '_')}_${block.line}.mts`)
    sources.set(name, { text: `${head}${block.code}\nexport {}\n`, block, offset: head.split('\n').length - 1 })
  }
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    // The dist typings are checked with skipLibCheck off by test/consumer-types.
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [join(root, 'node_modules/@types')],
    paths: Object.fromEntries(Object.entries(EXAMPLE_SOURCES).map(([name, path]) => [name, [path]])),
  }
  const host = ts.createCompilerHost(options)
  const { getSourceFile, fileExists, readFile } = host
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const source = sources.get(fileName)
    return source ? ts.createSourceFile(fileName, source.text, languageVersion) : getSourceFile.call(host, fileName, languageVersion, ...rest)
  }
  host.fileExists = (fileName) => sources.has(fileName) || fileExists.call(host, fileName)
  host.readFile = (fileName) => sources.get(fileName)?.text ?? readFile.call(host, fileName)
  const program = ts.createProgram([...sources.keys()], options, host)
  const errors = new Map<string, string[]>(blocks.map((block) => [`${block.file}:${block.line}`, []]))
  const elsewhere: string[] = []
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = `TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`
    const source = diagnostic.file && sources.get(diagnostic.file.fileName)
    if (!source || diagnostic.start === undefined) {
      elsewhere.push(`${diagnostic.file ? relative(root, diagnostic.file.fileName) : ''} ${message}`)
      continue
    }
    const line = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start).line - source.offset
    const at = line < 0 ? `${where(source.block)} (its preamble)` : where(source.block, line)
    errors.get(`${source.block.file}:${source.block.line}`)!.push(`${at}: ${message}`)
  }
  if (elsewhere.length) errors.set('(outside the blocks)', elsewhere)
  return errors
}

// ---------------------------------------------------------------------------------------------
// Runs: `expr // value` lines become checks

/** The single-line comment of a line, found by the scanner (so `'https://…'` is no comment). */
function trailingComment(text: string): number | undefined {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text)
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.SingleLineCommentTrivia) return scanner.getTokenStart()
  }
  return undefined
}

const VALUE_START = /^(['"[{\d-]|true\b|false\b|null\b|undefined\b)/

/**
 * Rewrites each top-level `expr // value` and `console.log(expr) // value` line of a block into a
 * call that records whether `expr` gives `value`. In `value`, a shorthand property (`{ requestId }`)
 * means "present, any value"; `a | b` or `x?` is a type, not a value, and is refused.
 */
function instrument(block: Block): { code: string; claims: { line: number; value: string }[] } {
  const claims: { line: number; value: string }[] = []
  const lines = block.code.split('\n').map((text, index) => {
    const at = trailingComment(text)
    if (at === undefined || /^\s/.test(text)) return text
    const code = text.slice(0, at).trimEnd()
    const value = text.slice(at + 2).trim()
    if (!code || !VALUE_START.test(value)) return text
    const statement = ts.createSourceFile('line.ts', code, ts.ScriptTarget.Latest, true).statements
    if (statement.length !== 1 || !ts.isExpressionStatement(statement[0]!)) return text
    let expression = statement[0].expression
    let printed = false
    if (ts.isCallExpression(expression) && expression.expression.getText() === 'console.log' && expression.arguments.length === 1) {
      expression = expression.arguments[0]!
      printed = true
    }
    const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, value)
    for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
      if (token === ts.SyntaxKind.BarToken || token === ts.SyntaxKind.QuestionToken) {
        throw new Error(`${where(block, index)}: "// ${value}" describes a type; write the value the line gives (or the comment on a line of its own)`)
      }
    }
    // `{ requestId, state: 'done' }`: requestId may be anything but undefined.
    const expected = value.replace(/([{,]\s*)([A-Za-z_$][\w$]*)(\s*)(?=[,}])/g, '$1$2: ANY$3')
    if (ts.transpileModule(`(${expected})`, { reportDiagnostics: true }).diagnostics?.length) {
      throw new Error(`${where(block, index)}: "// ${value}" is not a value; start a prose comment with a word`)
    }
    claims.push({ line: block.line + 1 + index, value })
    const check = `__claim(${block.line + 1 + index}, ${expression.getText()}, (ANY) => (${expected}))`
    return printed ? `console.log(${check})` : check
  })
  return { code: lines.join('\n'), claims }
}

const PRELUDE = `
globalThis.fetch = () => Promise.reject(new Error('a README example must not reach the network: give its providers fetch: emulator.fetch'))
const __ANY = Symbol('any')
const __claims = []
const __match = (actual, expected) => {
  if (expected === __ANY) return actual !== undefined
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => __match(actual[i], item))
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return false
    const keys = Object.keys(actual).filter((key) => actual[key] !== undefined)
    return keys.length === Object.keys(expected).length && Object.keys(expected).every((key) => __match(actual[key], expected[key]))
  }
  return Object.is(actual, expected)
}
const __show = (value) => (value === undefined ? 'undefined' : JSON.stringify(value))
function __claim(line, actual, expected) {
  __claims.push({ line, ok: __match(actual, expected(__ANY)), actual: __show(actual) })
  return actual
}
`
const POSTLUDE = `
;console.log('\\n__readme_claims__ ' + JSON.stringify(__claims))
process.exit(0) // a block may leave a server listening (serve())
`

interface RunReport {
  code: number | null
  stdout: string
  stderr: string
  claims: { line: number; ok: boolean; actual: string }[]
}

/** Bundles a block (dist packages, example sources) with the checks, and runs it in Node. */
async function runBlock(block: Block): Promise<RunReport & { expected: { line: number; value: string }[] }> {
  const { code, claims: expected } = instrument(block)
  const outfile = join(tmp, `${block.file.replace(/\W+/g, '_')}_${block.line}.mjs`)
  const { metafile } = await build({
    stdin: { contents: `${PRELUDE}\n${code}\n${POSTLUDE}`, loader: 'ts', resolveDir: root, sourcefile: where(block, -1) },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Not the packages' tsconfig "paths", which map @erasekit/* to their sources.
    tsconfigRaw: '{}',
    alias: EXAMPLE_SOURCES,
    metafile: true,
    logLevel: 'silent',
  })
  const sources = Object.keys(metafile.inputs).filter((path) => /(^|\/)packages\/[^/]+\/src\//.test(path))
  if (sources.length) throw new Error(`${where(block, -1)} was bundled from package sources instead of dist: ${sources.join(', ')}`)
  const result = await run(process.execPath, [outfile], { cwd: tmp, timeoutMs: 30_000 })
  const line = result.stdout.split('\n').find((text) => text.startsWith('__readme_claims__ '))
  return { ...result, claims: line ? JSON.parse(line.slice('__readme_claims__ '.length)) : [], expected }
}

// ---------------------------------------------------------------------------------------------
// Shell lines

/** Words of a shell line, quotes removed; operators (`&&`, `|`, `;`) as their own words. */
function shellWords(line: string): string[] {
  const words: string[] = []
  let word: string | undefined
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!
    if (char === "'" || char === '"') {
      const end = line.indexOf(char, i + 1)
      if (end < 0) throw new Error(`unclosed quote in: ${line}`)
      word = (word ?? '') + line.slice(i + 1, end)
      i = end
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if (char === '#' && word === undefined) {
      break
    } else if ('&|;'.includes(char)) {
      if (word !== undefined) words.push(word)
      word = undefined
      const operator = line.slice(i, i + 2) === '&&' || line.slice(i, i + 2) === '||' ? line.slice(i, i + 2) : char
      words.push(operator)
      i += operator.length - 1
    } else word = (word ?? '') + char
  }
  if (word !== undefined) words.push(word)
  return words
}

/** The commands of a sh block: lines joined at `\`, split at operators. */
function shellCommands(code: string): { argv: string[]; line: number }[] {
  const commands: { argv: string[]; line: number }[] = []
  const lines = code.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const start = i
    let text = lines[i]!
    while (text.endsWith('\\') && i + 1 < lines.length) text = text.slice(0, -1) + ' ' + lines[++i]!
    let argv: string[] = []
    for (const word of [...shellWords(text), ';']) {
      if (['&&', '||', '|', ';'].includes(word)) {
        if (argv.length) commands.push({ argv, line: start })
        argv = []
      } else argv.push(word)
    }
  }
  return commands
}

/**
 * The `erasekit` command lines of a text block (a transcript or a synopsis): after a prompt
 * (`$ `, `/srv/dsr$ `), alone on a line, or indented as a suggestion in the output; a synopsis's
 * indented `[--flag VALUE]` lines belong to the command above them.
 */
function textCommands(code: string): { argv: string[]; line: number }[] {
  const commands: { argv: string[]; line: number }[] = []
  code.split('\n').forEach((text, line) => {
    const command = /^(?:\S*\$ |\s*)erasekit (.*)$/.exec(text)?.[1]
    if (command !== undefined) commands.push({ argv: ['npx', '@erasekit/cli', ...shellWords(command)], line })
    else if (/^\s+\[--/.test(text) && commands.length) commands.at(-1)!.argv.push(...shellWords(text.replace(/[[\]]/g, ' ')))
  })
  return commands
}

interface CliHelp {
  commands: string[]
  flags: Record<string, string[]>
}

async function cliHelp(): Promise<CliHelp> {
  const help = async (...args: string[]) => (await exec(process.execPath, [CLI, ...args, '--help'], { env: { ...process.env, NO_COLOR: '1' } })).stdout
  const top = await help()
  const commands = /USAGE erasekit ([\w|-]+)/.exec(top)?.[1]?.split('|') ?? []
  const flags = Object.fromEntries(await Promise.all(commands.map(async (command) => [command, [...(await help(command)).matchAll(/--([a-z][\w-]*)/g)].map((match) => match[1]!)] as const)))
  return { commands, flags }
}

const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; packageManager: string }
const workspacePackages = new Set(
  readdirSync(join(root, 'packages')).map((dir) => (JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string }).name),
)

/** What is wrong with one command of a sh block, or undefined. `dir`: the README's folder. */
function checkCommand(argv: string[], dir: string, cli: CliHelp): string | undefined {
  const [command, ...args] = argv
  const packagesOk = (names: string[]) => names.filter((name) => !name.startsWith('-')).find((name) => !workspacePackages.has(name))
  const cliOk = (rest: string[]) => {
    const [sub, ...flags] = rest
    if (!sub || !cli.commands.includes(sub)) return `erasekit has no command ${JSON.stringify(sub)} (it has ${cli.commands.join(', ')})`
    const unknown = flags.filter((flag) => flag.startsWith('--')).map((flag) => flag.slice(2).split('=')[0]!).filter((flag) => !cli.flags[sub]!.includes(flag))
    return unknown.length ? `erasekit ${sub} has no option ${unknown.map((flag) => `--${flag}`).join(', ')}` : undefined
  }
  const file = (path: string | undefined, base = dir) => (path && existsSync(join(base, path)) ? undefined : `no file ${JSON.stringify(path)} in ${relative(root, base) || '.'}`)
  switch (command) {
    case 'export':
    case 'echo':
    case 'curl':
      return undefined
    case 'npm':
    case 'bun':
      if (['i', 'install', 'add'].includes(args[0]!)) {
        if (args.includes('-g')) {
          const pnpm = args.find((arg) => arg.startsWith('pnpm@'))
          return pnpm === rootManifest.packageManager ? undefined : `installs ${pnpm}, but package.json says packageManager ${rootManifest.packageManager}`
        }
        const unknown = packagesOk(args.slice(1))
        return unknown ? `no package ${unknown} in packages/` : undefined
      }
      if (command === 'bun') return file(args.find((arg) => /\.[cm]?[jt]s$/.test(arg)))
      return `unknown npm command: ${argv.join(' ')}`
    case 'npx':
      return args[0] === '@erasekit/cli' ? cliOk(args.slice(1)) : `unknown npx package ${args[0]}`
    case 'deno':
      return args[0] === 'run' ? file(args.find((arg) => /\.[cm]?[jt]s$/.test(arg))) : `unknown deno command ${args[0]}`
    case 'node':
      return file(args.find((arg) => !arg.startsWith('-')))
    case 'bash':
      return file(args[0], root)
    case 'pnpm': {
      const [first, ...rest] = args
      if (first === 'install') return undefined
      if (first === 'add') {
        const unknown = packagesOk(rest)
        return unknown ? `no package ${unknown} in packages/` : undefined
      }
      if (first === '--dir') {
        const [target, script] = rest
        const manifest = join(root, target!, 'package.json')
        const scripts = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> }).scripts : undefined
        return scripts?.[script!] ? undefined : `${target}/package.json has no script ${script}`
      }
      if (first === 'vitest') return existsSync(join(root, 'node_modules/.bin/vitest')) ? rest.filter((arg) => arg !== 'run' && !arg.startsWith('-')).map((arg) => file(arg, root)).find(Boolean) : 'vitest is not installed'
      if (!rootManifest.scripts[first!]) return `the root package.json has no script ${first}`
      return first === 'erasekit' ? cliOk(rest) : undefined
    }
    default:
      return `a command this test does not know: ${command} (add a rule to checkCommand)`
  }
}

// ---------------------------------------------------------------------------------------------

const blocks = READMES.flatMap((file) => extractBlocks(file, readFileSync(join(root, file), 'utf8')))
const tsBlocks = blocks.filter((block) => TS_LANGS.has(block.lang) && !block.skip)
const runnable = tsBlocks.filter((block) => !preambleOf(block) && /from '[^']*\/emulator'/.test(block.code))
const shBlocks = blocks.filter((block) => SH_LANGS.has(block.lang) && !block.skip)
const textBlocks = blocks.filter((block) => (block.lang === 'text' || block.lang === '') && !block.skip && textCommands(block.code).length)
/** The CLI README's config examples: a defineConfig() module, and JSON with `providers`. */
const configBlocks = blocks.filter(
  (block) => block.file === 'packages/cli/README.md' && !block.skip && ((block.lang === 'ts' && block.code.includes('defineConfig(')) || (block.lang === 'json' && /^\{\s*"providers"/.test(block.code))),
)
const id = (block: Block) => `${block.file}:${block.line}`

// A block the checker itself must refuse: a misspelt option, and a wrong printed value.
const SELF_TEST: Block = {
  file: '(self-test)',
  line: 0,
  lang: 'ts',
  code: [
    "import { createEraser } from '@erasekit/core'",
    "import { adapty } from '@erasekit/adapty'",
    "import { createAdaptyEmulator } from '@erasekit/adapty/emulator'",
    'const emulator = createAdaptyEmulator()',
    "emulator.store.add({ customerUserId: 'u_1' })",
    'const eraser = createEraser({ providers: [adapty({ apiKy: emulator.apiKey, fetch: emulator.fetch })] })',
    "console.log((await eraser.erase({ userId: 'u_1' })).outcomes[0]?.status) // 'not_found'",
  ].join('\n'),
}

let typeErrors = new Map<string, string[]>()
let cli: CliHelp
beforeAll(async () => {
  for (const name of ['core', 'adapty', 'clevertap', 'altcraft', 'batch', 'cli']) {
    if (!existsSync(join(root, 'packages', name, 'dist/index.d.mts'))) throw new Error(`packages/${name}/dist is missing: run \`pnpm build\` first (the README blocks are checked against the built packages)`)
  }
  ;[typeErrors, cli] = await Promise.all([Promise.resolve().then(() => typecheck([...tsBlocks, SELF_TEST])), cliHelp()])
}, 60_000)

describe('README code blocks', () => {
  test('the READMEs hold the blocks this test knows, and every preamble belongs to exactly one block', () => {
    expect(tsBlocks.length).toBeGreaterThan(20)
    expect(runnable.length).toBeGreaterThan(5)
    for (const entry of PREAMBLES) {
      const matches = tsBlocks.filter((block) => block.file === entry.file && block.code.includes(entry.block))
      expect(matches.map(id), `PREAMBLES entry for ${entry.file} (${entry.block})`).toHaveLength(1)
    }
    expect(textBlocks.flatMap((block) => textCommands(block.code)).length).toBeGreaterThan(5)
    const claims = runnable.flatMap((block) => instrument(block).claims.map((claim) => `${block.file}:${claim.line}`))
    expect(claims.length).toBeGreaterThan(5)
    // Skipped blocks are listed, so a skip is never silent.
    console.log(
      `README blocks: ${tsBlocks.length} ts/js type-checked (${tsBlocks.filter(preambleOf).length} with a preamble), ${runnable.length} run with ${claims.length} commented values checked, ` +
        `${shBlocks.length} sh, ${textBlocks.length} transcripts, ${configBlocks.length} CLI configs; skipped: ${blocks.filter((block) => block.skip).map((block) => `${id(block)} (${block.skip})`).join(', ') || 'none'}`,
    )
  })

  test('nothing outside the blocks fails to type-check', () => {
    expect(typeErrors.get('(outside the blocks)') ?? []).toEqual([])
  })

  test.each(tsBlocks.map((block) => [id(block), block] as const))('%s type-checks against the built packages', (_, block) => {
    expect(typeErrors.get(id(block))).toEqual([])
  })

  test.each(runnable.map((block) => [id(block), block] as const))(
    '%s runs offline and gives what its comments say',
    async (_, block) => {
      const result = await runBlock(block)
      expect(result.code, `${where(block, -1)} exited with ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`).toBe(0)
      const wrong = result.claims.filter((claim) => !claim.ok).map((claim) => `${block.file}:${claim.line}: gives ${claim.actual}`)
      expect(wrong, 'a value that differs from its comment').toEqual([])
      const unreached = result.expected.filter((claim) => !result.claims.some((seen) => seen.line === claim.line)).map((claim) => `${block.file}:${claim.line}`)
      expect(unreached, 'a commented value whose line never ran').toEqual([])
    },
    40_000,
  )

  test.each(configBlocks.map((block) => [id(block), block] as const))(
    '%s is a config `erasekit run --dry-run` loads',
    async (_, block) => {
      const dir = join(tmp, `config-${block.line}`)
      mkdirSync(dir, { recursive: true })
      const config = join(dir, `erasekit.config.${block.lang === 'json' ? 'json' : 'ts'}`)
      writeFileSync(config, block.code)
      writeFileSync(join(dir, 'subjects.csv'), 'ref,userId,email\nreadme-1,u_1,ann@example.com\n')
      // Every secret the config reads, set to a placeholder: a dry run sends nothing.
      const env = Object.fromEntries([...block.code.matchAll(/["']?env["']?\s*:\s*["']([A-Z][A-Z0-9_]*)["']/g)].map((match) => [match[1]!, `placeholder-${match[1]!.toLowerCase()}`]))
      const result = await run(process.execPath, [CLI, 'run', '--config', config, '--input', join(dir, 'subjects.csv'), '--dry-run'], { cwd: dir, env, timeoutMs: 30_000 })
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
      expect(result.stdout).toContain('nothing was sent')
    },
    40_000,
  )

  test.each(shBlocks.map((block) => [id(block), block] as const))('%s names commands, scripts, flags and files that exist', (_, block) => {
    const dir = join(root, dirname(block.file))
    const problems = shellCommands(block.code).flatMap(({ argv, line }) => {
      const problem = checkCommand(argv, dir, cli)
      return problem ? [`${where(block, line)}: ${argv.join(' ')}: ${problem}`] : []
    })
    expect(problems).toEqual([])
  })

  test.each(textBlocks.map((block) => [id(block), block] as const))('%s shows erasekit commands and flags that exist', (_, block) => {
    const problems = textCommands(block.code).flatMap(({ argv, line }) => {
      const problem = checkCommand(argv, root, cli)
      return problem ? [`${where(block, line)}: ${argv.slice(2).join(' ')}: ${problem}`] : []
    })
    expect(problems).toEqual([])
  })
})

describe('the README checker itself', () => {
  test('a skip needs a reason and must stand above a block', () => {
    expect(extractBlocks('a.md', '<!-- readme-check: skip (shows an error) -->\n```ts\nnope(\n```\n')[0]).toMatchObject({ skip: 'shows an error', code: 'nope(' })
    expect(() => extractBlocks('a.md', '<!-- readme-check: skip -->\n```ts\nx\n```\n')).toThrow('a.md:1: a readme-check marker must read')
    expect(() => extractBlocks('a.md', '<!-- readme-check: skip (why) -->\n\ntext\n```ts\nx\n```\n')).toThrow('a.md:1: a readme-check marker must stand right above a code block')
    expect(extractBlocks('a.md', '- item\n\n  ```ts\n  const a = 1\n    b()\n  ```\n')[0]).toMatchObject({ line: 3, code: 'const a = 1\n  b()' })
  })

  test('a misspelt option is a type error, at its README line', () => {
    expect(typeErrors.get('(self-test):0')).toEqual([expect.stringMatching(/^\(self-test\):6: TS2561 .*'apiKy' does not exist in type 'AdaptyOptions'/)])
  })

  test('a value that differs from its comment fails; a type in a comment is refused', async () => {
    const fixed = { ...SELF_TEST, code: SELF_TEST.code.replace('apiKy', 'apiKey') }
    const result = await runBlock(fixed)
    expect(result.code, result.stderr).toBe(0)
    expect(result.claims).toEqual([{ line: 7, ok: false, actual: '"deleted"' }])
    expect(() => instrument({ ...fixed, code: "x // { status: 'a' | 'b' }" })).toThrow('describes a type')
    expect(() => instrument({ ...fixed, code: 'emulator.store.purge() // 48 h later it is gone' })).toThrow('(self-test):1: "// 48 h later it is gone" is not a value')
  }, 40_000)

  test('shell lines: quotes, operators, comments', () => {
    expect(shellWords(`echo '{"a": 1}' | node erase.mjs && pnpm demo   # comment`)).toEqual(['echo', '{"a": 1}', '|', 'node', 'erase.mjs', '&&', 'pnpm', 'demo'])
    expect(checkCommand(['pnpm', 'erasekit', 'run', '--dryrun'], root, cli)).toBe('erasekit run has no option --dryrun')
    expect(checkCommand(['pnpm', 'no-such-script'], root, cli)).toBe('the root package.json has no script no-such-script')
    const synopsis = textCommands('erasekit run --config c.{ts,json}\n             [--dry-run] [--jounral FILE]\n/srv$ erasekit follow-up --receipts r.jsonl\n  erasekit emulate --seed s.csv\nprose: erasekit is a CLI')
    expect(synopsis.map(({ argv, line }) => [line, ...argv.slice(2)])).toEqual([
      [0, 'run', '--config', 'c.{ts,json}', '--dry-run', '--jounral', 'FILE'],
      [2, 'follow-up', '--receipts', 'r.jsonl'],
      [3, 'emulate', '--seed', 's.csv'],
    ])
    expect(checkCommand(synopsis[0]!.argv, root, cli)).toBe('erasekit run has no option --jounral')
  })
})
