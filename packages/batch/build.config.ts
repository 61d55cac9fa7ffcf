import { defineBuildConfig } from 'unbuild'

export default defineBuildConfig({
  entries: ['src/index', 'src/emulator'],
  declaration: true,
  rollup: { emitCJS: true },
  externals: ['@erasekit/core'],
})
