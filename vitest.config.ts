import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url))
const providers = ['adapty', 'clevertap', 'altcraft', 'batch']
const example = (path: string) => fileURLToPath(new URL(`./examples/${path}`, import.meta.url))

// Unit and contract tests run against sources; test/runtimes runs the built packages.
const alias = [
  { find: '@erasekit/core/testing/node', replacement: src('core/src/testing/node.ts') },
  { find: '@erasekit/core/testing', replacement: src('core/src/testing/node.ts') },
  { find: '@erasekit/core/schema', replacement: src('core/src/schema.ts') },
  { find: /^@erasekit\/core$/, replacement: src('core/src/index.ts') },
  ...providers.flatMap((name) => [
    { find: `@erasekit/${name}/emulator`, replacement: src(`${name}/src/emulator.ts`) },
    { find: new RegExp(`^@erasekit/${name}$`), replacement: src(`${name}/src/index.ts`) },
  ]),
  // Third-party packages under examples/, imported by package name in their own tests.
  { find: /^erasekit-provider-braze\/emulator$/, replacement: example('provider-braze/src/emulator.ts') },
  { find: /^erasekit-provider-braze$/, replacement: example('provider-braze/src/index.ts') },
  { find: /^erasekit-plugin-logger$/, replacement: example('plugin-logger/src/index.ts') },
]

export default defineConfig({
  resolve: { alias },
  test: {
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'node', environment: 'node', include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'], exclude: ['**/*.dom.test.ts', '**/node_modules/**'] },
      },
      {
        extends: true,
        test: { name: 'happy-dom', environment: 'happy-dom', include: ['packages/*/test/**/*.dom.test.ts', 'test/**/*.dom.test.ts'] },
      },
    ],
  },
})
