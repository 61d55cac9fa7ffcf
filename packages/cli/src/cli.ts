#!/usr/bin/env node
import { UsageError } from './errors'
import { VERSION as version } from './version'

// citty and consola pick their colours when they load: escape codes in a pipe or a log file are
// noise, so colours follow the terminal unless FORCE_COLOR asks for them.
if (!process.stdout.isTTY && !process.env.FORCE_COLOR) process.env.NO_COLOR ??= '1'
const { defineCommand, runCommand, showUsage } = await import('citty')
const { logger } = await import('./ui')


const main = defineCommand({
  meta: { name: 'erasekit', version, description: 'Erase people from every SaaS tool that holds their profile, with receipts that hold no raw identifier' },
  subCommands: {
    demo: () => import('./commands/demo').then((m) => m.default),
    run: () => import('./commands/run').then((m) => m.default),
    init: () => import('./commands/init').then((m) => m.default),
    emulate: () => import('./commands/emulate').then((m) => m.default),
    'follow-up': () => import('./commands/follow-up').then((m) => m.default),
  },
})

// A closed pipe (`erasekit run ... | head`) must not kill a run mid-erasure: the output is dropped,
// the run finishes, the receipts are written.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
}

async function cli(rawArgs: string[]) {
  if (rawArgs.length === 1 && (rawArgs[0] === '--version' || rawArgs[0] === '-v')) {
    console.log(version)
    return
  }
  const sub = rawArgs.find((arg) => !arg.startsWith('-'))
  if (rawArgs.length === 0 || ((rawArgs.includes('--help') || rawArgs.includes('-h')) && !sub)) {
    await showUsage(main)
    return
  }
  // citty reads a command's options after it only: `erasekit --dry-run run ...` would run for real.
  const early = sub ? rawArgs.slice(0, rawArgs.indexOf(sub)).find((arg) => arg !== '--help' && arg !== '-h') : undefined
  if (early !== undefined) {
    logger.error(`${early.split('=')[0]!.slice(0, 40)}: options go after the command, e.g. erasekit run --dry-run --config ...`)
    process.exitCode = 1
    return
  }
  if (rawArgs.includes('--help') || rawArgs.includes('-h')) {
    const commands = main.subCommands as Record<string, () => Promise<Parameters<typeof showUsage>[0]>>
    if (commands[sub!]) return showUsage(await commands[sub!]!(), main)
  }
  try {
    await runCommand(main, { rawArgs })
  } catch (error) {
    if (error instanceof UsageError) {
      logger.error(error.message)
      process.exitCode = error.exitCode
      return
    } else if ((error as { code?: string })?.code?.startsWith?.('E_')) {
      // citty's own usage errors: unknown command, missing argument.
      logger.error((error as Error).message)
      logger.log('  erasekit --help lists the commands and options')
    } else {
      logger.error(error)
    }
    process.exitCode = 1
  }
}

await cli(process.argv.slice(2))
