/**
 * Where an experiment's runs agree with the post and where they do not, read off the numbers
 * alone, so that every report says it the same way: each condition's env steps to the threshold
 * against the post's (agreeing when the post's figure lies within the seeds' spread), a failure
 * the post shows against ours, and the order of each condition and the baseline.
 */
import { kSteps } from "./k-steps.js";
import type { Experiment } from "../experiments/experiment-config.js";
import type { RunSummary } from "./experiment-summary.js";

/** A condition's runs as the report has them. */
export interface ComparedCondition {
  label: string;
  /** Its budget. */
  steps: number;
  seeds: readonly RunSummary[];
  meanStepsToThreshold: number | null;
}

/** One line per condition the post gave a figure or a failure for, then the orders against the baseline. */
export function againstThePost(e: Experiment, conditions: readonly ComparedCondition[], threshold: number, baseline: number): string[] {
  const verdicts = conditions.flatMap((c, i) => {
    const verdict = conditionVerdict(c, e.conditions[i]!.post, threshold);
    return verdict === null ? [] : [`${c.label}: ${verdict}`];
  });
  const base = conditions[baseline]!;
  const basePost = e.conditions[baseline]!.post.stepsToThreshold;
  const orders = conditions.flatMap((c, i) => {
    const post = e.conditions[i]!.post.stepsToThreshold;
    if (i === baseline || post === null || basePost === null || post === basePost) return [];
    if (c.meanStepsToThreshold === null || base.meanStepsToThreshold === null) return [];
    const postFirst = post < basePost;
    const agrees = c.meanStepsToThreshold < base.meanStepsToThreshold === postFirst;
    const [first, second] = postFirst ? [c.label, base.label] : [base.label, c.label];
    return [
      `${agrees ? "agrees" : "differs"}: the post has ${first} at ${threshold} before ${second} (${kSteps(postFirst ? post : basePost)} against ${kSteps(postFirst ? basePost : post)}); here ${kSteps(c.meanStepsToThreshold)} for ${c.label} and ${kSteps(base.meanStepsToThreshold)} for ${base.label}`,
    ];
  });
  return [...verdicts, ...orders];
}

function conditionVerdict(c: ComparedCondition, post: Experiment["conditions"][number]["post"], threshold: number): string | null {
  const crossed = c.seeds.flatMap((s) => (s.stepsToThreshold === null ? [] : [s.stepsToThreshold]));
  const underway = c.seeds.some((s) => s.stepsToThreshold === null && s.steps < c.steps);
  const seeds = `${crossed.length} of ${c.seeds.length} seeds`;
  if (post.never === true) {
    if (crossed.length > 0)
      return `differs: the post shows it never reaching ${threshold}; here ${seeds} do (${crossed.map((x) => kSteps(x)).join(", ")})`;
    if (underway) return `not yet: the post shows it never reaching ${threshold}; none of our seeds has so far`;
    return `agrees: never reaches ${threshold} within ${kSteps(c.steps)} on any seed, as the post shows`;
  }
  const p = post.stepsToThreshold;
  if (p === null) return null;
  if (crossed.length < c.seeds.length) {
    if (underway) return `not yet: ${seeds} at ${threshold} so far; the post at ${kSteps(p)}`;
    if (c.steps < p) return `not comparable: the budget (${kSteps(c.steps)}) ends before the post's ${kSteps(p)}`;
    return `differs: ${seeds} reach ${threshold} within ${kSteps(c.steps)}; the post at ${kSteps(p)}`;
  }
  const [lo, hi] = [Math.min(...crossed), Math.max(...crossed)];
  const here = `${threshold} at ${kSteps(c.meanStepsToThreshold)} (${kSteps(lo)}–${kSteps(hi)})`;
  if (lo <= p && p <= hi) return `agrees: ${here}, the post's ${kSteps(p)} within the seeds' spread`;
  const ratio = c.meanStepsToThreshold! / p;
  return `differs: ${here}, ${ratio < 1 ? "sooner" : "later"} than the post's ${kSteps(p)} (${ratio.toFixed(2)}× its env steps)`;
}
