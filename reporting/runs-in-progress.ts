/**
 * The "In progress" line of a results report: the runs still short of their budget, grouped by
 * condition, so that an experiment with many conditions (E7 has eleven) names each once:
 * "Relay: seeds 0 at 203k, 1 at 150k; BC: seed 2 not started".
 */
import { kSteps } from "./k-steps.js";

export interface ConditionProgress {
  label: string;
  budget: number;
  seeds: readonly { seed: number; steps: number }[];
}

/** The line's text, or null when every run has reached its budget. */
export function runsInProgress(conditions: readonly ConditionProgress[]): string | null {
  const short = conditions.map((c) => ({ label: c.label, seeds: c.seeds.filter((s) => s.steps < c.budget) }));
  const count = short.reduce((n, c) => n + c.seeds.length, 0);
  if (count === 0) return null;
  const parts = short.flatMap(({ label, seeds }) => {
    const started = seeds.filter((s) => s.steps > 0).map((s) => `${s.seed} at ${kSteps(s.steps)}`);
    const waiting = seeds.filter((s) => s.steps === 0).map((s) => String(s.seed));
    const groups = [
      ...(started.length === 0 ? [] : [`${plural(started)} ${started.join(", ")}`]),
      ...(waiting.length === 0 ? [] : [`${plural(waiting)} ${listed(waiting)} not started`]),
    ];
    return groups.length === 0 ? [] : [`${label}: ${groups.join(", ")}`];
  });
  return `${count} run(s) short of the budget: ${parts.join("; ")}`;
}

function plural(xs: readonly string[]): string {
  return xs.length === 1 ? "seed" : "seeds";
}

function listed(xs: readonly string[]): string {
  return xs.length === 1 ? xs[0]! : `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)!}`;
}
