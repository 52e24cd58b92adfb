import { expect } from "chai";
import { houseProblems } from "./house-check.js";

describe("the house", () => {
  it("has no folder cycle, no import from test/, no file over 400 lines and no dangling citation", () => {
    const problems = houseProblems(new URL("../..", import.meta.url).pathname);
    expect(problems, `\n${problems.join("\n")}\n`).to.deep.equal([]);
  });
});
