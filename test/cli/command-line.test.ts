import { expect } from "chai";
import { BENCH_SUITES } from "../../bench/suites.js";
import { COMMANDS, type CommandName } from "../../cli/command-table.js";
import { main } from "../../cli/main.js";
import { UsageError } from "../../cli/usage-error.js";
import { parseCommandLine } from "../../cli/parse-command-line.js";
import { commandUsage, usage } from "../../cli/usage.js";
import { capturedWrites } from "../captured-writes.js";

const NAMES = Object.keys(COMMANDS) as CommandName[];

/** Values for a command's required flags and one of each group, so that a parse gets past them. */
function filler(name: CommandName, except: string): string[] {
  const options = Object.entries(COMMANDS[name].options) as [string, { required?: boolean; oneOf?: string }][];
  const groups = new Set<string>();
  return options.flatMap(([flag, o]) => {
    if (flag === except) {
      if (o.oneOf !== undefined) groups.add(o.oneOf);
      return [];
    }
    if (o.required === true) return [`--${flag}`, "x"];
    if (o.oneOf !== undefined && !groups.has(o.oneOf) && !options.some(([f, m]) => f === except && m.oneOf === o.oneOf)) {
      groups.add(o.oneOf);
      return [`--${flag}`, "1"];
    }
    return [];
  });
}

describe("rapier-gym's command line: one table for the parser and the usage", () => {
  it("lists every command and every flag the parser takes, and the parser takes every flag the usage lists", () => {
    const text = usage();
    for (const name of NAMES) {
      const block = commandUsage(name);
      expect(text, name).to.include(block.split("\n\n")[1]!.trimEnd());
      const listed = [...block.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]!);
      const flags = Object.keys(COMMANDS[name].options);
      // Every flag in the synopsis (the help may mention flags too, but only this command's).
      expect(new Set(listed), name).to.deep.equal(new Set(flags));
      for (const flag of flags) {
        const boolean = COMMANDS[name].options[flag as never]["type"] === "boolean";
        const { values } = parseCommandLine(name, [...filler(name, flag), `--${flag}`, ...(boolean ? [] : ["1"])]);
        expect((values as Record<string, unknown>)[flag], `${name} --${flag}`).to.not.equal(undefined);
      }
    }
    expect(text)
      .to.match(/^ {2}train /m)
      .and.match(/^ {2}collect /m);
  });

  it("lists every bench suite, viewer included, as bench runs them", () => {
    const listed = /^ {2}bench <([^>]+)>/m.exec(usage())![1]!.split("|");
    expect(listed).to.deep.equal([...Object.keys(BENCH_SUITES), "all"]);
    expect(listed).to.include("viewer");
  });

  it("takes a negative number as the value of every flag that has one", () => {
    for (const name of NAMES) {
      for (const [flag, option] of Object.entries(COMMANDS[name].options)) {
        if (option.type !== "string") continue;
        for (const value of ["-2", "-2.0,0,0,-1", "-.5", "-1e-3"]) {
          const { values } = parseCommandLine(name, [...filler(name, flag), `--${flag}`, value]);
          const got = (values as Record<string, unknown>)[flag];
          expect(Array.isArray(got) ? got[0] : got, `${name} --${flag} ${value}`).to.equal(value);
        }
      }
    }
  });

  it("checks a negative value as the command checks any value, and still refuses a flag it does not know", async () => {
    const failure = (argv: string[]) =>
      main(argv).then(
        () => expect.fail(`${argv.join(" ")} must fail`),
        (e: unknown) => e as Error,
      );
    const steps = await failure(["experiment", "E1", "--steps", "-5"]);
    expect(steps).to.be.instanceOf(UsageError);
    expect(steps.message).to.equal("--steps must be positive, got -5");
    expect((await failure(["collect", "--env", "X", "--source", "expert", "--out", "o"])).message).to.equal(
      "collect needs exactly one of --episodes N and --steps N",
    );
    expect((await failure(["eval"])).message).to.equal("eval needs --run DIR");
    expect((await failure(["robot", "panda", "-5"])).message).to.match(/Unknown option '-5'/);
  });

  it("prints one command's usage for help <command>", async () => {
    const { result, written } = await capturedWrites(process.stdout, () => main(["help", "bench"]));
    expect(result).to.equal(0);
    expect(written).to.equal(commandUsage("bench"));
    expect(written).to.include("  bench <").and.not.include("  envs [--json]");
  });
});
