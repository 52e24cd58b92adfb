/**
 * Every `rapier-gym` command: its options, its help and how it runs, in one table that the parser
 * (parse-command-line.ts), the usage text (usage.ts) and main all read, so that a flag the parser
 * takes is always in the usage, the usage names no flag the parser refuses, and adding a command
 * is adding an entry. Each command's module is loaded only when it runs, so that `rapier-gym envs`
 * never pays for tfjs.
 */
import { BENCH_SUITES } from "../bench/suites.js";
import type { ServerLimits } from "../server/limits.js";
import { cliCommand, type CliCommand } from "./cli-command.js";
import { BACKEND_NAMES, backendName, integer, jsonObject, listenArgs, positiveInt } from "./option-values.js";
import { UsageError } from "./usage-error.js";
import type { SubmitOptions } from "./experiment-slurm.js";
import type { ExperimentArgs } from "./experiment-command.js";

const backend = { type: "string", value: BACKEND_NAMES.join("|") } as const;
const seed = { type: "string", default: "0", value: "S" } as const;

/** The flags of every command that listens: serve, demo. */
const listenOptions = {
  host: { type: "string", default: "127.0.0.1" },
  port: { type: "string", default: "8765" },
  token: { type: "string", value: "T" },
} as const;

/** The options `experiment` and `zoo` share: which runs, how many at once, report only, or to Slurm. */
const runOptions = {
  seeds: { type: "string", value: "N" },
  steps: { type: "string", value: "N" },
  jobs: { type: "string", value: "N" },
  condition: { type: "string", multiple: true, value: "LABEL" },
  report: { type: "boolean" },
  slurm: { type: "boolean" },
  partition: { type: "string", value: "P" },
  time: { type: "string", value: "HH:MM:SS" },
  "cpus-per-task": { type: "string", value: "N" },
  "sbatch-arg": { type: "string", multiple: true, value: "ARG" },
  "dry-run": { type: "boolean" },
} as const;

export const COMMANDS = {
  envs: cliCommand({
    options: { json: { type: "boolean", default: false } },
    help: "list the registered envs, their spaces and episode lengths",
    async run({ values }) {
      const { listEnvs } = await import("./envs-command.js");
      listEnvs(values.json);
      return 0;
    },
  }),
  robot: cliCommand({
    positionals: "<name>",
    options: { fk: { type: "string", value: "q1,...,qn" } },
    help: "a robot's joints and limits (panda); with --fk its flange pose at those joint angles",
    async run({ values, positionals }) {
      const { runRobot } = await import("./robot-command.js");
      return runRobot(positionals[0], values.fk);
    },
  }),
  demo: cliCommand({
    options: {
      ...listenOptions,
      seed,
      policies: { type: "string", default: "policies", value: "DIR" },
      recordings: { type: "string", multiple: true, value: "FILE" },
    },
    help: "the viewer with agents acting live: the shipped policies (policies/) and the scripted expert; prints the URL (npm start)",
    async run({ values }) {
      const { runDemo } = await import("./demo-command.js");
      return runDemo({
        ...(await listenArgs("demo", values)),
        limits: {},
        seed: integer(values.seed, "--seed"),
        policies: values.policies,
        ...(values.recordings !== undefined ? { recordings: values.recordings } : {}),
      });
    },
  }),
  train: cliCommand({
    options: {
      env: { type: "string", value: "ID" },
      steps: { type: "string", value: "N" },
      // No defaults here: a --config file's algo and seed come before "sac" and 0 (train-command.ts).
      algo: { type: "string", value: "sac|hac|rpl" },
      preset: { type: "string", value: "seed|sb3" },
      seed: { type: "string", value: "S" },
      out: { type: "string", value: "DIR" },
      config: { type: "string", value: "FILE" },
      demos: { type: "string", value: "FILE" },
      backend,
      threads: { type: "string", default: "1", value: "N" },
      resume: { type: "boolean", default: false },
      "stop-at": { type: "string", value: "N" },
      remote: { type: "string", value: "ws://HOST:PORT" },
      token: { type: "string", value: "T" },
      serve: { type: "boolean", default: false },
      port: { type: "string", default: "8765" },
    },
    help: 'train SAC + HER, HAC or relay learning (rpl, needs --demos) on --env for --steps env steps (flags win over the fields of a --config file, whose algo and seed win over the defaults sac and 0); sac with --demos is the "BC one layer" baseline; --resume continues the run in --out (with --steps, to a larger budget; with --stop-at N, only to the end of the episode that reaches step N, with a checkpoint); --remote steps the envs on a rapier-gym server (--token for one that needs it); --serve shows its evaluation rollouts and curves in the viewer on --port; the learner runs on ONNX Runtime (--backend ort, the default where it loads; --threads N intra-op threads, default 1 as experiment runs one process per core) or tfjs (wasm, cpu, node)',
    async run({ values }) {
      const { runTrain } = await import("./train-command.js");
      return runTrain({
        ...(values.env !== undefined ? { env: values.env } : {}),
        ...(values.algo !== undefined ? { algo: values.algo } : {}),
        ...(values.preset !== undefined ? { preset: values.preset } : {}),
        ...(values.steps !== undefined ? { steps: positiveInt(values.steps, "--steps") } : {}),
        ...(values.seed !== undefined ? { seed: integer(values.seed, "--seed") } : {}),
        ...(values.out !== undefined ? { out: values.out } : {}),
        ...(values.config !== undefined ? { config: values.config } : {}),
        ...(values.backend !== undefined ? { backend: backendName(values.backend) } : {}),
        threads: positiveInt(values.threads, "--threads"),
        resume: values.resume,
        ...(values["stop-at"] !== undefined ? { stopAt: positiveInt(values["stop-at"], "--stop-at") } : {}),
        ...(values.remote !== undefined ? { remote: values.remote } : {}),
        ...(values.token !== undefined ? { token: values.token } : {}),
        ...(values.demos !== undefined ? { demos: values.demos } : {}),
        ...(values.serve ? { servePort: (await listenArgs("train --serve", { host: "127.0.0.1", port: values.port })).port } : {}),
      });
    },
  }),
  collect: cliCommand({
    options: {
      env: { type: "string", required: true, value: "ID" },
      source: { type: "string", required: true, value: "expert|RUN_DIR" },
      episodes: { type: "string", oneOf: "amount", value: "N" },
      steps: { type: "string", oneOf: "amount", value: "N" },
      out: { type: "string", required: true, value: "FILE" },
      "env-kwargs": { type: "string", value: "JSON" },
      "max-ep-len": { type: "string", default: "100" },
      seed,
      backend,
    },
    help: "demonstrations for relay learning and BC: the successful episodes of the expert or of a flat run's policy (agents/demos/README.md)",
    async run({ values }) {
      const { runCollect } = await import("./collect-command.js");
      return runCollect({
        env: values.env,
        ...(values["env-kwargs"] !== undefined ? { envKwargs: jsonObject(values["env-kwargs"], "--env-kwargs") } : {}),
        source: values.source,
        ...(values.episodes !== undefined ? { episodes: positiveInt(values.episodes, "--episodes") } : {}),
        ...(values.steps !== undefined ? { steps: positiveInt(values.steps, "--steps") } : {}),
        maxEpLen: positiveInt(values["max-ep-len"], "--max-ep-len"),
        seed: integer(values.seed, "--seed"),
        out: values.out,
        ...(values.backend !== undefined ? { backend: backendName(values.backend) } : {}),
      });
    },
  }),
  eval: cliCommand({
    options: {
      run: { type: "string", required: true, value: "DIR" },
      episodes: { type: "string", default: "100", value: "N" },
      seed,
      backend,
      record: { type: "string", value: "FILE" },
    },
    help: "evaluate a run's final policy deterministically; --record writes the episodes as a demo file for the viewer's playback",
    async run({ values }) {
      const { runEval } = await import("./eval-command.js");
      const backendValue = values.backend === undefined ? undefined : backendName(values.backend);
      return runEval(values.run, positiveInt(values.episodes, "--episodes"), integer(values.seed, "--seed"), backendValue, values.record);
    },
  }),
  export: cliCommand({
    options: { run: { type: "string", required: true, value: "DIR" } },
    help: "write policy.onnx (the deterministic actor, for any ONNX runtime) into a run's policy/ from its sac.json: for runs saved before policies travelled as ONNX (a HAC run gets one per level)",
    async run({ values }) {
      const { runExport } = await import("./export-command.js");
      return runExport(values.run);
    },
  }),
  serve: cliCommand({
    options: {
      ...listenOptions,
      "max-message-bytes": { type: "string", value: "N" },
      "max-connections": { type: "string", value: "N" },
      "max-envs": { type: "string", value: "N" },
      "idle-timeout": { type: "string", value: "SECONDS" },
      runs: { type: "string", multiple: true, value: "DIR" },
      recordings: { type: "string", multiple: true, value: "FILE" },
    },
    help: "the Gym-style WebSocket server (docs/protocol.md) and the viewer at http://host:port/: live sessions, learning curves of --runs, playback of --recordings (demo files); any host but loopback needs --token",
    async run({ values }) {
      const listen = await listenArgs("serve", values);
      const { runServe } = await import("./serve-command.js");
      const limits: Partial<ServerLimits> = {};
      if (values["max-message-bytes"] !== undefined)
        limits.maxMessageBytes = positiveInt(values["max-message-bytes"], "--max-message-bytes");
      if (values["max-connections"] !== undefined) limits.maxConnections = positiveInt(values["max-connections"], "--max-connections");
      if (values["max-envs"] !== undefined) limits.maxEnvsPerConnection = positiveInt(values["max-envs"], "--max-envs");
      if (values["idle-timeout"] !== undefined) limits.idleTimeoutMs = 1000 * positiveInt(values["idle-timeout"], "--idle-timeout");
      return runServe({ ...listen, limits, runs: values.runs ?? [], recordings: values.recordings ?? [] });
    },
  }),
  experiment: cliCommand({
    positionals: "<id>",
    options: { ...runOptions, "skip-reported": { type: "boolean" }, "run-index": { type: "string", value: "K" } },
    help: "run an experiment of the post (experiments/<id>.json): every condition and seed, resumably, then its report; --condition (repeatable; a label, or the slug its runs are named by) trains only those conditions; --report only writes the report from the runs so far; --skip-reported trains no run whose metrics the results folder already holds to the budget (a fresh clone); --slurm submits the runs still to train as one Slurm job array (--partition, --time, --cpus-per-task, --sbatch-arg for more #SBATCH lines; --dry-run prints the script), and the same command again resubmits the runs whose tasks died, which resume from their checkpoints; --run-index K trains only the plan's run K (what each array task runs); <id> may be an experiment file (FILE.json), whose runs and results go beside it",
    async run({ values, positionals }) {
      if (positionals[0] === undefined) {
        const { experimentIds } = await import("../experiments/experiment-config.js");
        throw new UsageError(`experiment needs an id: one of ${experimentIds().join(", ")}`);
      }
      const { runExperiment } = await import("./experiment-command.js");
      return runExperiment({
        id: positionals[0],
        ...runArgs(values),
        skipReported: values["skip-reported"] === true,
      });
    },
  }),
  zoo: cliCommand({
    positionals: "[<env-id> ...]",
    options: { ...runOptions, "skip-reported": { type: "boolean" }, table: { type: "boolean" }, ship: { type: "boolean" } },
    help: "the Panda benchmark zoo (experiments/zoo/<env-id>.json, every entry when none is named): each task's tuned SAC + HER config over its seeds, trained resumably as `experiment` trains (--seeds, --steps, --jobs, --condition, --report, --skip-reported, --slurm and its options as there), then results/zoo/<env-id>/ (final eval success, steps to 50% and 90%, wall-clock, the scripted expert's rate and the learned-nothing floor); --table writes README.md's zoo table from those folders; --ship copies each task's best finished run into policies/ for npm start",
    async run({ values, positionals }) {
      const { runZoo } = await import("./zoo-command.js");
      return runZoo({
        envs: positionals,
        ...runArgs(values),
        skipReported: values["skip-reported"] === true,
        table: values.table === true,
        ship: values.ship === true,
      });
    },
  }),
  "value-map": cliCommand({
    options: {
      run: { type: "string", required: true, value: "DIR" },
      seed,
      steps: { type: "string", default: "0", value: "T" },
      out: { type: "string", value: "PREFIX" },
    },
    help: "a HAC run's top-level Q over an 80x80 grid of point-mass subgoals (JSON, SVG), as the post's Q-value figure",
    async run({ values }) {
      const { runValueMap } = await import("./value-map-command.js");
      return runValueMap(values.run, integer(values.seed, "--seed"), integer(values.steps, "--steps"), values.out);
    },
  }),
  bench: cliCommand({
    positionals: `<${[...Object.keys(BENCH_SUITES), "all"].join("|")}>`,
    options: {},
    help: "benchmarks: a readable table, then one JSON line",
    async run({ positionals }) {
      const { runBench } = await import("./bench-command.js");
      return runBench(positionals[0] ?? "all");
    },
  }),
} as const satisfies Record<string, CliCommand>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

interface RunFlags extends SlurmFlags {
  seeds?: string;
  steps?: string;
  jobs?: string;
  condition?: string[];
  report?: boolean;
}

/** {@link runOptions}' values as runExperiment's (and runZoo's) arguments. */
function runArgs(values: RunFlags): Pick<ExperimentArgs, "seeds" | "steps" | "jobs" | "conditions" | "reportOnly" | "slurm" | "runIndex"> {
  return {
    ...(values.seeds !== undefined ? { seeds: positiveInt(values.seeds, "--seeds") } : {}),
    ...(values.steps !== undefined ? { steps: positiveInt(values.steps, "--steps") } : {}),
    ...(values.jobs !== undefined ? { jobs: positiveInt(values.jobs, "--jobs") } : {}),
    ...(values.condition !== undefined ? { conditions: values.condition } : {}),
    ...slurmArgs(values),
    reportOnly: values.report === true,
  };
}

interface SlurmFlags {
  slurm?: boolean;
  partition?: string;
  time?: string;
  "cpus-per-task"?: string;
  "sbatch-arg"?: string[];
  "dry-run"?: boolean;
  "run-index"?: string;
}

/** `experiment`'s Slurm flags as runExperiment's arguments, refused where they mean nothing. */
function slurmArgs(values: SlurmFlags): { slurm?: SubmitOptions; runIndex?: number } {
  const submitFlags = (["partition", "time", "cpus-per-task", "sbatch-arg", "dry-run"] as const).filter((f) => values[f] !== undefined);
  if (values["run-index"] !== undefined) {
    if (values.slurm === true || submitFlags.length > 0)
      throw new UsageError("--run-index trains one run here: it cannot be combined with --slurm or its options");
    const index = integer(values["run-index"], "--run-index");
    if (index < 0) throw new UsageError(`--run-index must be 0 or more, got ${index}`);
    return { runIndex: index };
  }
  if (values.slurm !== true) {
    if (submitFlags.length > 0) throw new UsageError(`--${submitFlags[0]!} is an option of --slurm, which was not given`);
    return {};
  }
  const { partition, time } = values;
  const cpus = values["cpus-per-task"];
  const slurm: SubmitOptions = {
    ...(partition !== undefined ? { partition } : {}),
    ...(time !== undefined ? { time } : {}),
    ...(cpus !== undefined ? { cpusPerTask: positiveInt(cpus, "--cpus-per-task") } : {}),
    ...(values["sbatch-arg"] !== undefined ? { sbatchArgs: values["sbatch-arg"] } : {}),
    dryRun: values["dry-run"] === true,
  };
  return { slurm };
}
