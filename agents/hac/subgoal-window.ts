/**
 * A window: the life of one subgoal, and the transition its level stores when it closes. This is
 * where HAC's three kinds of transition are made (Levy et al. 2019, Algorithm 1): the *hindsight
 * action transition* (action substitution), the *subgoal testing transition* (the penalty), and
 * the *hindsight goal transitions*, which the HER buffer relabels from the stored row at sample
 * time, carrying `relabelAction`.
 */
import type { GoalObs, StepResult } from "../../sim/core/env.js";
import type { HerTransition } from "../buffers/her-replay-buffer.js";
import type { HacConfig } from "./hac-config.js";
import type { Hac } from "./hac.js";
import { clip, sub } from "./subgoal-space.js";

/** A subgoal in force: one window of the level that set it. */
export interface SubgoalWindow {
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

/** A closed window's transition and its facts. */
export interface WindowTransition {
  transition: HerTransition;
  window: WindowRecord;
}

/** How a window of level `level` ended, at the env step `result`. */
export interface WindowEnd {
  level: number;
  window: SubgoalWindow;
  result: StepResult<GoalObs>;
  /** The subgoal-space state at the window's end. */
  nextState: Float64Array;
  /** The level below reached the subgoal. */
  reached: boolean;
  /** The setting level's reward of the window's last env step. */
  lastReward: number;
  /** The transition ends the level's HER episode (the window of the level above). */
  herEpisodeEnds: boolean;
}

/** Level `end.level`'s transition for a window that just closed: action substitution, tests, variants. */
export function windowTransition(agent: Hac, end: WindowEnd): WindowTransition {
  const { config } = agent;
  const { level, window, result, nextState, reached } = end;
  const actLimit = agent.levels[level]!.actLimit;
  // Hindsight action: the subgoal the level below actually reached, as this level would have
  // had to output it (an offset from the window's start when subgoals are relative).
  const hindsightAction = clip(sub(nextState, config.relativeSubgoals ? window.startSubgoalState : agent.subgoalCenter), actLimit);
  const { storedAction, penalised } = subgoalTestOutcome(config, window, reached);
  const reward = penalised ? agent.penalty : config.highLevelReward === "last" ? end.lastReward : window.rewardSum;
  const top = level === agent.numLevels - 1;
  return {
    transition: {
      observation: window.startObservation,
      desiredGoal: window.goal,
      action: storedAction === "hindsight" ? hindsightAction : window.output,
      // HER's goal-relabelled copies are hindsight goal transitions, built on the hindsight
      // action whatever the real row keeps (HAC's paper, and the author's code).
      relabelAction: config.actionSubstitution ? hindsightAction : window.output,
      reward,
      // Copies: the transition waits in the rollout until its HER episode ends.
      nextObservation: Float64Array.from(result.obs.observation),
      // HER relabels this level's goal: the env's achieved goal at the top, the subgoal space below.
      nextAchievedGoal: top ? Float64Array.from(result.obs.achieved_goal) : nextState,
      terminated: result.terminated,
      truncated: end.herEpisodeEnds,
    },
    window: {
      subgoal: window.subgoal,
      output: window.output,
      hindsightAction,
      tested: window.tested,
      reached,
      penalised,
      storedAction,
      envSteps: window.envSteps,
    },
  };
}

/**
 * Which action a closed window stores, and whether its reward is the subgoal-test penalty, by the
 * subgoal-testing variant (./README.md's table).
 */
function subgoalTestOutcome(
  config: HacConfig,
  window: SubgoalWindow,
  reached: boolean,
): { storedAction: StoredAction; penalised: boolean } {
  const substituted: StoredAction = config.actionSubstitution ? "hindsight" : "original";
  const missedTest = window.tested && !reached;
  switch (config.subgoalTesting) {
    case "a":
      // The post's best, from a bug: a missed test is penalised, yet the stored action is still
      // the hindsight action (which the level below did reach).
      return { storedAction: substituted, penalised: missedTest };
    case "b":
      // HAC as intended: a tested subgoal is stored as commanded, and penalised if missed.
      return { storedAction: window.tested ? "original" : substituted, penalised: missedTest };
    case "c":
      return { storedAction: substituted, penalised: false };
    case "d":
      return { storedAction: window.keepOriginal ? "original" : substituted, penalised: false };
  }
}
