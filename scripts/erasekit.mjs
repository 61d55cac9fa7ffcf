#!/usr/bin/env node
// `pnpm erasekit …` (or `npm run erasekit -- …`) from this checkout: the built CLI, run in the
// folder the command was typed in. Package managers run scripts from the root, which would put
// `init`'s config there and read a relative --input from there.
process.chdir(process.env.INIT_CWD ?? process.cwd())
await import('../packages/cli/dist/cli.mjs')
