/**
 * The `rapier-gym` command. Each subcommand lives in its own module, loaded only when run, so
 * that `rapier-gym envs` never pays for tfjs.
 */
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { EnvError } from "../sim/core.js";
import type { BackendName } from "../agents/nn/backend.js";
import type { ServerLimits } from "../server/limits.js";
import { ConfigError } from "../agents/config-error.js";

const USAGE = `usage: rapier-gym <command> [options]

commands:
  envs [--json]                 list the registered envs, their spaces and episode lengths
  robot panda [--fk q1,...,q7]  a robot's joints and limits; with --fk the flange pose
  demo [--host 127.0.0.1] [--port 8765] [--token T] [--seed S] [--policies DIR]
        [--recordings FILE ...]
                                the viewer with agents acting live: the shipped policies
                                (policies/) and the scripted expert; prints the URL (npm start)
  train --env ID --steps N [--algo sac|hac|rpl] [--preset seed|sb3] [--seed S] [--out DIR]
        [--config FILE] [--demos FILE] [--backend node|wasm|cpu] [--resume]
        [--serve [--port 8765]]
                                train SAC + HER, HAC or relay learning (rpl, needs --demos);
                                sac with --demos is the "BC one layer" baseline;
                                --resume continues the run in --out (with --steps, to
                                a larger budget); --serve shows its
                                evaluation rollouts and curves in the viewer
  collect --env ID --source expert|RUN_DIR (--episodes N | --steps N) --out FILE
        [--env-kwargs JSON] [--max-ep-len 100] [--seed S] [--backend node|wasm|cpu]
                                demonstrations for relay learning and BC: the successful
                                episodes of the expert or of a flat run's policy
                                (agents/demos/README.md)
  eval --run DIR [--episodes N] [--seed S] [--record FILE]
                                evaluate a run's final policy deterministically; --record
                                writes the episodes as a demo file for the viewer's playback
  serve [--host 127.0.0.1] [--port 8765] [--token T] [--max-message-bytes N]
        [--max-connections N] [--max-envs N] [--idle-timeout SECONDS]
        [--runs DIR ...] [--recordings FILE ...]
                                the Gym-style WebSocket server (docs/protocol.md) and the
                                viewer at http://host:port/: live sessions, learning curves
                                of --runs, playback of --recordings (demo files); any host
                                but loopback needs --token
  experiment <id> [--seeds N] [--steps N] [--jobs N] [--report] [--skip-reported]
                                run an experiment of the post (experiments/<id>.json):
                                every condition and seed, resumably, then its report;
                                --report only writes the report from the runs so far;
                                --skip-reported trains no run whose metrics the results
                                folder already holds to the budget (a fresh clone)
  value-map --run DIR [--seed S] [--steps T] [--out PREFIX]
                                a HAC run's top-level Q over an 80x80 grid of point-mass
                                subgoals (JSON, SVG, PNG), as the post's Q-value figure
  bench <sim|learn|server|all>  benchmarks: a readable table, then one JSON line
`;

/** The usage of one command (its block of {@link USAGE}), or the whole usage for an unknown one. */
function commandUsage(command: string): string {
  const lines = USAGE.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`  ${command} `) || l === `  ${command}`);
  if (start < 0) return USAGE;
  const end = lines.findIndex((l, i) => i > start && /^  \S/.test(l));
  return `${lines[0]}\n\n${lines.slice(start, end < 0 ? undefined : end).join("\n").trimEnd()}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `rapier-gym train --help` is how people look a command up: the usage, not an unknown-option error.
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(commandUsage(command ?? ""));
    return 0;
  }
  switch (command) {
    case "envs": {
      const { values } = parseArgs({ args: rest, options: { json: { type: "boolean", default: false } }, strict: true });
      const { listEnvs } = await import("./envs-command.js");
      listEnvs(values.json);
      return 0;
    }
    case "demo": {
      const { values } = parseArgs({
        args: rest,
        options: {
          ...listenOptions,
          seed: { type: "string", default: "0" },
          policies: { type: "string", default: "policies" },
          recordings: { type: "string", multiple: true },
        },
        strict: true,
      });
      const { runDemo } = await import("./demo-command.js");
      return runDemo({
        ...(await listenArgs("demo", values)),
        limits: {},
        seed: integer(values.seed, "--seed"),
        policies: values.policies,
        ...(values.recordings !== undefined ? { recordings: values.recordings } : {}),
      });
    }
    case "train": {
      const { values } = parseArgs({
        args: rest,
        options: {
          env: { type: "string" },
          algo: { type: "string", default: "sac" },
          preset: { type: "string" },
          steps: { type: "string" },
          seed: { type: "string", default: "0" },
          out: { type: "string" },
          config: { type: "string" },
          backend: { type: "string" },
          resume: { type: "boolean", default: false },
          remote: { type: "string" },
          token: { type: "string" },
          demos: { type: "string" },
          serve: { type: "boolean", default: false },
          port: { type: "string", default: "8765" },
        },
        strict: true,
      });
      const { runTrain } = await import("./train-command.js");
      return runTrain({
        ...(values.env !== undefined ? { env: values.env } : {}),
        algo: values.algo,
        ...(values.preset !== undefined ? { preset: values.preset } : {}),
        ...(values.steps !== undefined ? { steps: positiveInt(values.steps, "--steps") } : {}),
        seed: integer(values.seed, "--seed"),
        out: values.out ?? `runs/${values.env ?? "run"}-${values.algo}-seed${values.seed}`,
        ...(values.config !== undefined ? { config: values.config } : {}),
        ...(values.backend !== undefined ? { backend: backendName(values.backend) } : {}),
        resume: values.resume,
        ...(values.remote !== undefined ? { remote: values.remote } : {}),
        ...(values.token !== undefined ? { token: values.token } : {}),
        ...(values.demos !== undefined ? { demos: values.demos } : {}),
        ...(values.serve ? { servePort: (await listenArgs("train --serve", { host: "127.0.0.1", port: values.port })).port } : {}),
      });
    }
    case "collect": {
      const { values } = parseArgs({
        args: rest,
        options: {
          env: { type: "string" },
          source: { type: "string" },
          episodes: { type: "string" },
          steps: { type: "string" },
          "env-kwargs": { type: "string" },
          "max-ep-len": { type: "string", default: "100" },
          seed: { type: "string", default: "0" },
          out: { type: "string" },
          backend: { type: "string" },
        },
        strict: true,
      });
      if (values.env === undefined || values.source === undefined || values.out === undefined) throw new UsageError("collect needs --env ID, --source expert|RUN_DIR and --out FILE");
      if ((values.episodes === undefined) === (values.steps === undefined)) throw new UsageError("collect needs exactly one of --episodes N and --steps N");
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
    }
    case "eval": {
      const { values } = parseArgs({
        args: rest,
        options: { run: { type: "string" }, episodes: { type: "string", default: "100" }, seed: { type: "string", default: "0" }, backend: { type: "string" }, record: { type: "string" } },
        strict: true,
      });
      if (values.run === undefined) throw new UsageError("eval needs --run DIR");
      const { runEval } = await import("./eval-command.js");
      return runEval(
        values.run,
        positiveInt(values.episodes, "--episodes"),
        integer(values.seed, "--seed"),
        values.backend === undefined ? undefined : backendName(values.backend),
        values.record,
      );
    }
    case "serve": {
      const { values } = parseArgs({
        args: rest,
        options: {
          ...listenOptions,
          runs: { type: "string", multiple: true },
          recordings: { type: "string", multiple: true },
          "max-message-bytes": { type: "string" },
          "max-connections": { type: "string" },
          "max-envs": { type: "string" },
          "idle-timeout": { type: "string" },
        },
        strict: true,
      });
      const listen = await listenArgs("serve", values);
      const { runServe } = await import("./serve-command.js");
      const limits: Partial<ServerLimits> = {};
      if (values["max-message-bytes"] !== undefined) limits.maxMessageBytes = positiveInt(values["max-message-bytes"], "--max-message-bytes");
      if (values["max-connections"] !== undefined) limits.maxConnections = positiveInt(values["max-connections"], "--max-connections");
      if (values["max-envs"] !== undefined) limits.maxEnvsPerConnection = positiveInt(values["max-envs"], "--max-envs");
      if (values["idle-timeout"] !== undefined) limits.idleTimeoutMs = 1000 * positiveInt(values["idle-timeout"], "--idle-timeout");
      return runServe({ ...listen, limits, runs: values.runs ?? [], recordings: values.recordings ?? [] });
    }
    case "experiment": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { seeds: { type: "string" }, steps: { type: "string" }, jobs: { type: "string" }, report: { type: "boolean" }, "skip-reported": { type: "boolean" } },
        strict: true,
      });
      if (positionals[0] === undefined) {
        const { experimentIds } = await import("../experiments/experiment-config.js");
        throw new UsageError(`experiment needs an id: one of ${experimentIds().join(", ")}`);
      }
      const { runExperiment } = await import("./experiment-command.js");
      return runExperiment({
        id: positionals[0],
        ...(values.seeds !== undefined ? { seeds: positiveInt(values.seeds, "--seeds") } : {}),
        ...(values.steps !== undefined ? { steps: positiveInt(values.steps, "--steps") } : {}),
        ...(values.jobs !== undefined ? { jobs: positiveInt(values.jobs, "--jobs") } : {}),
        reportOnly: values.report === true,
        skipReported: values["skip-reported"] === true,
      });
    }
    case "value-map": {
      const { values } = parseArgs({
        args: rest,
        options: { run: { type: "string" }, seed: { type: "string", default: "0" }, steps: { type: "string", default: "0" }, out: { type: "string" } },
        strict: true,
      });
      if (values.run === undefined) throw new UsageError("value-map needs --run DIR (a HAC run)");
      const { runValueMap } = await import("./value-map-command.js");
      return runValueMap(values.run, integer(values.seed, "--seed"), integer(values.steps, "--steps"), values.out);
    }
    case "robot": {
      const { values, positionals } = parseArgs({ args: rest, options: { fk: { type: "string" } }, allowPositionals: true, strict: true });
      const { runRobot } = await import("./robot-command.js");
      return runRobot(positionals[0], values.fk);
    }
    case "bench": {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true });
      const { runBench } = await import("./bench-command.js");
      return runBench(positionals[0] ?? "all");
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`rapier-gym: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/** The flags of every command that listens: serve, demo, train --serve. */
const listenOptions = {
  host: { type: "string", default: "127.0.0.1" },
  port: { type: "string", default: "8765" },
  token: { type: "string" },
} as const;

async function listenArgs(command: string, values: { host: string; port: string; token?: string | undefined }): Promise<{ host: string; port: number; token?: string }> {
  const port = integer(values.port, "--port");
  if (port < 0 || port > 65535) throw new UsageError(`--port must be in 0..65535, got ${port}`);
  const { isLoopback } = await import("../server/server.js");
  if (!isLoopback(values.host) && values.token === undefined) throw new UsageError(`${command} --host ${values.host} exposes the simulator beyond this machine: pass --token`);
  return { host: values.host, port, ...(values.token !== undefined ? { token: values.token } : {}) };
}

function integer(text: string, flag: string): number {
  const v = Number(text);
  if (!Number.isInteger(v)) throw new UsageError(`${flag} must be an integer, got "${text}"`);
  return v;
}

function positiveInt(text: string, flag: string): number {
  const v = integer(text, flag);
  if (v <= 0) throw new UsageError(`${flag} must be positive, got ${v}`);
  return v;
}

function jsonObject(text: string, flag: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UsageError(`${flag} must be a JSON object, got ${JSON.stringify(text)} (not JSON)`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new UsageError(`${flag} must be a JSON object, got ${text}`);
  return v as Record<string, unknown>;
}

function backendName(text: string): BackendName {
  if (text !== "node" && text !== "wasm" && text !== "cpu") throw new UsageError(`--backend must be node, wasm or cpu, got "${text}"`);
  return text;
}

/** A mistake in the command line: printed without a stack trace. */
export class UsageError extends Error {}

/** Mistakes of the user (bad flags, ids, kwargs, configs, run directories) print as one line; anything else with its stack. */
export function report(e: unknown): string {
  if (e instanceof UsageError || e instanceof EnvError || e instanceof ConfigError) return e.message;
  // node:util parseArgs reports unknown or malformed flags with these codes.
  if (e instanceof Error && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS")) return `${e.message}\n\n${USAGE}`;
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`rapier-gym: ${report(e)}\n`);
      process.exit(1);
    },
  );
}
