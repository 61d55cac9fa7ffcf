/** A mistake in how the CLI was called or configured: printed without a stack, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError'
  exitCode = 1
}

/** A run that stopped part-way (an input or output file failed): exit code 3, resume with the journal. */
export class RunStopped extends UsageError {
  override name = 'RunStopped'
  override exitCode = 3
}
