import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const SPAWN_MODULE = new URL("../../cli/spawn-cli.ts", import.meta.url).pathname;

/** The pids of the processes whose command line holds `marker` (read from /proc, as pgrep -f). */
function pidsWith(marker: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
      } catch {
        return false; // it ended while we looked
      }
    })
    .map(Number);
}

describe("the experiment's children (spawn-cli)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-spawn-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("end with the process that started them, even when it exits without waiting for them", async function () {
    this.timeout(60_000);
    // A parent that starts a server child (which runs until stopped), then exits as a crash would.
    const marker = `spawn-cli-test-${process.pid}-${Date.now()}`;
    const script = [
      `const { spawnCli } = await import(${JSON.stringify(SPAWN_MODULE)});`,
      // The marker comes in the environment, so that only the child's command line holds it.
      `void spawnCli(["serve", "--port", "0", "--token", process.env.MARKER], ${JSON.stringify(join(dir, "serve.log"))});`,
      `setTimeout(() => process.exit(3), 4000);`,
    ].join("\n");
    const parent = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: "inherit",
      env: { ...process.env, MARKER: marker },
    });
    // The child is up while its parent lives.
    let seen: number[] = [];
    for (let i = 0; i < 30 && seen.length === 0; i++) {
      await sleep(100);
      seen = pidsWith(marker);
    }
    expect(seen, "the server child while its parent lives").to.have.length(1);
    const code = await new Promise<number | null>((resolve) => parent.once("exit", resolve));
    expect(code).to.equal(3);
    for (let i = 0; i < 50 && pidsWith(marker).length > 0; i++) await sleep(100);
    expect(pidsWith(marker), "the server child after its parent exited").to.deep.equal([]);
  });
});
