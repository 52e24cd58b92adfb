/**
 * What one `rapier-gym` command is: its options, its help, and how it runs, in one entry of the
 * command table (command-table.ts), from which the parser, the usage and main all work.
 */
import type { parseArgs } from "node:util";

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

export type CliOptions = Readonly<Record<string, CliOption>>;

type Raw<O extends CliOptions> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>>;
/** The required flags, which parseCommandLine has checked are there. */
type Given<O extends CliOptions> = { [F in keyof O as O[F] extends { required: true } ? F : never]: string };

/** A command line as parseCommandLine hands it to the command: values typed by the command's own options. */
export interface CommandLine<O extends CliOptions = CliOptions> {
  values: Raw<O>["values"] & Given<O>;
  positionals: string[];
}

export interface CliCommand<O extends CliOptions = CliOptions> {
  /** The positional arguments as the usage shows them ("<id>"); none are taken when absent. */
  readonly positionals?: string;
  readonly options: O;
  /** What the command does, one paragraph, wrapped under its synopsis. */
  readonly help: string;
  /** Runs the command on its parsed command line; resolves with the exit code. */
  run(line: CommandLine<O>): Promise<number>;
}

/**
 * A command, its `run` typed from its own `options` (a flag with a default is a string, one
 * without may be undefined, a repeatable one an array, a required one a string). Any command is
 * also a plain CliCommand (`run` is a method, checked bivariantly), which is how main calls it:
 * with what parseCommandLine made from these very options.
 */
export function cliCommand<const O extends CliOptions>(command: CliCommand<O>): CliCommand<O> {
  return command;
}
