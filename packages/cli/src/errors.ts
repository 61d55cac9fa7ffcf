/** A mistake in how the CLI was called or configured: printed without a stack, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError'
  exitCode = 1
}

/** A run that stopped part-way (an input or output file failed): exit code 3, resume with the journal. */
export class RunStopped extends UsageError {
  override name = 'RunStopped'
  override exitCode = 3

  /** `what` happened, then the file error (its code once: `EFBIG: …`), then what to do. */
  static by(what: string, error: unknown, resume = ''): RunStopped {
    const { message, code } = error as NodeJS.ErrnoException
    return new RunStopped(`${what}: ${code && !message.includes(code) ? `${code}: ` : ''}${message}. Fix it and run the same command again${resume}.`)
  }
}
