/**
 * A config, run directory, demo file or experiment that cannot be used as given: the user's to
 * fix, so the CLI prints its message alone, without a stack trace. Bugs stay plain Errors and
 * keep their stacks.
 */
export class ConfigError extends Error {}
