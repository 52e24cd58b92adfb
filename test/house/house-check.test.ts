import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { houseProblems, MAX_LINES } from "./house-check.js";

/** A tree of files under a fresh temporary root. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "house-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const NOTES = "# Notes\n\n## §1 Worlds\n\n### §1.2 Physics\n\n### §1.20 Later\n";

describe("the house check", () => {
  it("names each folder cycle, import from test/, long file and unresolved citation, and nothing else", () => {
    const root = tree({
      "a/x.ts": 'import { y } from "../b/y.js";\nexport const x = y;\n',
      "a/z.ts": "export const z = 1;\n",
      "b/y.ts": 'import { z } from "../a/z.js";\nexport const y = z;\n',
      "c/long.ts": "export {};\n".repeat(MAX_LINES + 1),
      "c/short.ts": "export {};\n".repeat(MAX_LINES),
      "c/uses-test.ts": 'import type { H } from "../test/helper.js";\nexport type U = H;\n',
      "test/helper.ts": "export type H = number;\n".repeat(MAX_LINES + 1),
      "docs/notes.md": NOTES,
      "d/cite.ts": [
        "/**",
        " * Fine: docs/notes.md §1.2, then §1 and §1.20 of the same.",
        " * Missing: docs/notes.md §1.3, then §1.2.1, and seed-code-notes §3.5 and DESIGN.md.",
        " */",
        'export const s = "seed-code-notes §3.5 in a string is no citation";',
        "",
      ].join("\n"),
      "d/bare.ts": "/** §2 with no document before it. */\nexport {};\n",
    });
    try {
      expect(houseProblems(root)).to.have.members([
        "c/long.ts has 401 lines (at most 400)",
        "c/uses-test.ts imports test/helper.ts from test/",
        "import cycle between folders a, b: a/x.ts → b/y.ts; b/y.ts → a/z.ts",
        "d/cite.ts:3: cites docs/notes.md §1.3, which has no such section",
        "d/cite.ts:3: cites docs/notes.md §1.2.1, which has no such section",
        "d/cite.ts:3: cites seed-code-notes §3.5, which is not in the repository",
        "d/cite.ts:3: cites DESIGN.md, which is not in the repository",
        "d/bare.ts:1: §2 names no document",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("passes a tree that keeps the rules", () => {
    const root = tree({
      "a/x.ts": 'import { z } from "./z.js";\nimport { y } from "../b/y.js";\nexport const x = y + z;\n',
      "a/z.ts": "export const z = 1;\n",
      "b/y.ts": "export const y = 2;\n",
      "docs/notes.md": NOTES,
      "d/cite.ts": "// docs/notes.md §1.2, and §1 of it.\nexport {};\n",
      "test/a/x.test.ts": 'import { x } from "../../a/x.js";\nexport const t = x;\n',
    });
    try {
      expect(houseProblems(root)).to.deep.equal([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
