/**
 * How a run reports its progress to whoever shows it. Training and relay pretraining count their
 * steps here; the CLI passes its terminal bar (cli/progress-bar.ts), so agents/ writes nothing to
 * the terminal itself, and tests and benchmarks pass nothing.
 */

/** What a progress line shows next to the step count; absent fields are left out. */
export interface ProgressStats {
  return?: number;
  success?: number;
}

/** A count of work under way. */
export interface Progress {
  update(step: number, stats?: ProgressStats): void;
  /** The work has stopped (done or interrupted). */
  finish(): void;
}

/** What is being counted: `total` steps, `startStep` of them done before (a resumed run). */
export interface ProgressWork {
  total: number;
  startStep?: number;
  label: string;
}

/** Starts showing a count of work. */
export type ShowProgress = (work: ProgressWork) => Progress;
