/**
 * The usage text, written from the command table (command-table.ts) rather than by hand, so that
 * it lists exactly the commands, flags and bench suites the parser takes.
 */
import type { CliCommand, CliOption } from "./cli-command.js";
import { COMMANDS, isCommandName } from "./command-table.js";

const HEAD = "usage: rapier-gym <command> [options]";
/** Where each command's help starts, and the width everything is wrapped to. */
const HELP_COLUMN = 32;
const WIDTH = 96;

/** The whole usage: every command's synopsis and help. */
export function usage(): string {
  const blocks = Object.entries(COMMANDS).map(([name, command]) => commandBlock(name, command));
  return `${HEAD}\n\ncommands:\n${blocks.join("\n")}\n  help [<command>]              this text, or one command's\n`;
}

/** The usage of one command, or the whole usage for a name that is none. */
export function commandUsage(name: string): string {
  return isCommandName(name) ? `${HEAD}\n\n${commandBlock(name, COMMANDS[name])}\n` : usage();
}

/** The synopsis wrapped at WIDTH (continued under an 8-column indent), then the help at HELP_COLUMN. */
function commandBlock(name: string, command: CliCommand): string {
  const synopsis = wrap(
    [`  ${name}`, ...(command.positionals !== undefined ? [command.positionals] : []), ...optionWords(command)],
    WIDTH,
    " ".repeat(8),
  );
  const help = wrap(command.help.split(" "), WIDTH, " ".repeat(HELP_COLUMN), " ".repeat(HELP_COLUMN));
  const last = synopsis.at(-1)!;
  // A short synopsis takes the help's first line beside it, as the columns of a table.
  if (synopsis.length === 1 && last.length < HELP_COLUMN - 1)
    return [last.padEnd(HELP_COLUMN) + help[0]!.trimStart(), ...help.slice(1)].join("\n");
  return [...synopsis, ...help].join("\n");
}

/** Each option as the synopsis shows it, alternatives of one group together: (--a N | --b N). */
function optionWords(command: CliCommand): string[] {
  const words: string[] = [];
  const groups = new Set<string>();
  for (const [flag, option] of Object.entries(command.options)) {
    if (option.oneOf === undefined) {
      words.push(option.required === true ? optionText(flag, option) : `[${optionText(flag, option)}]`);
    } else if (!groups.has(option.oneOf)) {
      groups.add(option.oneOf);
      const members = Object.entries(command.options).filter(([, o]) => o.oneOf === option.oneOf);
      words.push(`(${members.map(([f, o]) => optionText(f, o)).join(" | ")})`);
    }
  }
  return words;
}

/** `--flag VALUE`, `--flag VALUE ...` for one given several times, `--flag` for a boolean. */
export function optionText(flag: string, option: CliOption): string {
  if (option.type === "boolean") return `--${flag}`;
  const value = option.value ?? (typeof option.default === "string" ? option.default : "VALUE");
  return `--${flag} ${value}${option.multiple === true ? " ..." : ""}`;
}

/** Words joined into lines of at most `width` (a longer word stands alone), later lines indented. */
function wrap(words: readonly string[], width: number, indent: string, firstIndent = ""): string[] {
  const lines: string[] = [];
  let line = firstIndent;
  for (const word of words) {
    const blank = line.trim() === "";
    if (!blank && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = blank ? line + word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}
