/**
 * What `rapier-gym experiment` will do, decided before anything is done: every condition × seed
 * as a run with its directory and config, the conditions asked for, and the `train` command line
 * that takes a run on from where it stands. The planner writes nothing; it reads only what
 * earlier invocations left (the results folder's copies of metrics, the run directories).
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError } from "../agents/config-error.js";
import { runBudget } from "../agents/run/run-dir.js";
import { conditionSteps, sharedRunsCondition, slug, type Experiment } from "../experiments/experiment-config.js";
import { keptRun, keptUnder } from "../reporting/kept-metrics.js";
import { demoPaths, withDemoPaths } from "./experiment-demos.js";
import { lastStep } from "./experiment-progress.js";

export interface PlannedRun {
  label: string;
  seed: number;
  /** The env steps it trains to: its condition's budget (conditionSteps). */
  steps: number;
  dir: string;
  /** Beside the run: the config it trains under, which `train --config` reads. */
  configFile: string;
  /** The condition's config, as the experiment gives it (demo sets by name). */
  config: Record<string, unknown>;
  /** The config with demo sets as paths: what is written to configFile. */
  runConfig: unknown;
  /** Done already by the results folder's copy of its metrics (--skip-reported): trained no further. */
  reported: boolean;
}

export interface PlanInput {
  experiment: Experiment;
  seeds: number;
  steps: number;
  runsDir: string;
  resultsDir: string;
  /** Demo set name -> path. */
  demoFiles: Record<string, string>;
  /** Finds the experiment a `sameRunsAs` condition names. */
  load: (id: string) => Experiment;
  skipReported: boolean;
}

/**
 * Every trained condition's runs, seed-major: every condition's seed 0 comes before any seed 1,
 * so that a partial experiment (stopped, or still running across sittings) already compares all
 * its conditions.
 */
export function planRuns({ experiment: e, seeds, steps, runsDir, resultsDir, demoFiles, load, skipReported }: PlanInput): PlannedRun[] {
  const trained = e.conditions.filter((c) => c.runsOf === undefined);
  // A sameRunsAs condition's runs, and the demo sets its config names, are the other experiment's.
  const homes = new Map(
    trained.map((c) => {
      if (c.sameRunsAs === undefined) return [c.label, { prefix: join(runsDir, slug(c.label)), demoFiles }];
      const shared = sharedRuns(e, c, load, runsDir);
      return [
        c.label,
        { prefix: join(shared.runsDir, slug(shared.condition.label)), demoFiles: demoPaths(shared.experiment, shared.runsDir) },
      ];
    }),
  );
  return Array.from({ length: seeds }, (_, seed) =>
    trained.map((c) => {
      const home = homes.get(c.label)!;
      const dir = `${home.prefix}-seed${seed}`;
      const kept = keptRun(resultsDir, c.label, seed);
      const runSteps = conditionSteps(c, steps);
      const reported = skipReported && keptUnder(kept, c.config) && lastStep(kept.metrics) >= runSteps;
      return {
        label: c.label,
        seed,
        steps: runSteps,
        dir,
        configFile: `${dir}.config.json`,
        config: c.config,
        runConfig: withDemoPaths(c.config, home.demoFiles),
        reported,
      };
    }),
  ).flat();
}

/**
 * The CLI arguments that train `run` on from where it stands now; none once it is done. Read
 * afresh each time: another invocation may have trained it since.
 */
export function trainArgs(run: PlannedRun, env: string): string[] {
  if (run.reported) return [];
  const { dir, steps } = run;
  const started = existsSync(join(dir, "config.json"));
  // A run started with a smaller budget is extended to this one (train --resume --steps).
  const budget = started ? runBudget(dir) : steps;
  const extend = budget < steps ? ["--steps", String(steps)] : [];
  // Another experiment's run with a larger budget (sameRunsAs) is done for this one once it
  // has passed this budget, finished or not.
  const passed = budget > steps && lastStep(join(dir, "metrics.jsonl")) >= steps;
  const finished =
    passed || (extend.length === 0 && (existsSync(join(dir, "policy", "sac.json")) || existsSync(join(dir, "policy", "hac.json"))));
  if (finished) return [];
  // A run with a larger budget (another experiment's, or started at a larger --steps) stops at this one's.
  const stopAt = budget > steps ? ["--stop-at", String(steps)] : [];
  if (started) return ["train", "--resume", "--out", dir, ...extend, ...stopAt];
  return [
    "train",
    "--algo",
    String(run.config["algo"]),
    "--env",
    env,
    "--steps",
    String(steps),
    "--seed",
    String(run.seed),
    "--config",
    run.configFile,
    "--out",
    dir,
  ];
}

/**
 * The labels of the training conditions `names` picks (each a label or a label's slug); every one
 * when there are none. An unknown name is refused with the names there are.
 */
export function chosenConditions(e: Experiment, names: readonly string[] | undefined): Set<string> {
  const trained = e.conditions.filter((c) => c.runsOf === undefined).map((c) => c.label);
  if (names === undefined || names.length === 0) return new Set(trained);
  return new Set(
    names.map((name) => {
      const label = trained.find((l) => l === name || slug(l) === name);
      if (label === undefined)
        throw new ConfigError(
          `${e.id} has no condition "${name}"; its conditions (label, or the slug its runs are named by): ${trained.map((l) => `"${l}" (${slug(l)})`).join(", ")}`,
        );
      return label;
    }),
  );
}

/**
 * Whose runs condition `c` (`sameRunsAs`) reads: the other experiment's condition with the same
 * env and config, and that experiment's runs folder (beside `runsDir`, or beside its file).
 */
export function sharedRuns(
  e: Experiment,
  c: Experiment["conditions"][number],
  load: (id: string) => Experiment,
  runsDir: string,
): { experiment: Experiment; condition: Experiment["conditions"][number]; runsDir: string } {
  const shared = sharedRunsCondition(e, c, load);
  return { ...shared, runsDir: shared.runsDir ?? join(dirname(runsDir), shared.experiment.id) };
}
