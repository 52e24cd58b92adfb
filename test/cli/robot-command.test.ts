import { expect } from "chai";
import { main } from "../../cli/main.js";
import { UsageError } from "../../cli/usage-error.js";

/** What `rapier-gym robot ...` prints, run in process. */
async function printed(argv: string[]): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    expect(await main(argv)).to.equal(0);
    return lines.join("\n");
  } finally {
    console.log = log;
  }
}

describe("rapier-gym robot", () => {
  it("lists the Panda's joints with Franka's limits", async () => {
    const out = await printed(["robot", "panda"]);
    expect(out).to.match(/panda_joint4 +revolute +-3\.0718 +-0\.0698 +2\.1750 +87\.0000/);
    expect(out).to.match(/panda_finger_joint2 +prismatic .*\(mimics panda_finger_joint1\)/);
  });

  it("prints the flange pose of Franka's checks with --fk", async () => {
    expect(await printed(["robot", "panda", "--fk", "0,0,0,0,0,0,0"])).to.match(
      /position +\(0\.088000, 0\.000000, 0\.926000\) m[\s\S]*outside the limits of panda_joint4/,
    );
    const ready = await printed(["robot", "panda", "--fk", `0,${-Math.PI / 4},0,${(-3 * Math.PI) / 4},0,${Math.PI / 2},${Math.PI / 4}`]);
    expect(ready).to.match(/position +\(0\.30689\d, 0\.000000, 0\.59028\d\) m/);
  });

  it("takes negative joint angles after --fk as typed, and as --fk=...", async () => {
    const q = "-2.0,0,0,-1,0,1,0";
    const spaced = await printed(["robot", "panda", "--fk", q]);
    expect(spaced).to.match(/at q = \(-2, 0, 0, -1, 0, 1, 0\):\n +position +\(-0\.18687\d, -0\.40832\d, 0\.81889\d\) m/);
    expect(await printed(["robot", "panda", `--fk=${q}`])).to.equal(spaced);
  });

  it("names an unknown robot and a bad --fk", async () => {
    let error: unknown;
    await main(["robot", "ur5"]).catch((e: unknown) => (error = e));
    // By name: under mocha the command module and this test can hold two copies of main.ts.
    expect((error as Error).constructor.name).to.equal(UsageError.name);
    expect((error as Error).message).to.match(/known robot name \(panda\), got "ur5"/);
    await main(["robot", "panda", "--fk", "1,2,x"]).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.match(/--fk needs 7 comma-separated numbers/);
  });
});
