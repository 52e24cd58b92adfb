/**
 * Every `rapier-gym` command with its options: the one table that both the parser
 * (parse-command-line.ts) and the usage text (usage.ts) are made from, so that a flag the parser
 * takes is always in the usage and the usage names no flag the parser refuses.
 */
import { backendOrder, type BackendName } from "../agents/nn/backend-names.js";
import { BENCH_SUITES } from "../bench/suites.js";

/** One `--flag`: node:util parseArgs' own fields, and how the usage shows it. */
export interface CliOption {
  readonly type: "string" | "boolean";
  readonly default?: string | boolean;
  readonly multiple?: boolean;
  /** The value as the usage shows it ("N", "DIR", "sac|hac|rpl"). @defaultValue its default, else "VALUE" */
  readonly value?: string;
  /** Shown bare rather than in brackets; a command line without it is refused. */
  readonly required?: boolean;
  /** Options with the same group name are alternatives, exactly one of which must be given. */
  readonly oneOf?: string;
}

export interface CliCommand {
  /** The positional arguments as the usage shows them ("<id>"); none are taken when absent. */
  readonly positionals?: string;
  readonly options: Readonly<Record<string, CliOption>>;
  /** What the command does, one paragraph, wrapped under its synopsis. */
  readonly help: string;
}

/** The `--backend` values: the one place that lists them, for the usage and the check alike. */
export const BACKEND_NAMES: readonly BackendName[] = backendOrder;

const backend = { type: "string", value: BACKEND_NAMES.join("|") } as const;
const seed = { type: "string", default: "0", value: "S" } as const;

/** The flags of every command that listens: serve, demo. */
const listenOptions = {
  host: { type: "string", default: "127.0.0.1" },
  port: { type: "string", default: "8765" },
  token: { type: "string", value: "T" },
} as const;

export const COMMANDS = {
  envs: {
    options: { json: { type: "boolean", default: false } },
    help: "list the registered envs, their spaces and episode lengths",
  },
  robot: {
    positionals: "<name>",
    options: { fk: { type: "string", value: "q1,...,qn" } },
    help: "a robot's joints and limits (panda); with --fk its flange pose at those joint angles",
  },
  demo: {
    options: { ...listenOptions, seed, policies: { type: "string", default: "policies", value: "DIR" }, recordings: { type: "string", multiple: true, value: "FILE" } },
    help: "the viewer with agents acting live: the shipped policies (policies/) and the scripted expert; prints the URL (npm start)",
  },
  train: {
    options: {
      env: { type: "string", value: "ID" },
      steps: { type: "string", value: "N" },
      algo: { type: "string", default: "sac", value: "sac|hac|rpl" },
      preset: { type: "string", value: "seed|sb3" },
      seed,
      out: { type: "string", value: "DIR" },
      config: { type: "string", value: "FILE" },
      demos: { type: "string", value: "FILE" },
      backend,
      threads: { type: "string", default: "1", value: "N" },
      resume: { type: "boolean", default: false },
      remote: { type: "string", value: "ws://HOST:PORT" },
      token: { type: "string", value: "T" },
      serve: { type: "boolean", default: false },
      port: { type: "string", default: "8765" },
    },
    help:
      'train SAC + HER, HAC or relay learning (rpl, needs --demos) on --env for --steps env steps; sac with --demos is the "BC one layer" baseline; --resume continues the run in --out (with --steps, to a larger budget); --remote steps the envs on a rapier-gym server (--token for one that needs it); --serve shows its evaluation rollouts and curves in the viewer on --port; the learner runs on ONNX Runtime (--backend ort, the default where it loads; --threads N intra-op threads, default 1 as experiment runs one process per core) or tfjs (wasm, cpu, node)',
  },
  collect: {
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
  },
  eval: {
    options: { run: { type: "string", required: true, value: "DIR" }, episodes: { type: "string", default: "100", value: "N" }, seed, backend, record: { type: "string", value: "FILE" } },
    help: "evaluate a run's final policy deterministically; --record writes the episodes as a demo file for the viewer's playback",
  },
  export: {
    options: { run: { type: "string", required: true, value: "DIR" } },
    help: "write policy.onnx (the deterministic actor, for any ONNX runtime) into a run's policy/ from its sac.json: for runs saved before policies travelled as ONNX (a HAC run gets one per level)",
  },
  serve: {
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
  },
  experiment: {
    positionals: "<id>",
    options: {
      seeds: { type: "string", value: "N" },
      steps: { type: "string", value: "N" },
      jobs: { type: "string", value: "N" },
      condition: { type: "string", multiple: true, value: "LABEL" },
      report: { type: "boolean" },
      "skip-reported": { type: "boolean" },
    },
    help: "run an experiment of the post (experiments/<id>.json): every condition and seed, resumably, then its report; --condition (repeatable; a label, or the slug its runs are named by) trains only those conditions; --report only writes the report from the runs so far; --skip-reported trains no run whose metrics the results folder already holds to the budget (a fresh clone)",
  },
  "value-map": {
    options: { run: { type: "string", required: true, value: "DIR" }, seed, steps: { type: "string", default: "0", value: "T" }, out: { type: "string", value: "PREFIX" } },
    help: "a HAC run's top-level Q over an 80x80 grid of point-mass subgoals (JSON, SVG), as the post's Q-value figure",
  },
  bench: {
    positionals: `<${[...Object.keys(BENCH_SUITES), "all"].join("|")}>`,
    options: {},
    help: "benchmarks: a readable table, then one JSON line",
  },
} as const satisfies Record<string, CliCommand>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}
