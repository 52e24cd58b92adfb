/**
 * The Python client's own unittest suite, run against real servers (one open, one with a token).
 * Skipped, saying how to enable it, when no python3 with websockets and numpy is found (failed
 * instead under CI): test/external-tools.ts.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { RapierGymServer } from "../../server/server.js";
import { findPython, requireTool } from "../external-tools.js";

const CLIENT_DIR = fileURLToPath(new URL("../../client/python", import.meta.url));

describe("server: Python client", () => {
  it("passes its unittest suite against a real server", async function () {
    this.timeout(120_000);
    const python = requireTool(this, "the Python client's tests", findPython());
    const open = await RapierGymServer.start({ port: 0 });
    const guarded = await RapierGymServer.start({ port: 0, token: "py-token" });
    try {
      const child = spawn(python, ["-m", "unittest", "discover", "-s", "tests", "-v"], {
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
      expect(Number(ran?.[1]), output).to.be.greaterThanOrEqual(16);
      expect(output, "no Python test may be skipped here").to.not.match(/skipped/);
      expect(open.stats().envs).to.equal(0);
    } finally {
      await open.close();
      await guarded.close();
    }
  });
});
