/**
 * The job pool of `rapier-gym experiment`: the runs still to train, `jobs` `train` processes at
 * a time (p-limit), each under a lock so that two invocations never train the same run, and the
 * stop signals passed on to them.
 */
import pLimit from "p-limit";
import { claimPidLock } from "../agents/run/pid-lock.js";
import type { PlannedRun } from "./experiment-plan.js";
import { signalChildren, spawnCli } from "./spawn-cli.js";
import { onStopSignals } from "./stop-signals.js";

export interface JobsOutcome {
  /** The signal that stopped the pool, if one did. */
  stoppedBy: NodeJS.Signals | null;
  /** Runs whose trainer failed, each with its log. */
  failures: string[];
  /** Runs another invocation held the lock of. */
  skipped: string[];
}

/**
 * Trains every run of `todo` whose `argsOf` still gives a command line once its lock is held. A
 * first SIGINT/SIGTERM stops each run at its episode end, after a checkpoint (the trainers handle
 * it), and starts no more; a second one stops them at once.
 */
export async function trainRuns(todo: readonly PlannedRun[], jobs: number, argsOf: (run: PlannedRun) => string[]): Promise<JobsOutcome> {
  const outcome: JobsOutcome = { stoppedBy: null, failures: [], skipped: [] };
  const removeHandlers = onStopSignals({
    stop: (signal) => {
      outcome.stoppedBy = signal;
      signalChildren(signal);
      process.stderr.write(`\n${signal}: stopping every run at the end of its episode, after a checkpoint (again to stop at once)\n`);
    },
    stopNow: signalChildren,
  });
  const train = async (run: PlannedRun): Promise<void> => {
    if (outcome.stoppedBy !== null) return;
    // `<dir>.lock`: two invocations of the same experiment (one per core, or a second sitting
    // while the first still runs) never start the same run twice; the trainer it spawns also
    // locks the run directory itself (train.lock).
    const release = claimPidLock(`${run.dir}.lock`);
    if (release === null) {
      outcome.skipped.push(`${run.label} seed ${run.seed}`);
      return;
    }
    try {
      // Looked at again under the lock: another invocation may have trained it since the plan.
      const args = argsOf(run);
      if (args.length === 0) return;
      const code = await spawnCli(args, `${run.dir}.log`);
      if (code !== 0 && outcome.stoppedBy === null)
        outcome.failures.push(`${run.label} seed ${run.seed} exited with ${code} (log: ${run.dir}.log)`);
    } finally {
      release();
    }
  };
  const limit = pLimit(Math.max(1, jobs));
  try {
    await Promise.all(todo.map((run) => limit(() => train(run))));
  } finally {
    removeHandlers();
  }
  return outcome;
}
