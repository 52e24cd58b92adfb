/**
 * The README's zoo table, one row per task and condition, from the zoo's results folders: what a
 * user choosing settings for a Panda task wants at a glance (RL Baselines3 Zoo's benchmark table,
 * with this machine's wall-clock and the expert's rate beside each row).
 */
import { kSteps } from "./k-steps.js";
import { conditionBudget, formatDuration, pct, seedCount, stepsToLevel, type ZooResults } from "./zoo-report.js";

export function zooTable(results: readonly ZooResults[]): string {
  const rows = results.flatMap((r) =>
    r.conditions.map((c) => {
      const steps = conditionBudget(r, c);
      // How far the started runs are; the ones not started show in the seeds column.
      const reached = Math.min(...c.seeds.filter((s) => s.steps > 0).map((s) => s.steps));
      const budget = reached < steps ? `${kSteps(steps)} (runs at ${kSteps(reached)} so far)` : kSteps(steps);
      const success = c.finalSuccess ? `${pct(c.finalSuccess.mean)} (${pct(c.finalSuccess.min)}–${pct(c.finalSuccess.max)})` : "–";
      const goal = r.successGoal === null ? "" : ` / ${pct(r.successGoal)}`;
      return `| [${r.env}](results/zoo/${r.env}/report.md) | ${c.label} | ${budget} | ${seedCount(c)} | ${success}${goal} | ${stepsToLevel(r, c, "0.5", "not reached")} | ${stepsToLevel(r, c, "0.9", "not reached")} | ${formatDuration(c.wallClockS)} | ${r.expert ? pct(r.expert.successRate) : "no expert"} | ${pct(r.floor.successRate)} |`;
    }),
  );
  return [
    "| env | algorithm | budget (env steps) | seeds | final eval success: mean (min–max) / goal | steps to 50% | steps to 90% | wall-clock per run | scripted expert | learned-nothing floor |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
