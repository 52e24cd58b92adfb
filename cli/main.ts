/**
 * The `rapier-gym` command. Each subcommand lives in its own module, loaded only when run, so
 * that `rapier-gym envs` never pays for tfjs.
 */
import { pathToFileURL } from "node:url";
import { EnvError } from "../sim/core/env.js";
import type { BackendName } from "../agents/nn/backend-names.js";
import type { ServerLimits } from "../server/limits.js";
import { ConfigError } from "../agents/config-error.js";
import { BACKEND_NAMES } from "./command-table.js";
import { parseCommandLine } from "./parse-command-line.js";
import { commandUsage, usage } from "./usage.js";
import { UsageError } from "./usage-error.js";

export { UsageError };

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `rapier-gym train --help` is how people look a command up: the usage, not an unknown-option error.
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(commandUsage(command ?? ""));
    return 0;
  }
  switch (command) {
    case "envs": {
      const { values } = parseCommandLine("envs", rest);
      const { listEnvs } = await import("./envs-command.js");
      listEnvs(values.json);
      return 0;
    }
    case "demo": {
      const { values } = parseCommandLine("demo", rest);
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
      const { values } = parseCommandLine("train", rest);
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
        threads: positiveInt(values.threads, "--threads"),
        resume: values.resume,
        ...(values.remote !== undefined ? { remote: values.remote } : {}),
        ...(values.token !== undefined ? { token: values.token } : {}),
        ...(values.demos !== undefined ? { demos: values.demos } : {}),
        ...(values.serve ? { servePort: (await listenArgs("train --serve", { host: "127.0.0.1", port: values.port })).port } : {}),
      });
    }
    case "collect": {
      const { values } = parseCommandLine("collect", rest);
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
    case "export": {
      const { values } = parseCommandLine("export", rest);
      const { runExport } = await import("./export-command.js");
      return runExport(values.run);
    }
    case "eval": {
      const { values } = parseCommandLine("eval", rest);
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
      const { values } = parseCommandLine("serve", rest);
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
      const { values, positionals } = parseCommandLine("experiment", rest);
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
        ...(values.condition !== undefined ? { conditions: values.condition } : {}),
        reportOnly: values.report === true,
        skipReported: values["skip-reported"] === true,
      });
    }
    case "value-map": {
      const { values } = parseCommandLine("value-map", rest);
      const { runValueMap } = await import("./value-map-command.js");
      return runValueMap(values.run, integer(values.seed, "--seed"), integer(values.steps, "--steps"), values.out);
    }
    case "robot": {
      const { values, positionals } = parseCommandLine("robot", rest);
      const { runRobot } = await import("./robot-command.js");
      return runRobot(positionals[0], values.fk);
    }
    case "bench": {
      const { positionals } = parseCommandLine("bench", rest);
      const { runBench } = await import("./bench-command.js");
      return runBench(positionals[0] ?? "all");
    }
    case "help":
      process.stdout.write(commandUsage(rest[0] ?? ""));
      return 0;
    case undefined:
    case "--help":
    case "-h":
      process.stdout.write(usage());
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`rapier-gym: unknown command "${command}"\n\n${usage()}`);
      return 2;
  }
}

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
  const known: readonly string[] = BACKEND_NAMES;
  if (!known.includes(text)) throw new UsageError(`--backend must be ${BACKEND_NAMES.slice(0, -1).join(", ")} or ${BACKEND_NAMES.at(-1)!}, got "${text}"`);
  return text as BackendName;
}

/** Mistakes of the user (bad flags, ids, kwargs, configs, run directories) print as one line; anything else with its stack. */
export function report(e: unknown): string {
  if (e instanceof UsageError || e instanceof EnvError || e instanceof ConfigError) return e.message;
  // node:util parseArgs reports unknown or malformed flags with these codes.
  if (e instanceof Error && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS")) return `${e.message}\n\n${usage()}`;
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
