import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shippedPolicies } from "../../cli/demo-command.js";

describe("cli/demo-command shippedPolicies", () => {
  it("lists the run directories with a policy, hierarchies first, each group by name", () => {
    const dir = mkdtempSync(join(tmpdir(), "demo-policies-"));
    try {
      const run = (name: string, hierarchy: boolean): void => {
        mkdirSync(join(dir, name, "policy"), { recursive: true });
        if (hierarchy) writeFileSync(join(dir, name, "policy", "hac.json"), "{}");
      };
      run("pandapush-v0-sac", false);
      run("push-hac-seed0", true);
      run("a-flat", false);
      run("z-hac", true);
      mkdirSync(join(dir, "no-policy-yet")); // a run still training: no policy/
      writeFileSync(join(dir, "README.md"), "");
      expect(shippedPolicies(dir).map((d) => d.slice(dir.length + 1))).to.deep.equal([
        "push-hac-seed0",
        "z-hac",
        "a-flat",
        "pandapush-v0-sac",
      ]);
      expect(shippedPolicies(join(dir, "absent"))).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
