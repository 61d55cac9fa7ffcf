import { defineBuildConfig } from 'unbuild'

export default defineBuildConfig({
  entries: ['src/index', 'src/emulator'],
  declaration: true,
  rollup: { emitCJS: true },
  // A peer dependency: never bundled, the user's copy of @erasekit/core is used.
  externals: ['@erasekit/core'],
})
