/**
 * The Python client's own unittest suite, run against real servers (one open, one with a token).
 * Skipped, saying why, only when /usr/bin/python3 or its websockets/numpy modules are missing.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { RapierGymServer } from "../../server/server.js";

const PYTHON = "/usr/bin/python3";
const CLIENT_DIR = fileURLToPath(new URL("../../server/clients/python", import.meta.url));

function missingPython(): string | null {
  const probe = spawnSync(PYTHON, ["-c", "import websockets, numpy"], { encoding: "utf8" });
  if (probe.error) return `${PYTHON} is not installed (apt-get install python3 python3-websockets python3-numpy)`;
  if (probe.status !== 0) return `${PYTHON} lacks websockets or numpy (apt-get install python3-websockets python3-numpy): ${probe.stderr.trim().split("\n").at(-1)}`;
  return null;
}

describe("server: Python client", () => {
  it("passes its unittest suite against a real server", async function () {
    this.timeout(120_000);
    const missing = missingPython();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    const open = await RapierGymServer.start({ port: 0 });
    const guarded = await RapierGymServer.start({ port: 0, token: "py-token" });
    try {
      const child = spawn(PYTHON, ["-m", "unittest", "discover", "-s", "tests", "-v"], {
        cwd: CLIENT_DIR,
        env: { ...process.env, RAPIER_GYM_URL: open.url, RAPIER_GYM_TOKEN_URL: guarded.url, RAPIER_GYM_TOKEN: "py-token" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      expect(code, output).to.equal(0);
      const ran = /Ran (\d+) tests?/.exec(output);
      expect(Number(ran?.[1]), output).to.be.greaterThanOrEqual(10);
      expect(output, "no Python test may be skipped here").to.not.match(/skipped/);
      expect(open.stats().envs).to.equal(0);
    } finally {
      await open.close();
      await guarded.close();
    }
  });
});
