export { batch } from './provider'
export type { BatchOptions } from './provider'
// Separate module: bundlers drop the client for eraser-only users.
export { createBatchClient } from './client'
export type { BatchClient, BatchGdprRequestRef, BatchGdprStatus } from './client'
