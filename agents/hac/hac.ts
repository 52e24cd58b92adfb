/**
 * Hierarchical Actor-Critic (Levy et al. 2019, "Learning Multi-Level Hierarchies with
 * Hindsight") as the post's author ran it (`reference/seed-code-notes.md` §3.5): a stack of SAC
 * levels, each with its own HER buffer. The top level's goal is the env's desired goal; every
 * other level's goal is the subgoal the level above it set. The bottom level acts in the env.
 *
 * Words from the paper, used throughout:
 * - a *window* is the life of one subgoal: up to k actions of the level below (k env steps for the
 *   bottom level), cut short when a subgoal is reached (early replan) or the episode ends;
 * - the *hindsight action* is the subgoal the level below actually reached by the window's end,
 *   stored in place of the commanded one (action substitution);
 * - a *subgoal test* is a window in which every level below acts deterministically, so that a
 *   missed subgoal can be blamed on the subgoal and penalised (-k).
 *
 * {@link Hac} holds the learners; {@link HacRollout} is one episode's controller (which subgoals
 * are active, when to replan) and, in training, decides what every buffer stores. Implementation
 * details and the quirk switches: ./README.md.
 */
import { join } from "node:path";
import { mkdirSync, readFileSync } from "node:fs";
import type { GoalEnv, GoalObs, StepResult } from "../../sim/core.js";
import type { Box } from "../../sim/spaces.js";
import { Rng } from "../../sim/rng.js";
import { HerReplayBuffer, goalEnvReward, type GoalRewardFn, type HerBatch, type HerTransition } from "../buffers/her-replay-buffer.js";
import { Sac, type SacMetrics, type SacState, type SupervisedTerm } from "../sac/sac.js";
import type { SacConfig } from "../sac/sac-config.js";
import { writeFileAtomic } from "../run/atomic-write.js";
import type { EvalResult } from "../run/evaluate.js";
import { policyInput } from "../sac/policy-input.js";
import type { EvalObserver } from "../run/eval-observer.js";
import { levelSacConfigs, parseHacConfig, subgoalPenalty, type HacConfig } from "./hac-config.js";
import { ConfigError } from "../config-error.js";

/** What chooses a level's actions: its SAC policy, or a scripted stand-in (tests, experts). */
export interface LevelActor {
  /** Actions for one input row (observation ‖ goal), within the level's action bounds. */
  act(input: Float32Array, deterministic: boolean): Float32Array;
}

/** One level of the stack: its learner, its buffer and its shapes. */
export interface HacLevel {
  /** 0 is the bottom level (env actions); `levels - 1` the top (env goal). */
  readonly index: number;
  sac: Sac;
  buffer: HerReplayBuffer;
  readonly sacConfig: SacConfig;
  /** Size of this level's goal: the env goal at the top, the subgoal space below. */
  readonly goalDim: number;
  readonly actDim: number;
  readonly actLimit: Float64Array;
  /** The reward of (achieved, goal) pairs in this level's goal space; also its HER reward. */
  readonly computeReward: GoalRewardFn;
}

/** How a stored window's action was chosen. */
export type StoredAction = "hindsight" | "original";

/** The facts of a window, attached to the transition it produced (levels above the bottom). */
export interface WindowRecord {
  /** The subgoal commanded, absolute (in the subgoal space). */
  subgoal: Float64Array;
  /** The level's own output: the subgoal, or the offset when subgoals are relative. */
  output: Float64Array;
  /** The action substitution would store: the reached subgoal, in the output's terms. */
  hindsightAction: Float64Array;
  /** Lower levels acted deterministically in this window. */
  tested: boolean;
  /** The level below reached the subgoal by the window's end. */
  reached: boolean;
  /** The reward was replaced by the subgoal-test penalty. */
  penalised: boolean;
  storedAction: StoredAction;
  /** Env steps in the window. */
  envSteps: number;
}

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

export interface HacOptions {
  /** Seeds every level's weights and noise, the buffers' sampling and the variant-d draws. @defaultValue 0 */
  seed?: number;
  /** Capacity of every level's buffer; at most each level's `bufferSize`. @defaultValue bufferSize */
  bufferCapacity?: number;
  /** Scripted actors replacing some levels' policies, by level index. */
  actors?: Readonly<Record<number, LevelActor>>;
}

/** Everything of the agent a checkpoint needs besides the buffers. */
export interface HacAgentState {
  sac: SacState[];
  rng: [number, number, number, number];
  windowCounters: number[];
}

/** Per-level sums of the SAC update metrics since the caller last reset them. */
export interface LevelLosses {
  qf: number;
  pi: number;
  alpha: number;
  updates: number;
}

export class Hac {
  readonly config: HacConfig;
  readonly levels: readonly HacLevel[];
  readonly observationDim: number;
  /** Size of the subgoal space. */
  readonly subgoalDim: number;
  /** Bound of every subgoal and of the subgoal-emitting levels' outputs, per dimension. */
  readonly subgoalLimit: Float64Array;
  /**
   * Middle of the subgoal space, per dimension: an absolute subgoal is `subgoalCenter + output`, so
   * a level's tanh range covers a space that is not centred on 0 (an arm's workspace above its
   * table). 0 for the PointMass spaces and for a numeric `subgoalLimit`.
   */
  readonly subgoalCenter: Float64Array;
  readonly penalty: number;
  /** Called with every transition a buffer receives. */
  onStore: ((stored: StoredTransition) => void) | null = null;
  /**
   * A supervised term for each update of a level (relay learning's finetuning adds its BC loss
   * on a fresh relay batch to every update; agents/rpl). Called once per gradient step.
   */
  supervision: ((level: number) => SupervisedTerm | undefined) | null = null;
  /**
   * Windows each level has opened in training, over the whole run (the subgoal-test clock when
   * `quirks.testCountPerEpisode` is off).
   */
  windowCounters: number[];
  /** Variant d's draws. */
  readonly rng: Rng;

  private readonly actors: Map<number, LevelActor>;
  private readonly batches: HerBatch[];

  constructor(env: GoalEnv, config: unknown = {}, options: HacOptions = {}) {
    this.config = parseHacConfig(config);
    const { levels: n, subgoalSpace } = this.config;
    const seed = options.seed ?? 0;
    const seeds = new Rng(seed);
    this.rng = new Rng(seeds.nextUint32());
    this.observationDim = boxOf(env, "observation").size;
    const subgoalBox = boxOf(env, subgoalSpace);
    this.subgoalDim = subgoalBox.size;
    // A number: that bound about 0. "auto": the author's ENVIRONMENT_BOUNDS, 2.5 about the space's
    // centre, or the space's own half-width where that is tighter. A box: its centre and half-widths.
    const limit = this.config.subgoalLimit;
    if (typeof limit === "number") {
      this.subgoalCenter = new Float64Array(this.subgoalDim);
      this.subgoalLimit = new Float64Array(this.subgoalDim).fill(limit);
    } else {
      if (typeof limit === "object" && (limit.low.length !== this.subgoalDim || limit.high.length !== this.subgoalDim || limit.low.some((lo, d) => lo >= limit.high[d]!))) {
        throw new ConfigError(`Hac: subgoalLimit's low and high need ${this.subgoalDim} values each (the ${subgoalSpace} space), each low below its high`);
      }
      const { low, high } = limit === "auto" ? subgoalBox : limit;
      this.subgoalCenter = Float64Array.from(high, (h, d) => (h + low[d]!) / 2);
      this.subgoalLimit = Float64Array.from(high, (h, d) => (limit === "auto" ? Math.min((h - low[d]!) / 2, 2.5) : (h - low[d]!) / 2));
    }
    if (this.subgoalCenter.some((c) => !Number.isFinite(c))) {
      throw new Error(`Hac: the ${subgoalSpace} space is unbounded; give subgoalLimit a number`);
    }
    this.penalty = subgoalPenalty(this.config);
    const envGoalDim = boxOf(env, "desired_goal").size;
    const sacConfigs = levelSacConfigs(this.config);
    this.levels = sacConfigs.map((sacConfig, index) => {
      const top = index === n - 1;
      const goalDim = top ? envGoalDim : this.subgoalDim;
      const actDim = index === 0 ? env.actionSpace.size : this.subgoalDim;
      const actLimit = index === 0 ? Float64Array.from(env.actionSpace.high) : this.subgoalLimit;
      // The top level is scored on the env goal; every other level on the subgoal space.
      const computeReward = top ? goalEnvReward(env) : goalEnvReward(env, this.subgoalDim);
      const sac = new Sac(this.observationDim + goalDim, actDim, Array.from(actLimit), sacConfig, seeds.nextUint32());
      const buffer = new HerReplayBuffer({
        capacity: Math.min(sacConfig.bufferSize, options.bufferCapacity ?? sacConfig.bufferSize),
        observationDim: this.observationDim,
        goalDim,
        actionDim: actDim,
        computeReward,
        rng: new Rng(seeds.nextUint32()),
        nSampledGoal: this.config.her.nSampledGoal,
        goalSelectionStrategy: this.config.her.strategy,
        faithful: this.config.quirks.herRelabelledRewardZero,
      });
      return { index, sac, buffer, sacConfig, goalDim, actDim, actLimit, computeReward };
    });
    this.batches = this.levels.map((l) => l.buffer.createBatch(l.sacConfig.batchSize));
    this.windowCounters = new Array<number>(n).fill(0);
    this.actors = new Map(Object.entries(options.actors ?? {}).map(([k, v]) => [Number(k), v]));
  }

  get numLevels(): number {
    return this.levels.length;
  }

  /** The actor of `level`: a scripted one if given, else the level's SAC policy. */
  actor(level: number): LevelActor {
    return this.actors.get(level) ?? this.levels[level]!.sac;
  }

  /** Replaces (or, with null, restores) a level's actor. */
  setActor(level: number, actor: LevelActor | null): void {
    if (actor === null) this.actors.delete(level);
    else this.actors.set(level, actor);
  }

  /**
   * Starts an episode from its first observation. `"train"` explores (stochastic policies),
   * runs subgoal tests and stores transitions; `"eval"` acts deterministically at every level
   * and touches no buffer, counter or generator.
   */
  rollout(obs: GoalObs, mode: "train" | "eval"): HacRollout {
    return new HacRollout(this, obs, mode);
  }

  /**
   * The update schedule of the author's code (seed-code-notes §3.2): `updatesPerStep` gradient
   * steps per stored transition at every level, that is per env step at the bottom and per
   * closed window above; none before a level's buffer holds a batch.
   */
  learn(stored: readonly number[], losses?: LevelLosses[]): void {
    this.levels.forEach((level, i) => {
      const due = (stored[i] ?? 0) * level.sacConfig.updatesPerStep;
      if (due === 0 || level.buffer.size < level.sacConfig.batchSize) return;
      for (let u = 0; u < due; u++) {
        const m: SacMetrics = level.sac.update(level.buffer.sampleInto(this.batches[i]!), this.supervision?.(i));
        const l = losses?.[i];
        if (l) {
          l.qf += m.qfLoss;
          l.pi += m.piLoss;
          l.alpha += m.alpha;
          l.updates++;
        }
      }
    });
  }

  getState(): HacAgentState {
    return { sac: this.levels.map((l) => l.sac.getWeights()), rng: this.rng.state, windowCounters: [...this.windowCounters] };
  }

  setState(state: HacAgentState): void {
    if (state.sac.length !== this.levels.length || state.windowCounters.length !== this.levels.length) {
      throw new Error(`Hac.setState: state has ${state.sac.length} levels, the agent ${this.levels.length}`);
    }
    this.levels.forEach((l, i) => l.sac.setWeights(state.sac[i]!));
    this.rng.state = state.rng;
    this.windowCounters = [...state.windowCounters];
  }

  /** Replaces every level's buffer by one saved with `toBytes`. */
  restoreBuffers(bytes: readonly Uint8Array[]): void {
    if (bytes.length !== this.levels.length) throw new Error(`Hac.restoreBuffers: ${bytes.length} buffers for ${this.levels.length} levels`);
    this.levels.forEach((l, i) => {
      const level = l as { buffer: HerReplayBuffer };
      level.buffer = HerReplayBuffer.fromBytes(bytes[i]!, l.computeReward, level.buffer.capacity);
      this.batches[i] = level.buffer.createBatch(l.sacConfig.batchSize);
    });
  }

  /** Writes `dir/hac.json` and each level's policy and SAC state to `dir/level-<i>/`. */
  async save(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    for (const level of this.levels) {
      const goal = level.index === this.levels.length - 1 ? "desired_goal" : "subgoal";
      await level.sac.save(join(dir, `level-${level.index}`), [{ key: "observation", size: this.observationDim }, { key: goal, size: level.goalDim }]);
    }
    writeFileAtomic(join(dir, "hac.json"), `${JSON.stringify({ format: "rapier-gym-hac/1", config: this.config }, null, 2)}\n`);
  }

  /** An agent for `env` with the weights {@link save} wrote to `dir`. */
  static async load(dir: string, env: GoalEnv): Promise<Hac> {
    const file = JSON.parse(readFileSync(join(dir, "hac.json"), "utf8")) as { format?: string; config?: unknown };
    if (file.format !== "rapier-gym-hac/1") throw new Error(`${dir}/hac.json is not a rapier-gym HAC agent`);
    // A policy needs no replay room: the smallest buffers will do.
    const agent = new Hac(env, file.config, { bufferCapacity: 1 });
    for (const level of agent.levels) {
      const loaded = await Sac.load(join(dir, `level-${level.index}`));
      level.sac.dispose();
      level.sac = loaded;
    }
    return agent;
  }

  dispose(): void {
    for (const l of this.levels) l.sac.dispose();
  }
}

/** A subgoal in force: one window of the level that set it. */
interface Plan {
  /** Absolute subgoal, the goal of the level below. */
  subgoal: Float64Array;
  /** The setting level's output (an offset when subgoals are relative), clipped to its bound. */
  output: Float64Array;
  /** The goal the setting level pursued when it chose this subgoal. */
  goal: Float64Array;
  startObservation: Float64Array;
  /** The subgoal-space state at the window's start (relative subgoals are offsets from it). */
  startSubgoalState: Float64Array;
  /** Actions of the level below so far. */
  steps: number;
  envSteps: number;
  tested: boolean;
  /** Variant d: store the commanded subgoal for this window. */
  keepOriginal: boolean;
  /** Sum of the setting level's per-step rewards over the window (`highLevelReward: "sum"`). */
  rewardSum: number;
}

/** A level's transitions of its current HER episode, held until that episode ends. */
interface Pending {
  transition: HerTransition;
  window: WindowRecord;
}

/**
 * One episode of the hierarchy. Call {@link act} with each observation and {@link step} with
 * what the env returned for that action.
 */
export class HacRollout {
  /** `plans[i]` is the subgoal level i set for level i - 1 (index 0 unused). */
  private readonly plans: (Plan | null)[];
  private readonly pending: Pending[][];
  private readonly counters: number[];
  private obs: GoalObs;
  private readonly k: number;

  constructor(
    readonly agent: Hac,
    firstObs: GoalObs,
    readonly mode: "train" | "eval",
  ) {
    const n = agent.numLevels;
    this.plans = new Array<Plan | null>(n).fill(null);
    this.pending = Array.from({ length: n }, () => []);
    // The subgoal-test clock: per episode (the author's) or over the run (shared with the agent).
    this.counters = agent.config.quirks.testCountPerEpisode ? new Array<number>(n).fill(0) : agent.windowCounters;
    this.obs = firstObs;
    this.k = agent.config.replanInterval;
  }

  /** The subgoal level `level` (>= 1) has set, or null between windows. */
  subgoal(level: number): Float64Array | null {
    return this.plans[level]?.subgoal ?? null;
  }

  /**
   * The env action for `obs`. Levels whose subgoal has expired choose a new one first, top
   * down. `lowAction` replaces the bottom level's action (the random warm-up).
   */
  act(obs: GoalObs, lowAction?: Float64Array): Float64Array {
    this.obs = obs;
    for (let i = this.agent.numLevels - 1; i >= 1; i--) if (this.plans[i] === null) this.plans[i] = this.plan(i, obs);
    if (lowAction !== undefined) return Float64Array.from(lowAction);
    return Float64Array.from(this.agent.actor(0).act(policyInput(obs, this.plans[1]!.subgoal), this.deterministic(0)));
  }

  /**
   * Takes the env's answer to the last action: closes the windows that end here (bottom up) and,
   * in training, stores every level's transitions.
   */
  step(action: ArrayLike<number>, result: StepResult<GoalObs>): HacStepEvents {
    const { agent, plans, k } = this;
    const n = agent.numLevels;
    const { earlyReplan } = agent.config;
    const train = this.mode === "train";
    const prev = this.obs;
    const next = result.obs;
    const nextState = subgoalState(next, agent);
    const episodeEnd = result.terminated || result.truncated;
    const window1 = plans[1];
    if (window1 === null || window1 === undefined) throw new Error("HacRollout.step: call act() before step()");

    // The reward of every level below the top against its goal (the subgoal set from above),
    // by the env's own computeReward: sparse rewards are >= 0 exactly when the subgoal is reached.
    const subgoalReward: number[] = [];
    for (let j = 0; j < n - 1; j++) subgoalReward.push(agent.levels[j]!.computeReward(nextState, plans[j + 1]!.subgoal)[0]!);
    const reached = subgoalReward.map((r) => r >= 0);
    const levelReward = (i: number): number => (i === n - 1 ? result.reward : subgoalReward[i]!);
    for (let i = 1; i < n; i++) {
      plans[i]!.rewardSum += levelReward(i);
      plans[i]!.envSteps++;
    }

    // Which windows close, bottom up. Window i (the subgoal of level i) closes after k actions of
    // level i - 1, at the episode's end, or (early replan) when its subgoal or any subgoal above
    // it is reached. A closed window is one action of level i, which may close window i + 1.
    const closes = new Array<boolean>(n).fill(false);
    window1.steps++;
    for (let i = 1; i < n; i++) {
      const plan = plans[i]!;
      closes[i] = episodeEnd || plan.steps >= k || (earlyReplan && reached.slice(i - 1).some(Boolean));
      if (!closes[i]) break;
      if (i + 1 < n) plans[i + 1]!.steps++;
    }

    const stored = new Array<number>(n).fill(0);
    const closed: ClosedWindow[] = [];
    if (train) {
      // Bottom level: one transition per env step, goal = the subgoal, achieved = the
      // subgoal-space slice. Each window is its own HER episode ("future" goals stay inside it),
      // so the window's last step is marked truncated: it ends the episode but bootstraps.
      const low = agent.config.quirks.lowLevelEnvReward ? result.reward : subgoalReward[0]!;
      this.store(0, {
        observation: prev.observation,
        desiredGoal: window1.subgoal,
        action,
        reward: low,
        nextObservation: next.observation,
        nextAchievedGoal: nextState,
        terminated: result.terminated,
        truncated: closes[1]! || result.truncated,
      });
      stored[0] = 1;
    }
    for (let i = 1; i < n && closes[i]; i++) {
      const plan = plans[i]!;
      closed.push({ level: i, reached: reached[i - 1]!, tested: plan.tested, envSteps: plan.envSteps });
      if (!train) continue;
      // This level's HER episode is the window of the level above (the whole env episode at the top).
      const herEpisodeEnds = i === n - 1 ? episodeEnd : closes[i + 1]!;
      const { transition, window } = this.windowTransition(i, plan, result, nextState, reached[i - 1]!, levelReward(i), herEpisodeEnds);
      this.pending[i]!.push({ transition, window });
      // The author stored a window only at the next replan, so an episode's last one was lost.
      const dropLast = episodeEnd && agent.config.quirks.dropLastWindow;
      if (!dropLast) stored[i] = 1;
      if (herEpisodeEnds) this.commit(i, dropLast);
    }
    for (let i = 1; i < n && closes[i]; i++) plans[i] = null;
    this.obs = next;
    return { stored, closed };
  }

  /** Level `level` chooses the subgoal for the level below, opening a window. */
  private plan(level: number, obs: GoalObs): Plan {
    const { agent } = this;
    const { config } = agent;
    const top = level === agent.numLevels - 1;
    const goal = top ? obs.desired_goal : this.plans[level + 1]!.subgoal;
    const actLimit = agent.levels[level]!.actLimit;
    const raw = agent.actor(level).act(policyInput(obs, goal), this.deterministic(level));
    const output = clip(Float64Array.from(raw), actLimit);
    const startSubgoalState = subgoalState(obs, agent);
    // A relative subgoal is an offset from where the window starts, fixed for the window.
    const subgoal = config.relativeSubgoals ? clipAbout(add(startSubgoalState, output), agent.subgoalCenter, agent.subgoalLimit) : add(agent.subgoalCenter, output);
    let tested = false;
    let keepOriginal = false;
    if (this.mode === "train") {
      const testing = config.subgoalTesting === "a" || config.subgoalTesting === "b";
      // A window inside a tested window is tested too: everything below a test is deterministic.
      const parentTested = !top && this.plans[level + 1]!.tested;
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

  /** Level `level`'s transition for a window that just closed: action substitution, tests, variants. */
  private windowTransition(
    level: number,
    plan: Plan,
    result: StepResult<GoalObs>,
    nextState: Float64Array,
    reached: boolean,
    lastReward: number,
    herEpisodeEnds: boolean,
  ): Pending {
    const { agent } = this;
    const { config } = agent;
    const actLimit = agent.levels[level]!.actLimit;
    // Hindsight action: the subgoal the level below actually reached, as this level would have
    // had to output it (an offset from the window's start when subgoals are relative).
    const hindsightAction = clip(sub(nextState, config.relativeSubgoals ? plan.startSubgoalState : agent.subgoalCenter), actLimit);
    let storedAction: StoredAction = config.actionSubstitution ? "hindsight" : "original";
    let reward = config.highLevelReward === "last" ? lastReward : plan.rewardSum;
    let penalised = false;
    switch (config.subgoalTesting) {
      case "a":
        // The post's best, from a bug: a missed test is penalised, yet the stored action is still
        // the hindsight action (which the level below did reach).
        if (plan.tested && !reached) [reward, penalised] = [agent.penalty, true];
        break;
      case "b":
        // HAC as intended: a tested subgoal is stored as commanded, and penalised if missed.
        if (plan.tested) {
          storedAction = "original";
          if (!reached) [reward, penalised] = [agent.penalty, true];
        }
        break;
      case "c":
        break;
      case "d":
        if (plan.keepOriginal) storedAction = "original";
        break;
    }
    const top = level === agent.numLevels - 1;
    return {
      transition: {
        observation: plan.startObservation,
        desiredGoal: plan.goal,
        action: storedAction === "hindsight" ? hindsightAction : plan.output,
        // HER's goal-relabelled copies are hindsight goal transitions, built on the hindsight
        // action whatever the real row keeps (HAC's paper, and the author's code).
        relabelAction: config.actionSubstitution ? hindsightAction : plan.output,
        reward,
        // Copies: the transition waits in `pending` until its HER episode ends.
        nextObservation: Float64Array.from(result.obs.observation),
        // HER relabels this level's goal: the env's achieved goal at the top, the subgoal space below.
        nextAchievedGoal: top ? Float64Array.from(result.obs.achieved_goal) : nextState,
        terminated: result.terminated,
        truncated: herEpisodeEnds,
      },
      window: {
        subgoal: plan.subgoal,
        output: plan.output,
        hindsightAction,
        tested: plan.tested,
        reached,
        penalised,
        storedAction,
        envSteps: plan.envSteps,
      },
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
    this.agent.levels[level]!.buffer.add(transition);
    this.agent.onStore?.({ level, transition, ...(window ? { window } : {}) });
  }

  /** Levels below a tested window act deterministically; in evaluation every level does. */
  private deterministic(level: number): boolean {
    if (this.mode === "eval") return true;
    for (let m = level + 1; m < this.agent.numLevels; m++) if (this.plans[m]?.tested) return true;
    return false;
  }
}

/** What one evaluation of a hierarchy measured. */
export interface HacEvalResult extends EvalResult {
  /** Share of the bottom level's windows whose subgoal was reached. */
  subgoalReached: number;
  /**
   * Share of episodes with `info.is_success` at some step. With one goal's sparse -1/0 reward this
   * is the post's "return > -200"; that test is not used, because with several goals (Push2's -2,
   * -1 or 0) a return above -(length) does not mean every goal was ever achieved.
   */
  reachedOnce: number;
}

/**
 * Runs `episodes` deterministic episodes, seeding episode i with `seed + i` (as
 * `evaluatePolicy`). Success is `info.is_success` at the last step.
 */
export function evaluateHac(agent: Hac, env: GoalEnv, episodes: number, seed: number, observer?: EvalObserver): HacEvalResult {
  let returns = 0;
  let successes = 0;
  let reachedOnce = 0;
  let windows = 0;
  let reached = 0;
  for (let ep = 0; ep < episodes; ep++) {
    let { obs } = env.reset({ seed: seed + ep });
    const rollout = agent.rollout(obs, "eval");
    observer?.onReset(env, obs, seed + ep);
    let episodeReturn = 0;
    let achieved = false;
    for (;;) {
      const action = rollout.act(obs);
      // The subgoal this action pursued, read before step() may close its window.
      const subgoal = observer ? rollout.subgoal(1) : null;
      const r = env.step(action);
      const events = rollout.step(action, r);
      for (const w of events.closed) if (w.level === 1) [windows, reached] = [windows + 1, reached + (w.reached ? 1 : 0)];
      episodeReturn += r.reward;
      achieved ||= r.info.is_success === true;
      obs = r.obs;
      observer?.onStep(env, obs, subgoal);
      if (r.terminated || r.truncated) {
        if (r.info.is_success) successes++;
        if (achieved) reachedOnce++;
        break;
      }
    }
    returns += episodeReturn;
    observer?.onEpisodeEnd();
  }
  return { meanReturn: returns / episodes, successRate: successes / episodes, episodes, subgoalReached: windows > 0 ? reached / windows : 0, reachedOnce: reachedOnce / episodes };
}

/** The subgoal-space slice of an observation (a copy). */
function subgoalState(obs: GoalObs, agent: Hac): Float64Array {
  return Float64Array.from(obs[agent.config.subgoalSpace]);
}

function boxOf(env: GoalEnv, key: string): Box {
  const space = env.observationSpace.spaces[key];
  if (space?.type !== "Box") throw new Error(`${env.unwrapped.toString()} has no Box observation key "${key}"`);
  return space;
}

function clip(v: Float64Array, limit: Float64Array): Float64Array {
  for (let d = 0; d < v.length; d++) v[d] = Math.min(limit[d]!, Math.max(-limit[d]!, v[d]!));
  return v;
}

/** `v` clipped to `center ± limit`, per dimension. */
function clipAbout(v: Float64Array, center: Float64Array, limit: Float64Array): Float64Array {
  for (let d = 0; d < v.length; d++) v[d] = Math.min(center[d]! + limit[d]!, Math.max(center[d]! - limit[d]!, v[d]!));
  return v;
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((x, d) => x + b[d]!);
}

function sub(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((x, d) => x - b[d]!);
}
