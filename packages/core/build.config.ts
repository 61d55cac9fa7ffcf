import { defineBuildConfig } from 'unbuild'

export default defineBuildConfig({
  entries: ['src/index', 'src/schema', 'src/testing/index', 'src/testing/node'],
  declaration: true,
  rollup: { emitCJS: true },
})
