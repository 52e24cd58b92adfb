import { expect } from "chai";
import { main, UsageError } from "../../cli/main.js";
import { envIds } from "../../sim/index.js";

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

describe("rapier-gym command", () => {
  it("envs --json lists every id with its spaces and episode length", async () => {
    const { code, out } = await run(["envs", "--json"]);
    expect(code).to.equal(0);
    const rows = JSON.parse(out) as { id: string; maxEpisodeSteps: number; observationSpace: { type: string }; actionSpace: { type: string; shape: number[] } }[];
    expect(rows.map((r) => r.id)).to.deep.equal(envIds());
    const push = rows.find((r) => r.id === "PointMassPush-v0")!;
    expect(push.maxEpisodeSteps).to.equal(200);
    expect(push.observationSpace.type).to.equal("Dict");
    expect(push.actionSpace).to.include({ type: "Box" });
    expect(push.actionSpace.shape).to.deep.equal([2]);
  });

  it("demo runs the expert and reports its success rate", async () => {
    const { code, out } = await run(["demo", "--episodes", "2"]);
    expect(code).to.equal(0);
    expect(out).to.match(/PointMassPush-v0: scripted expert succeeded in \d\/2 episodes/);
  });

  it("names bad flags and unknown commands", async () => {
    let error: unknown;
    try {
      await run(["demo", "--episodes", "zero"]);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(UsageError);
    expect((error as Error).message).to.equal('--episodes must be an integer, got "zero"');
    expect((await run(["frobnicate"])).code).to.equal(2);
  });
});
