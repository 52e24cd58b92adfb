import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { commitTemp, isTempName, writeFileAtomic, writeTempFile } from "../../../agents/run/atomic-write.js";

describe("atomic writes", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "atomic-write-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("replaces a file's content", () => {
    const path = join(dir, "config.json");
    writeFileAtomic(path, "old");
    writeFileAtomic(path, new TextEncoder().encode("new"));
    expect(readFileSync(path, "utf8")).to.equal("new");
    expect(readdirSync(dir)).to.deep.equal(["config.json"]);
  });

  it("leaves the old file intact when interrupted before the rename", () => {
    const path = join(dir, "config.json");
    writeFileSync(path, "old");
    // A kill after the temp file is written and before it is renamed:
    const temp = writeTempFile(path, "half of the new con");
    expect(readFileSync(path, "utf8")).to.equal("old");
    expect(dirname(temp)).to.equal(dir);
    expect(isTempName(basename(temp))).to.equal(true);
    expect(isTempName("config.json")).to.equal(false);
    // The next write does not trip over the stray temp file.
    writeFileAtomic(path, "new");
    expect(readFileSync(path, "utf8")).to.equal("new");
  });

  it("commits a finished temp file in one rename", () => {
    const path = join(dir, "latest");
    const temp = writeTempFile(path, "step-1");
    expect(existsSync(path)).to.equal(false);
    commitTemp(temp, path);
    expect(readFileSync(path, "utf8")).to.equal("step-1");
    expect(existsSync(temp)).to.equal(false);
  });
});
