/**
 * One episode of the hierarchy: Levy et al.'s Algorithm 1 (TRAIN-LEVEL) unrolled into the env
 * loop. The paper recurses: level i sets a subgoal, level i - 1 pursues it for up to k attempts,
 * then level i stores its transitions. Here the env loop stays outside: {@link HacRollout.act}
 * opens the windows that are due, top down, and returns the bottom level's action;
 * {@link HacRollout.step} takes the env's answer and runs the rest of an iteration, bottom up.
 */
import type { GoalObs, StepResult } from "../../sim/core/env.js";
import type { HerTransition } from "../buffers/her-replay-buffer.js";
import { policyInput } from "../sac/policy-input.js";
import type { Hac } from "./hac.js";
import { add, clip, clipAbout, subgoalState } from "./subgoal-space.js";
import { windowTransition, type SubgoalWindow, type WindowRecord, type WindowTransition } from "./subgoal-window.js";

/** A transition as a level's buffer received it (for observers: tests, diagnostics). */
export interface StoredTransition {
  level: number;
  transition: HerTransition;
  /** Present for the levels above the bottom one. */
  window?: WindowRecord;
}

/** A window that closed at this step. */
export interface ClosedWindow {
  /** The level that set the subgoal (>= 1). */
  level: number;
  reached: boolean;
  tested: boolean;
  envSteps: number;
}

export interface HacStepEvents {
  /** Transitions each level committed to store this step (the update schedule's input). */
  stored: number[];
  /** Windows that closed, lowest level first. */
  closed: ClosedWindow[];
}

/** Every level's reward for one env step. */
interface StepRewards {
  /** Of each level below the top, against the subgoal set from above. */
  subgoal: number[];
  /** Each level below the top reached its subgoal. */
  reached: boolean[];
  /** The env's reward: the top level's, against the env goal. */
  env: number;
}

/**
 * One episode of the hierarchy. Call {@link act} with each observation and {@link step} with
 * what the env returned for that action.
 */
export class HacRollout {
  /** `windows[i]` is the subgoal level i set for level i - 1 (index 0 unused). */
  private readonly windows: (SubgoalWindow | null)[];
  /** Each level's transitions of its current HER episode, held until that episode ends. */
  private readonly pending: WindowTransition[][];
  private readonly counters: number[];
  private obs: GoalObs;
  private readonly k: number;

  constructor(
    readonly agent: Hac,
    firstObs: GoalObs,
    readonly mode: "train" | "eval",
  ) {
    const n = agent.numLevels;
    this.windows = new Array<SubgoalWindow | null>(n).fill(null);
    this.pending = Array.from({ length: n }, () => []);
    // The subgoal-test clock: per episode (the author's) or over the run (shared with the agent).
    this.counters = agent.config.quirks.testCountPerEpisode ? new Array<number>(n).fill(0) : agent.windowCounters;
    this.obs = firstObs;
    this.k = agent.config.replanInterval;
  }

  /** The subgoal level `level` (>= 1) has set, or null between windows. */
  subgoal(level: number): Float64Array | null {
    return this.windows[level]?.subgoal ?? null;
  }

  /**
   * The env action for `obs`. Levels whose subgoal has expired choose a new one first, top
   * down. `lowAction` replaces the bottom level's action (the random warm-up).
   */
  act(obs: GoalObs, lowAction?: Float64Array): Float64Array {
    this.obs = obs;
    for (let i = this.agent.numLevels - 1; i >= 1; i--) if (this.windows[i] === null) this.windows[i] = this.openWindow(i, obs);
    if (lowAction !== undefined) return Float64Array.from(lowAction);
    return Float64Array.from(this.agent.actor(0).act(policyInput(obs, this.windows[1]!.subgoal), this.deterministic(0)));
  }

  /**
   * Takes the env's answer to the last action: scores it at every level, closes the windows that
   * end here (bottom up) and, in training, stores every level's transitions.
   */
  step(action: ArrayLike<number>, result: StepResult<GoalObs>): HacStepEvents {
    if (!this.windows[1]) throw new Error("HacRollout.step: call act() before step()");
    const n = this.agent.numLevels;
    const nextState = subgoalState(result.obs, this.agent.config);
    const rewards = this.rewards(result, nextState);
    const closes = this.closingWindows(result, rewards.reached);
    const closed = this.closedWindows(closes, rewards.reached);
    const stored = new Array<number>(n).fill(0);
    if (this.mode === "train") {
      this.storeBottomLevel(action, result, nextState, rewards, closes[1]!);
      stored[0] = 1;
      this.storeWindows(result, nextState, rewards, closes, stored);
    }
    for (let i = 1; i < n && closes[i]; i++) this.windows[i] = null;
    this.obs = result.obs;
    return { stored, closed };
  }

  /**
   * Phase 1, rewards: every level's reward for this env step, added to its window's. Below the
   * top it is the reward against the subgoal set from above, by the env's own computeReward:
   * sparse rewards are >= 0 exactly when the subgoal is reached.
   */
  private rewards(result: StepResult<GoalObs>, nextState: Float64Array): StepRewards {
    const { agent, windows } = this;
    const n = agent.numLevels;
    const subgoal: number[] = [];
    for (let j = 0; j < n - 1; j++) subgoal.push(agent.levels[j]!.computeReward(nextState, windows[j + 1]!.subgoal)[0]!);
    const rewards = { subgoal, reached: subgoal.map((r) => r >= 0), env: result.reward };
    for (let i = 1; i < n; i++) {
      windows[i]!.rewardSum += levelReward(rewards, i, n);
      windows[i]!.envSteps++;
    }
    return rewards;
  }

  /**
   * Phase 2, closing windows, bottom up. Window i (the subgoal of level i) closes after k actions
   * of level i - 1, at the episode's end, or (early replan) when its subgoal or any subgoal above
   * it is reached. A closed window is one action of level i, which may close window i + 1.
   */
  private closingWindows(result: StepResult<GoalObs>, reached: readonly boolean[]): boolean[] {
    const { windows, k } = this;
    const n = this.agent.numLevels;
    const episodeEnd = result.terminated || result.truncated;
    const closes = new Array<boolean>(n).fill(false);
    windows[1]!.steps++;
    for (let i = 1; i < n; i++) {
      closes[i] = episodeEnd || windows[i]!.steps >= k || (this.agent.config.earlyReplan && reached.slice(i - 1).some(Boolean));
      if (!closes[i]) break;
      if (i + 1 < n) windows[i + 1]!.steps++;
    }
    return closes;
  }

  /** The windows that close, as the step's events report them. */
  private closedWindows(closes: readonly boolean[], reached: readonly boolean[]): ClosedWindow[] {
    const closed: ClosedWindow[] = [];
    for (let i = 1; i < closes.length && closes[i]; i++) {
      const { tested, envSteps } = this.windows[i]!;
      closed.push({ level: i, reached: reached[i - 1]!, tested, envSteps });
    }
    return closed;
  }

  /**
   * Phase 3, storing the bottom level: one transition per env step, goal = the subgoal, achieved =
   * the subgoal-space slice. Each window is its own HER episode ("future" goals stay inside it),
   * so the window's last step is marked truncated: it ends the episode but bootstraps.
   */
  private storeBottomLevel(
    action: ArrayLike<number>,
    result: StepResult<GoalObs>,
    nextState: Float64Array,
    rewards: StepRewards,
    windowCloses: boolean,
  ): void {
    this.store(0, {
      observation: this.obs.observation,
      desiredGoal: this.windows[1]!.subgoal,
      action,
      reward: this.agent.config.quirks.lowLevelEnvReward ? rewards.env : rewards.subgoal[0]!,
      nextObservation: result.obs.observation,
      nextAchievedGoal: nextState,
      terminated: result.terminated,
      truncated: windowCloses || result.truncated,
    });
  }

  /**
   * Phase 4, storing the windows: each closed window is one transition of the level that set it
   * (./subgoal-window.ts), held until that level's HER episode (the window of the level above;
   * the whole env episode at the top) ends.
   */
  private storeWindows(
    result: StepResult<GoalObs>,
    nextState: Float64Array,
    rewards: StepRewards,
    closes: readonly boolean[],
    stored: number[],
  ): void {
    const { agent } = this;
    const n = agent.numLevels;
    const episodeEnd = result.terminated || result.truncated;
    for (let i = 1; i < n && closes[i]; i++) {
      const herEpisodeEnds = i === n - 1 ? episodeEnd : closes[i + 1]!;
      const window = this.windows[i]!;
      const reached = rewards.reached[i - 1]!;
      this.pending[i]!.push(
        windowTransition(agent, { level: i, window, result, nextState, reached, lastReward: levelReward(rewards, i, n), herEpisodeEnds }),
      );
      // The author stored a window only at the next replan, so an episode's last one was lost.
      const dropLast = episodeEnd && agent.config.quirks.dropLastWindow;
      if (!dropLast) stored[i] = 1;
      if (herEpisodeEnds) this.commit(i, dropLast);
    }
  }

  /** Level `level` chooses the subgoal for the level below, opening a window. */
  private openWindow(level: number, obs: GoalObs): SubgoalWindow {
    const { agent } = this;
    const { config } = agent;
    const top = level === agent.numLevels - 1;
    const goal = top ? obs.desired_goal : this.windows[level + 1]!.subgoal;
    const raw = agent.actor(level).act(policyInput(obs, goal), this.deterministic(level));
    const output = clip(Float64Array.from(raw), agent.levels[level]!.actLimit);
    const startSubgoalState = subgoalState(obs, config);
    // A relative subgoal is an offset from where the window starts, fixed for the window.
    const subgoal = config.relativeSubgoals
      ? clipAbout(add(startSubgoalState, output), agent.subgoalCenter, agent.subgoalLimit)
      : add(agent.subgoalCenter, output);
    let tested = false;
    let keepOriginal = false;
    if (this.mode === "train") {
      const testing = config.subgoalTesting === "a" || config.subgoalTesting === "b";
      // A window inside a tested window is tested too: everything below a test is deterministic.
      const parentTested = !top && this.windows[level + 1]!.tested;
      tested = testing && (this.counters[level]! % config.testingInterval === 0 || parentTested);
      this.counters[level]!++;
      if (config.subgoalTesting === "d") keepOriginal = agent.rng.random() < config.keepOriginalFraction;
    }
    return {
      subgoal,
      output,
      goal: Float64Array.from(goal),
      startObservation: Float64Array.from(obs.observation),
      startSubgoalState,
      steps: 0,
      envSteps: 0,
      tested,
      keepOriginal,
      rewardSum: 0,
    };
  }

  /** Adds level `level`'s finished HER episode to its buffer, dropping its last window if asked. */
  private commit(level: number, dropLast: boolean): void {
    const items = this.pending[level]!.splice(0);
    if (dropLast) {
      items.pop();
      // The window before the dropped one now ends the episode.
      if (items.length > 0) items[items.length - 1]!.transition.truncated = true;
    }
    for (const { transition, window } of items) this.store(level, transition, window);
  }

  private store(level: number, transition: HerTransition, window?: WindowRecord): void {
    this.agent.levels[level]!.store(transition);
    this.agent.onStore?.({ level, transition, ...(window ? { window } : {}) });
  }

  /** Levels below a tested window act deterministically; in evaluation every level does. */
  private deterministic(level: number): boolean {
    if (this.mode === "eval") return true;
    for (let m = level + 1; m < this.agent.numLevels; m++) if (this.windows[m]?.tested) return true;
    return false;
  }
}

/** Level `i`'s reward for the step: the env's at the top, the subgoal reward below. */
function levelReward(rewards: StepRewards, i: number, n: number): number {
  return i === n - 1 ? rewards.env : rewards.subgoal[i]!;
}
