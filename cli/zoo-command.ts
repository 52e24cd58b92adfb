/**
 * `rapier-gym zoo [<env-id>...]`: each Panda task's tuned SAC + HER config (experiments/zoo/),
 * trained over its seeds through `rapier-gym experiment`'s runner (resumable, one process per core,
 * or a Slurm job array), and reported with the success rates a manipulation table gives: final
 * eval success, env steps to 50% and 90%, wall-clock, beside the scripted expert's rate and the
 * rate of a policy that has learned nothing. `--table` writes the README's table from the
 * reports; `--ship` copies each task's best finished run into policies/, where `npm start` shows it.
 */
import { cpSync, existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../agents/run/atomic-write.js";
import { referenceRates } from "../agents/experts/reference-rates.js";
import { loadExperiment, slug, type Experiment } from "../experiments/experiment-config.js";
import { ZOO_DIR, zooFile, zooIds } from "../experiments/zoo-entries.js";
import { RESULTS_DIR } from "../reporting/experiment-report.js";
import { writeZooResults, zooResults, type ZooResults } from "../reporting/zoo-report.js";
import { zooTable } from "../reporting/zoo-table.js";
import { make } from "../sim/index.js";
import { runExperiment, type ExperimentArgs } from "./experiment-command.js";
import type { PlannedRun } from "./experiment-plan.js";
import { reportableRuns } from "./experiment-results.js";

const REPO_ROOT = dirname(RESULTS_DIR.replace(/\/$/, ""));

/** Where the zoo reads and writes; the repository's own folders but in tests. */
export interface ZooPaths {
  /** The entries, `<env-id>.json`; each entry's runs go to `runs/<env-id>/` beside them. */
  entries: string;
  /** One results folder per entry, `<env-id>/`. */
  results: string;
  /** The file whose zoo table `--table` rewrites. */
  readme: string;
  /** Where `--ship` puts each task's best run. */
  policies: string;
}

export const ZOO_PATHS: ZooPaths = {
  entries: ZOO_DIR,
  results: join(RESULTS_DIR, "zoo"),
  readme: join(REPO_ROOT, "README.md"),
  policies: join(REPO_ROOT, "policies"),
};
/** Episodes, and the first seed, of the expert's and the floor's evaluations. */
const REFERENCE_EPISODES = 100;
const REFERENCE_SEED = 2_000_000;

export interface ZooArgs extends Pick<ExperimentArgs, "seeds" | "steps" | "jobs" | "conditions" | "reportOnly" | "slurm" | "skipReported"> {
  /** Env ids; all the zoo's when empty. */
  envs: readonly string[];
  /** Write the README's zoo table from the results folders, training nothing. */
  table?: boolean;
  /** Copy each task's best finished run into policies/, training nothing. */
  ship?: boolean;
}

export async function runZoo(a: ZooArgs, paths: ZooPaths = ZOO_PATHS): Promise<number> {
  const envs = a.envs.length > 0 ? a.envs : zooIds(paths.entries);
  const files = envs.map((env) => zooFile(env, paths.entries)); // an unknown id fails before anything trains
  if (a.table === true) return writeReadmeTable(paths);
  if (a.ship === true) return shipPolicies(envs, paths);
  for (const [i, env] of envs.entries()) {
    const code = await runExperiment({
      id: files[i]!,
      ...pick(a),
      resultsDir: join(paths.results, env),
      report: reportZoo,
    });
    if (code !== 0) return code;
  }
  return 0;
}

function pick(a: ZooArgs): Partial<ExperimentArgs> {
  const { seeds, steps, jobs, conditions, reportOnly, slurm, skipReported } = a;
  return Object.fromEntries(
    Object.entries({ seeds, steps, jobs, conditions, reportOnly, slurm, skipReported }).filter(([, v]) => v !== undefined),
  );
}

/** The zoo's report step: the runs as an experiment reads them, the reference rates measured afresh. */
function reportZoo(e: Experiment, plan: readonly PlannedRun[], steps: number, resultsDir: string): string[] {
  const conditions = reportableRuns(e, plan, steps, resultsDir);
  const env = make(e.env);
  try {
    const refs = referenceRates(env, e.env, REFERENCE_EPISODES, REFERENCE_SEED);
    return writeZooResults(resultsDir, e, zooResults(e, steps, conditions, refs), conditions, new Date().toISOString().slice(0, 10));
  } finally {
    env.close();
  }
}

const TABLE_START = "<!-- zoo-table:start (written by `rapier-gym zoo --table`) -->";
const TABLE_END = "<!-- zoo-table:end -->";

function writeReadmeTable(paths: ZooPaths): number {
  const summaries = zooIds(paths.entries).flatMap((id) => {
    const file = join(paths.results, id, "summary.json");
    return existsSync(file) ? [JSON.parse(readFileSync(file, "utf8")) as ZooResults] : [];
  });
  const { readme } = paths;
  const text = readFileSync(readme, "utf8");
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${readme} has no zoo table markers (${TABLE_START} … ${TABLE_END})`);
  writeFileAtomic(readme, `${text.slice(0, start + TABLE_START.length)}\n${zooTable(summaries)}\n${text.slice(end)}`);
  process.stderr.write(`${readme}: the zoo table, from ${summaries.length} results folder(s)\n`);
  return 0;
}

/**
 * For each env, the finished run with the best final eval success over every condition (on a tie,
 * the earlier condition's, then the lower seed's) goes to policies/<env>-<algo>/ (config,
 * metrics, policy; not its checkpoints, which hold the buffer), replacing what was shipped there
 * before. A policy this entry shipped under another of its algorithms goes, so that `npm start`
 * shows one learnt agent per task.
 */
function shipPolicies(envs: readonly string[], paths: ZooPaths): number {
  for (const env of envs) {
    const file = zooFile(env, paths.entries);
    const e = loadExperiment(file);
    const summaryFile = join(paths.results, env, "summary.json");
    if (!existsSync(summaryFile)) throw new Error(`${env}: no results yet (${summaryFile}); run \`rapier-gym zoo ${env}\` first`);
    const { conditions } = JSON.parse(readFileSync(summaryFile, "utf8")) as ZooResults;
    const runsDir = join(dirname(file), "runs", e.id);
    const finished = conditions
      .flatMap((c, order) => c.seeds.map((s) => ({ ...s, order, algo: c.algo, dir: join(runsDir, `${slug(c.label)}-seed${s.seed}`) })))
      .filter((s) => existsSync(join(s.dir, "policy", "policy.onnx")) && Number.isFinite(s.finalSuccess))
      .sort((x, y) => y.finalSuccess - x.finalSuccess || x.order - y.order || x.seed - y.seed);
    const best = finished[0];
    if (best === undefined) throw new Error(`${env}: no finished run with a policy in ${runsDir}`);
    const target = join(paths.policies, `${slug(env)}-${best.algo}`);
    // Copied whole beside the target, then swapped in: a crash leaves the old policy or the new one.
    const staged = `${target}.shipping-${process.pid}`;
    rmSync(staged, { recursive: true, force: true });
    for (const name of ["config.json", "metrics.jsonl", "policy"]) cpSync(join(best.dir, name), join(staged, name), { recursive: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(staged, target);
    for (const algo of new Set(conditions.map((c) => c.algo))) {
      if (algo !== best.algo) rmSync(join(paths.policies, `${slug(env)}-${algo}`), { recursive: true, force: true });
    }
    process.stderr.write(`${env}: seed ${best.seed} (final eval success ${(100 * best.finalSuccess).toFixed(0)}%) -> ${target}\n`);
  }
  return 0;
}
