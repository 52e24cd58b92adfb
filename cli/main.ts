/**
 * The `rapier-gym` command. Each subcommand lives in its own module, loaded only when run, so
 * that `rapier-gym envs` never pays for tfjs.
 */
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { EnvError } from "../sim/core.js";

const USAGE = `usage: rapier-gym <command> [options]

commands:
  envs [--json]                 list the registered envs, their spaces and episode lengths
  demo [--env ID] [--episodes N] [--seed S]
                                run the scripted expert and print its success rate (npm start)
  bench <sim|learn|all>         benchmarks: a readable table, then one JSON line
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
        options: { env: { type: "string", default: "PointMassPush-v0" }, episodes: { type: "string", default: "100" }, seed: { type: "string", default: "0" } },
        strict: true,
      });
      const { runDemo } = await import("./demo-command.js");
      return runDemo(values.env, positiveInt(values.episodes, "--episodes"), integer(values.seed, "--seed"));
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

/** A mistake in the command line: printed without a stack trace. */
export class UsageError extends Error {}

/** Mistakes of the user (bad flags, ids, kwargs) print as one line; anything else with its stack. */
export function report(e: unknown): string {
  if (e instanceof UsageError || e instanceof EnvError) return e.message;
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
