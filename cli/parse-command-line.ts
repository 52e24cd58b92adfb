/**
 * A command's arguments parsed by the command table (command-table.ts): node:util parseArgs,
 * strict, with the table's options; then its required flags and its one-of groups checked, and
 * negative numbers taken as values as users type them.
 */
import { parseArgs } from "node:util";
import type { CliCommand, CommandLine } from "./cli-command.js";
import { COMMANDS, type CommandName } from "./command-table.js";
import { optionText } from "./usage.js";
import { UsageError } from "./usage-error.js";

/** A negative number (`-2`, `-2.0,0,1`, `-.5`, `-1e-3`): a value, never a flag. */
const NEGATIVE_NUMBER = /^-\.?\d/;

export function parseCommandLine(name: CommandName, args: readonly string[]): CommandLine {
  const command: CliCommand = COMMANDS[name];
  const parsed = parseArgs({
    args: withNegativeValues(args, command),
    options: command.options,
    allowPositionals: command.positionals !== undefined,
    strict: true,
  });
  checkPresence(name, command, parsed.values);
  return parsed;
}

/**
 * The arguments with `--flag -2.0,...` written `--flag=-2.0,...`: parseArgs takes any argument
 * after a flag that starts with a dash for another flag, and refuses it as ambiguous, so without
 * this `robot panda --fk -2.0,0,...` or `--seed -1` fail with the whole usage.
 */
export function withNegativeValues(args: readonly string[], command: CliCommand): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") return [...out, ...args.slice(i)];
    const next = args[i + 1];
    const option = arg.startsWith("--") ? command.options[arg.slice(2)] : undefined;
    if (option?.type === "string" && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Refuses a command line that lacks a required flag, or gives not exactly one of a group. */
function checkPresence(name: string, command: CliCommand, values: Record<string, unknown>): void {
  const options = Object.entries(command.options);
  const required = options.filter(([, o]) => o.required === true);
  if (required.some(([flag]) => values[flag] === undefined)) {
    const texts = required.map(([flag, o]) => optionText(flag, o));
    throw new UsageError(`${name} needs ${texts.length > 1 ? `${texts.slice(0, -1).join(", ")} and ${texts.at(-1)!}` : texts[0]!}`);
  }
  for (const group of new Set(options.flatMap(([, o]) => (o.oneOf !== undefined ? [o.oneOf] : [])))) {
    const members = options.filter(([, o]) => o.oneOf === group);
    if (members.filter(([flag]) => values[flag] !== undefined).length !== 1) {
      throw new UsageError(`${name} needs exactly one of ${members.map(([flag, o]) => optionText(flag, o)).join(" and ")}`);
    }
  }
}
