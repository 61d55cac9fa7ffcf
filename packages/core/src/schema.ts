/**
 * valibot, for provider option schemas: `import * as v from '@erasekit/core/schema'`.
 * A plain star re-export keeps tree-shaking intact (a namespace re-export from the main
 * entry pulled all of valibot into every provider bundle).
 */
export * from 'valibot'
