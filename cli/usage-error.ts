/** A mistake in the command line: printed as one line, without a stack trace. */
export class UsageError extends Error {}
