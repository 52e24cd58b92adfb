/**
 * The episode loop the flat and the hierarchical trainers share: step the env until the budget,
 * evaluate every `evalEvery` env steps, log one metrics row per episode, checkpoint at the first
 * episode end past each `checkpointEvery`, and save the policy once the budget is spent.
 * What a step stores and learns, and what a row and a checkpoint hold, is the trainer's: it comes
 * in through {@link TrainingLoopHooks}.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { MetricsLog } from "./metrics-log.js";
import type { ShowProgress } from "./progress.js";

/** Evaluation episodes are seeded from here on, apart from any training seed. */
export const EVAL_SEED_BASE = 1_000_000;

/** The loop's place in the run; part of every trainer's checkpointed state. */
export interface LoopCounters {
  step: number;
  episode: number;
  nextEval: number;
  nextCheckpoint: number;
}

export interface LoopSchedule {
  steps: number;
  evalEvery: number;
  checkpointEvery: number;
}

export interface StepOutcome {
  reward: number;
  /** The step ended the episode (terminated or truncated). */
  done: boolean;
  success: boolean;
}

export interface TrainingLoopHooks {
  /** The counters as they stand (a resumed trainer replaces its state object). */
  counters(): LoopCounters;
  /** One env step and the learning it brings. */
  envStep(): StepOutcome;
  /** A deterministic evaluation on episodes seeded from `evalSeed`: its row's fields. */
  evaluate(evalSeed: number): { "eval/return": number; "eval/success": number } & Record<string, number>;
  /** The ended episode's own fields (losses, window counts), its accumulators then cleared. */
  episodeFields(): Record<string, number>;
  checkpoint(): void;
  /** Resets the env for the next episode. */
  nextEpisode(): void;
  /** Once the budget is spent: the final policy. */
  finish(): Promise<void>;
}

export interface LoopOptions {
  /** Shows the env steps as they are taken (the CLI's progress bar); nothing is shown without it. */
  progress?: ShowProgress;
  /** Stop at this env step, as a kill would (tests, chunked runs). */
  until?: number;
  /**
   * Stop as `stop` does (a checkpoint at the end of the episode) once this env step is reached:
   * an experiment whose budget is smaller than a run's (`experiment --steps`, or a shared run of a
   * longer experiment) trains it that far and no further.
   */
  stopAt?: number;
  /**
   * Once aborted (Ctrl-C, a stopped experiment), the run checkpoints at the end of the episode
   * under way and returns, so that an interrupted run loses no step.
   */
  stop?: AbortSignal;
}

/**
 * Whether `stop` has been aborted, looked at after a turn of the event loop: the training loops
 * are synchronous, so a signal handler that aborts it only runs while they wait here.
 */
export async function stopRequested(stop: AbortSignal | undefined): Promise<boolean> {
  if (stop === undefined) return false;
  await nextTurn();
  return stop.aborted;
}

export function initialCounters(schedule: LoopSchedule): LoopCounters {
  return { step: 0, episode: 0, nextEval: schedule.evalEvery, nextCheckpoint: schedule.checkpointEvery };
}

export class TrainingLoop {
  /** The episode under way, kept across {@link run} calls that stop mid-episode. */
  private episodeReturn = 0;
  private lastEvalSuccess: number | null = null;

  constructor(
    private readonly schedule: LoopSchedule,
    private readonly metrics: MetricsLog,
    private readonly hooks: TrainingLoopHooks,
    private readonly label: string,
  ) {}

  /**
   * Trains until `steps` env steps (or `until`, to stop early as a kill would, or the end of the
   * episode in which `stop` is aborted), logging each episode, evaluating every `evalEvery` steps
   * and checkpointing every `checkpointEvery`, at the end and when stopped. True once the budget
   * is spent and the final policy saved.
   */
  async run(options: LoopOptions = {}): Promise<boolean> {
    const { schedule, hooks } = this;
    const c = hooks.counters();
    const until = Math.min(options.until ?? schedule.steps, schedule.steps);
    // A run already at stopAt takes no step (it was stopped there at an episode end).
    if (options.stopAt !== undefined && c.step >= options.stopAt) return false;
    const bar = options.progress?.({ total: schedule.steps, startStep: c.step, label: this.label }) ?? null;
    const t0 = performance.now();
    const step0 = c.step;
    while (c.step < until) {
      const outcome = hooks.envStep();
      this.episodeReturn += outcome.reward;
      c.step++;
      if (c.step >= c.nextEval) {
        const row = hooks.evaluate(EVAL_SEED_BASE + c.nextEval);
        this.lastEvalSuccess = row["eval/success"];
        this.metrics.append({ step: c.step, episode: c.episode, ...row });
        c.nextEval += schedule.evalEvery;
      }
      if (!outcome.done) continue;
      c.episode++;
      const elapsedMs = performance.now() - t0;
      this.metrics.append({
        step: c.step,
        episode: c.episode,
        "train/return": this.episodeReturn,
        "train/success": outcome.success ? 1 : 0,
        "time/steps_per_s": ((c.step - step0) * 1000) / elapsedMs,
        // Seconds since this sitting began: a run's wall-clock is the sum of its sittings' last values.
        "time/elapsed_s": elapsedMs / 1000,
        ...hooks.episodeFields(),
      });
      bar?.update(c.step, { return: this.episodeReturn, success: this.lastEvalSuccess ?? (outcome.success ? 1 : 0) });
      this.episodeReturn = 0;
      const stopping = (options.stopAt !== undefined && c.step >= options.stopAt) || (await stopRequested(options.stop));
      // The budget's last episode is checkpointed too, so that the run can be extended from it.
      const due = c.step >= c.nextCheckpoint || c.step >= schedule.steps;
      if (due) while (c.nextCheckpoint <= c.step) c.nextCheckpoint += schedule.checkpointEvery;
      if (due || stopping) hooks.checkpoint();
      hooks.nextEpisode();
      if (stopping) break;
    }
    bar?.finish();
    if (c.step < schedule.steps) return false;
    await hooks.finish();
    return true;
  }
}
