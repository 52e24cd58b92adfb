import { expect } from "chai";
import { main, report } from "../../cli/main.js";
import { UsageError } from "../../cli/usage-error.js";
import { envIds } from "../../sim/index.js";
import { RawClient } from "../../client/raw-client.js";
import { capturedWrites } from "../captured-writes.js";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HacTrainer } from "../../agents/hac/hac-trainer.js";
import { selectBackend } from "../../agents/nn/backend.js";
import { readDemoFile } from "../../agents/demos/demo-file.js";
import { experimentIds } from "../../experiments/experiment-config.js";
import { thisHost } from "../../agents/run/pid-lock.js";

/** Runs the CLI in process and returns what it printed. */
async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    const code = await main(argv);
    return { code, out: lines.join("\n") };
  } finally {
    console.log = log;
  }
}

/** What the CLI reports for `argv`, which must fail. */
async function printedFailure(argv: string[]): Promise<string> {
  return run(argv).then(
    () => expect.fail(`${argv.join(" ")} must fail`),
    (e: unknown) => report(e),
  );
}

/** The URL `rapier-gym demo` prints once it serves, read from the captured console lines. */
async function printedUrl(lines: readonly string[]): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const url = lines.map((l) => /open (http:\/\/[^ ]+\/) in a browser/.exec(l)?.[1]).find((u) => u !== undefined);
    if (url !== undefined) return url;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`demo printed no URL: ${lines.join("\n")}`);
}

describe("rapier-gym command", () => {
  it("envs --json lists every id with its spaces and episode length", async () => {
    const { code, out } = await run(["envs", "--json"]);
    expect(code).to.equal(0);
    const rows = JSON.parse(out) as {
      id: string;
      maxEpisodeSteps: number;
      observationSpace: { type: string };
      actionSpace: { type: string; shape: number[] };
    }[];
    expect(rows.map((r) => r.id)).to.deep.equal(envIds());
    const push = rows.find((r) => r.id === "PointMassPush-v0")!;
    expect(push.maxEpisodeSteps).to.equal(200);
    expect(push.observationSpace.type).to.equal("Dict");
    expect(push.actionSpace).to.include({ type: "Box" });
    expect(push.actionSpace.shape).to.deep.equal([2]);
  });

  for (const command of ["train", "experiment", "value-map", "collect", "serve"]) {
    it(`${command} --help prints its usage and exits 0`, async () => {
      const { result, written } = await capturedWrites(process.stdout, () => main([command, "--help"]));
      expect(result).to.equal(0);
      // That command's usage alone, not the whole list.
      expect(written)
        .to.match(/^usage: rapier-gym/)
        .and.include(`  ${command} `)
        .and.not.include("  envs [--json]");
    });
  }

  it("demo serves the viewer with four live expert sessions, prints the URL and stops on SIGINT", async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => lines.push(args.join(" "));
    const listeners = (): number[] => [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const before = listeners();
    try {
      const done = main(["demo", "--port", "0", "--policies", "no-such-folder"]);
      const url = await printedUrl(lines);
      const page = await fetch(url);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.match(/<script type="module" src="viewer.js">/);
      const client = await RawClient.open(url.replace(/^http:/, "ws:").replace(/\/$/, ""));
      const { sessions } = await client.ok<{ sessions: { env: string; label: string; takesGoal: boolean }[] }>({ id: 1, op: "list" });
      expect(sessions.map((s) => s.env)).to.deep.equal(["PandaPickAndPlace-v0", "PointMassPush-v0", "PointMassPush2-v0", "PandaPush-v0"]);
      expect(sessions.every((s) => s.label === "scripted expert" && s.takesGoal)).to.equal(true);
      await client.close();
      process.emit("SIGINT", "SIGINT");
      expect(await done).to.equal(0);
      // Stopped, it leaves no signal handler behind (a SIGTERM one used to stay).
      expect(listeners()).to.deep.equal(before);
    } finally {
      console.log = log;
    }
  });

  it("demo picks up shipped policy directories: they act first, three at most so that an expert keeps a tile, with their curves among the runs", async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), "rapier-gym-demo-"));
    const lines: string[] = [];
    const log = console.log;
    try {
      await selectBackend();
      const trainer = HacTrainer.start(join(dir, "policies", "push-hac"), {
        env: "PointMassPush-v0",
        algo: "hac",
        steps: 60,
        startSteps: 30,
        evalEvery: 60,
        evalEpisodes: 1,
        envKwargs: { maxEpisodeSteps: 20 },
      });
      await trainer.run();
      trainer.close();
      for (const copy of ["push-hac-2", "push-hac-3", "push-hac-4"])
        cpSync(join(dir, "policies", "push-hac"), join(dir, "policies", copy), { recursive: true });
      console.log = (...args: unknown[]) => lines.push(args.join(" "));
      const done = main(["demo", "--port", "0", "--policies", join(dir, "policies")]);
      const url = await printedUrl(lines);
      const client = await RawClient.open(url.replace(/^http:/, "ws:").replace(/\/$/, ""));
      const list = await client.ok<{ sessions: { env: string; label: string }[]; runs: { run: string; algo: string }[] }>({
        id: 1,
        op: "list",
      });
      expect(list.sessions.map((s) => s.label)).to.deep.equal([
        `hac policy ${join(dir, "policies", "push-hac")}`,
        `hac policy ${join(dir, "policies", "push-hac-2")}`,
        `hac policy ${join(dir, "policies", "push-hac-3")}`,
        "scripted expert",
      ]);
      expect(list.runs).to.deep.include({ run: join(dir, "policies", "push-hac"), env: "PointMassPush-v0", algo: "hac" });
      await client.close();
      process.emit("SIGINT", "SIGINT");
      expect(await done).to.equal(0);
    } finally {
      console.log = log;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("value-map draws a run still training from its latest checkpoint, a finished one from its policy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rapier-gym-cli-vm-"));
    try {
      await selectBackend();
      const root = join(dir, "hac");
      const config = {
        env: "PointMassPush-v0",
        algo: "hac",
        steps: 60,
        startSteps: 30,
        evalEvery: 60,
        evalEpisodes: 1,
        checkpointEvery: 20,
        envKwargs: { maxEpisodeSteps: 20 },
      };
      const unstarted = HacTrainer.start(root, config);
      unstarted.close();
      const printed = await run(["value-map", "--run", root]).then(
        () => expect.fail("value-map of a run without weights must fail"),
        (e: unknown) => report(e),
      );
      expect(printed).to.equal(`${root} has neither a final policy nor a checkpoint yet`);
      const stopped = HacTrainer.resume(root);
      await stopped.run({ until: 40 });
      stopped.close();
      expect(await run(["value-map", "--run", root, "--out", join(dir, "mid")])).to.deep.equal({
        code: 0,
        out: `value map written: ${join(dir, "mid")}.{json,svg}`,
      });
      expect(readFileSync(join(dir, "mid.svg"), "utf8")).to.include("checkpoint at step 40");
      const finished = HacTrainer.resume(root);
      await finished.run();
      finished.close();
      expect((await run(["value-map", "--run", root, "--out", join(dir, "end")])).code).to.equal(0);
      expect(readFileSync(join(dir, "end.svg"), "utf8")).to.include("final policy");
      expect((JSON.parse(readFileSync(join(dir, "end.json"), "utf8")) as { q: number[] }).q).to.have.length(80 * 80);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names bad flags and unknown commands", async () => {
    let error: unknown;
    try {
      await run(["demo", "--seed", "zero"]);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(UsageError);
    expect((error as Error).message).to.equal('--seed must be an integer, got "zero"');
    expect((await run(["frobnicate"])).code).to.equal(2);
  });

  it("collect --env-kwargs collects under that reward and records it in the file; a bad one is named", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rg-collect-"));
    try {
      const out = join(dir, "reach.demos");
      const kwargs = { distanceMetric: "l1", distanceThreshold: 0.5 };
      const { code } = await run([
        "collect",
        "--env",
        "PointMassReach-v0",
        "--source",
        "expert",
        "--episodes",
        "2",
        "--env-kwargs",
        JSON.stringify(kwargs),
        "--out",
        out,
      ]);
      expect(code).to.equal(0);
      const set = readDemoFile(out);
      expect(set.envKwargs).to.deep.equal(kwargs);
      expect(set.episodeLengths).to.have.length(2);
      for (const [argv, message] of [
        [["--env-kwargs", "{distanceThreshold: 0.5}"], '--env-kwargs must be a JSON object, got "{distanceThreshold: 0.5}" (not JSON)'],
        [["--env-kwargs", "[0.5]"], "--env-kwargs must be a JSON object, got [0.5]"],
      ] as const) {
        const error = await run([
          "collect",
          "--env",
          "PointMassReach-v0",
          "--source",
          "expert",
          "--episodes",
          "1",
          ...argv,
          "--out",
          join(dir, "bad.demos"),
        ]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(UsageError);
        expect((error as Error).message).to.equal(message);
      }
      expect(existsSync(join(dir, "bad.demos"))).to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a bad config, a missing run or experiment in one line, and starts no run directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rapier-gym-cli-"));
    try {
      const bad = join(dir, "bad.json");
      writeFileSync(bad, JSON.stringify({ sac: { hiden: [1] } }));
      const failures: [string[], RegExp][] = [
        [
          ["train", "--env", "PointMassPush-v0", "--steps", "100", "--config", bad, "--out", join(dir, "run")],
          /^unknown SAC hyperparameter "sac\.hiden"/,
        ],
        [
          ["train", "--algo", "hac", "--env", "PointMassPush-v0", "--steps", "100", "--config", bad, "--out", join(dir, "run")],
          /^train: bad training config: config: Unrecognized key: "sac"$/,
        ],
        [["eval", "--run", join(dir, "none")], /none is not a run directory: no config\.json$/],
        [["value-map", "--run", join(dir, "none")], /none is not a run directory: no config\.json$/],
        [["experiment", "E99"], new RegExp(`^no experiment E99: the experiments are ${experimentIds().join(", ")}$`)],
        [["experiment"], /^experiment needs an id: one of E1, E1b, E1c, E1d, E1e, E4, /],
      ];
      for (const [argv, message] of failures) {
        const printed = await printedFailure(argv);
        expect(printed).to.match(message);
        expect(printed).to.not.match(/\n\s+at /);
      }
      expect(existsSync(join(dir, "run"))).to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("train takes algo and seed from --config unless the command line gives them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rapier-gym-cli-"));
    try {
      const file = join(dir, "config.json");
      writeFileSync(file, JSON.stringify({ algo: "hac", env: "PointMassReach-v0", steps: 50, seed: 3, startSteps: 10 }));
      const trained = (out: string): { algo: string; seed: number } =>
        JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as { algo: string; seed: number };
      expect((await run(["train", "--config", file, "--out", join(dir, "from-file")])).code).to.equal(0);
      expect(trained(join(dir, "from-file"))).to.include({ algo: "hac", seed: 3 });
      expect((await run(["train", "--config", file, "--seed", "5", "--out", join(dir, "flag")])).code).to.equal(0);
      expect(trained(join(dir, "flag"))).to.include({ algo: "hac", seed: 5 });
      writeFileSync(file, JSON.stringify({ env: "PointMassReach-v0", steps: 50, seed: "three" }));
      expect(await printedFailure(["train", "--config", file, "--out", join(dir, "bad")])).to.equal(
        `${file}: "seed" is "three", not a valid seed`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("train refuses a run directory another process is training, and leaves it as it was", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rapier-gym-cli-"));
    try {
      const runDir = join(dir, "run");
      mkdirSync(runDir);
      const config = JSON.stringify({ algo: "sac", env: "PointMassReach-v0", steps: 100, seed: 0 });
      writeFileSync(join(runDir, "config.json"), config);
      // This test's own process stands for the trainer that holds the run.
      const lock = JSON.stringify({ host: thisHost(), pid: process.pid, heartbeat: Date.now() });
      writeFileSync(join(runDir, "train.lock"), lock);
      for (const argv of [
        ["train", "--resume", "--out", runDir],
        ["train", "--env", "PointMassReach-v0", "--steps", "100", "--out", runDir],
      ]) {
        const printed = await printedFailure(argv);
        expect(printed).to.equal(
          `${runDir} is being trained by process ${process.pid} on ${thisHost()} (${join(runDir, "train.lock")}); stop it first, or delete the lock if no such process trains it`,
        );
      }
      expect(readdirSync(runDir).sort()).to.deep.equal(["config.json", "train.lock"]);
      expect(readFileSync(join(runDir, "config.json"), "utf8")).to.equal(config);
      expect(readFileSync(join(runDir, "train.lock"), "utf8")).to.equal(lock);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
