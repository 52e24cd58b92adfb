/**
 * How the long commands (train, experiment) take Ctrl-C and SIGTERM: the first asks them to stop
 * cleanly (a checkpoint at the episode end), a second stops them at once. A repeat within
 * {@link SAME_REQUEST_MS} is the same request, not a second one: in a terminal, Ctrl-C reaches
 * every process of the foreground group, and npx (npm's exec) passes it on to its child as well,
 * so the command receives it twice within milliseconds.
 */
const SAME_REQUEST_MS = 1000;

/** The shell's exit code for a command ended by `signal` (128 + its number), which scripts test for. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === "SIGINT" ? 130 : 143;
}

export interface StopHandlers {
  /** The first request. */
  stop(signal: NodeJS.Signals): void;
  /** A second request, just before the process exits. */
  stopNow?(signal: NodeJS.Signals): void;
}

/** Installs the handlers on `source`'s SIGINT and SIGTERM (tests pass an emitter of their own); returns what removes them. */
export function onStopSignals(handlers: StopHandlers, source: NodeJS.EventEmitter = process): () => void {
  let first: number | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (first === null) {
      first = Date.now();
      handlers.stop(signal);
    } else if (Date.now() - first >= SAME_REQUEST_MS) {
      handlers.stopNow?.(signal);
      process.exit(signalExitCode(signal));
    }
  };
  source.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  return () => {
    source.off("SIGINT", onSignal).off("SIGTERM", onSignal);
  };
}
