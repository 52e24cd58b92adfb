/**
 * The house rules the tree is held to, checked over a repository's files: no import cycle between
 * folders of production code, no production import from test/, no production file over 400 lines,
 * and every document a code comment cites (the original code's notes, the design document, a page
 * of docs/, with or without a section sign and number) present in the repository, with a heading
 * carrying that section.
 *
 * Our own rather than dependency-cruiser or madge: both find cycles between modules, but neither
 * validates cycles between folders (dependency-cruiser collapses folders only when drawing), and
 * neither knows line counts or citations; TypeScript's own parser reads the imports and comments.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";

/** Longest production file, in lines. */
export const MAX_LINES = 400;

/** Top-level folders that are not production code: tests, data, generated files, tooling. */
const NOT_PRODUCTION = new Set(["test", "node_modules", "results", "docs", "policies", "scratch"]);

/**
 * The original code's notes by their old name, a path to a markdown file, or a bare upper-case
 * one (a lower-case name, like a results folder's report.md, is output, not a citation), then
 * optionally a section.
 */
const CITATION =
  /((?:[\w.-]+\/)*seed-code-notes(?:\.md)?|(?:[\w.-]+\/)+[\w.-]+\.md|[A-Z][A-Z_-]*\.md)(?:`?,?\s+(?:§\s?|section\s)(\d+(?:\.\d+)*))?/g;
/** A bare section sign and number: it cites the document last named before it in the same file. */
const BARE_SECTION = /§\s?(\d+(?:\.\d+)*)/g;

/** The repository-relative paths of the .ts files under `root`, skipping dot folders and runs. */
export function tsFiles(root: string, dir = ""): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.name.startsWith(".") || entry.name === "node_modules" || entry.name === "runs") return [];
    if (entry.isDirectory()) return tsFiles(root, path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function isProduction(path: string): boolean {
  return path.includes("/") && !NOT_PRODUCTION.has(path.split("/")[0]!);
}

/** The repository-relative files a file imports (relative specifiers only; `.js` names its `.ts`). */
function importsOf(root: string, file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(root, file), "utf8"), true, true);
  return info.importedFiles
    .filter((i) => i.fileName.startsWith("."))
    .map((i) => normalize(join(dirname(file), i.fileName)).replace(/\.js$/, ".ts"));
}

/** Folders in import cycles: each strongly connected group of the folder graph, with one import per edge as evidence. */
function folderCycles(edges: Map<string, Map<string, string>>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const problems: string[] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) visit(w);
      if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, low.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group = stack.splice(stack.indexOf(v));
    if (group.length < 2) return;
    const evidence = group.flatMap((a) => [...(edges.get(a) ?? [])].filter(([b]) => group.includes(b)).map(([, imp]) => imp));
    problems.push(`import cycle between folders ${[...group].sort().join(", ")}: ${evidence.sort().join("; ")}`);
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return problems;
}

/** Whether a markdown file has a heading carrying the section sign and number (3.1 not matching 3.10). */
function hasSection(text: string, section: string): boolean {
  const escaped = section.replace(/\./g, "\\.");
  return new RegExp(`^#+ .*§\\s?${escaped}(?![\\d]|\\.\\d)`, "m").test(text);
}

/** The comments of a TypeScript file, each line with its line number: citations live there, not in strings. */
function commentLines(text: string): { line: number; text: string }[] {
  const source = ts.createSourceFile("file.ts", text, ts.ScriptTarget.Latest, false);
  const ranges = new Map<number, ts.CommentRange>();
  const visit = (node: ts.Node): void => {
    for (const r of [
      ...(ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []),
      ...(ts.getTrailingCommentRanges(text, node.end) ?? []),
    ])
      ranges.set(r.pos, r);
    ts.forEachChild(node, visit);
  };
  visit(source);
  visit(source.endOfFileToken);
  return [...ranges.values()]
    .sort((a, b) => a.pos - b.pos)
    .flatMap((r) => {
      const first = source.getLineAndCharacterOfPosition(r.pos).line + 1;
      return text
        .slice(r.pos, r.end)
        .split("\n")
        .map((line, i) => ({ line: first + i, text: line }));
    });
}

/** The problems of one file's citations: a document the repository lacks, or a section it lacks. */
function citationProblems(root: string, file: string): string[] {
  const problems: string[] = [];
  let lastDocument: string | null = null;
  const sectionProblem = (where: string, path: string, section: string): string[] =>
    !existsSync(path)
      ? [`${where}: §${section} cites ${relative(root, path)}, which is not in the repository`]
      : hasSection(readFileSync(path, "utf8"), section)
        ? []
        : [`${where}: cites ${relative(root, path)} §${section}, which has no such section`];
  const source = readFileSync(join(root, file), "utf8");
  // Parsing is the slow part: most files cite nothing.
  if (!/\.md\b|§|seed-code-notes/.test(source)) return [];
  for (const { line, text } of commentLines(source)) {
    const where = `${file}:${line}`;
    const named = [...text.matchAll(CITATION)];
    const sectionStarts = new Set(named.flatMap((m) => (m[2] === undefined ? [] : [m.index + m[0].length - m[2].length])));
    const bare = [...text.matchAll(BARE_SECTION)].filter((m) => !sectionStarts.has(m.index + m[0].length - m[1]!.length));
    // In the order they stand: a bare section cites whatever was named last before it.
    for (const m of [...named, ...bare].sort((a, b) => a.index - b.index)) {
      if (m.length === 2) {
        // a bare section: one group, no document name
        if (lastDocument === null) problems.push(`${where}: §${m[1]} names no document`);
        else problems.push(...sectionProblem(where, lastDocument, m[1]!));
        continue;
      }
      const name = m[1]!.replace(/^(\.\/)+/, "");
      const path = [join(root, name), join(root, dirname(file), name), join(root, `${name}.md`)].find((p) => existsSync(p));
      lastDocument = path ?? join(root, name);
      if (path === undefined) problems.push(`${where}: cites ${name}${m[2] ? ` §${m[2]}` : ""}, which is not in the repository`);
      else if (m[2] !== undefined) problems.push(...sectionProblem(where, path, m[2]));
    }
  }
  return problems;
}

/** Every breach of the house rules under `root`, one line each naming the files involved. */
export function houseProblems(root: string): string[] {
  const files = tsFiles(root);
  const production = files.filter(isProduction);
  const problems: string[] = [];
  const edges = new Map<string, Map<string, string>>();
  for (const file of production) {
    for (const target of importsOf(root, file)) {
      if (target.split("/")[0] === "test") problems.push(`${file} imports ${target} from test/`);
      const [from, to] = [dirname(file), dirname(target)];
      if (from === to || !isProduction(target)) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, `${file} → ${target}`);
    }
    const lines = readFileSync(join(root, file), "utf8").replace(/\n$/, "").split("\n").length;
    if (lines > MAX_LINES) problems.push(`${file} has ${lines} lines (at most ${MAX_LINES})`);
  }
  problems.push(...folderCycles(edges));
  for (const file of files) problems.push(...citationProblems(root, file));
  return problems;
}
