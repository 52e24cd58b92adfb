/**
 * The Python client's own unittest suite, run against real servers (one open, one with a token,
 * and three more that make a fleet of four with the open one).
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
    const fleet = [open, ...(await Promise.all([0, 1, 2].map(() => RapierGymServer.start({ port: 0 }))))];
    try {
      const child = spawn(python, ["-m", "unittest", "discover", "-s", "tests", "-v"], {
        cwd: CLIENT_DIR,
        env: {
          ...process.env,
          RAPIER_GYM_URL: open.url,
          RAPIER_GYM_TOKEN_URL: guarded.url,
          RAPIER_GYM_TOKEN: "py-token",
          RAPIER_GYM_FLEET_URLS: fleet.map((s) => s.url).join(","),
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      expect(code, output).to.equal(0);
      const ran = /Ran (\d+) tests?/.exec(output);
      expect(Number(ran?.[1]), output).to.be.greaterThanOrEqual(26);
      expect(output, "the fleet tests ran").to.match(/test_one_server_and_four_give_the_same_episodes_for_the_same_seed .* ok/);
      expect(output, "no Python test may be skipped here").to.not.match(/skipped/);
      expect(fleet.map((s) => s.stats().envs)).to.deep.equal([0, 0, 0, 0]);
    } finally {
      await Promise.all([...fleet, guarded].map((s) => s.close()));
    }
  });
});
