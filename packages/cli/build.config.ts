import { defineBuildConfig } from 'unbuild'

export default defineBuildConfig({
  entries: ['src/index', 'src/cli', 'src/vendors'],
  declaration: 'node16',
  rollup: { emitCJS: false },
})
