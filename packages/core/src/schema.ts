/**
 * erasekit's option checker, for provider option schemas: `import * as v from '@erasekit/core/schema'`.
 * `v.object({...})` is a Standard Schema v1, so `parseProviderOptions` and `defineProvider({ schema })`
 * take it as they take a valibot, zod or arktype schema. A few dozen lines instead of a schema
 * library in every Worker bundle; messages describe the expectation and never quote the value.
 */
export { array, credential, is, misspells, nonNegative, object, oneOf, optional, pipe, positiveInt, record, regex, text } from './validate'
export type { Check, ObjectSchema } from './validate'
export type { StandardSchemaV1 } from '@standard-schema/spec'
