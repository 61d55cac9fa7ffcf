/** This CLI's version: `erasekit --version`, and each run's record beside its receipts. */
export const VERSION = '0.1.0'
