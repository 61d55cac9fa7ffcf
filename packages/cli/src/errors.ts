/** A mistake in how the CLI was called or configured: printed without a stack, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError'
}
