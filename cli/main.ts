/**
 * The `rapier-gym` command: looks the command up in the command table (command-table.ts), which
 * parses, documents and runs it.
 */
import { pathToFileURL } from "node:url";
import { EnvError } from "../sim/core/env.js";
import { ConfigError } from "../agents/config-error.js";
import type { CliCommand } from "./cli-command.js";
import { COMMANDS, isCommandName } from "./command-table.js";
import { parseCommandLine } from "./parse-command-line.js";
import { commandUsage, usage } from "./usage.js";
import { UsageError } from "./usage-error.js";

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `rapier-gym train --help` is how people look a command up: the usage, not an unknown-option error.
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(commandUsage(command ?? ""));
    return 0;
  }
  if (command !== undefined && isCommandName(command)) {
    const entry: CliCommand = COMMANDS[command];
    return entry.run(parseCommandLine(command, rest));
  }
  if (command === "help") {
    process.stdout.write(commandUsage(rest[0] ?? ""));
    return 0;
  }
  if (command === undefined || command === "--help" || command === "-h") {
    process.stdout.write(usage());
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`rapier-gym: unknown command "${command}"\n\n${usage()}`);
  return 2;
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
