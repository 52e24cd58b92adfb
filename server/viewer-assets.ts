/**
 * The viewer's files, as `rapier-gym serve` hands them out over HTTP: viewer/index.html and
 * viewer/style.css as they are, and viewer/main.ts bundled by esbuild (three.js and zod inside)
 * the first time it is asked for. The bundle is built from the sources by the code that serves
 * it, in memory, once per process: nothing built is committed, and a fresh clone serves the page
 * after `npm ci` alone.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const VIEWER_DIR = fileURLToPath(new URL("../viewer/", import.meta.url));

export interface Asset {
  contentType: string;
  body: Buffer | string;
}

let bundle: Promise<string> | null = null;

/** Builds the bundle now (once per process), so that the first page load does not wait for it. */
export function viewerBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [`${VIEWER_DIR}main.ts`],
    bundle: true,
    write: false,
    format: "esm",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  }).then((r) => r.outputFiles[0]!.text);
  // A failed build is reported to whoever asked, and tried again on the next request.
  bundle.catch(() => {
    bundle = null;
  });
  return bundle;
}

/** The asset behind an HTTP path, or null for a path the viewer does not have. */
export async function viewerAsset(path: string): Promise<Asset | null> {
  switch (path) {
    case "/":
    case "/index.html":
      return { contentType: "text/html; charset=utf-8", body: await readFile(`${VIEWER_DIR}index.html`) };
    case "/style.css":
      return { contentType: "text/css; charset=utf-8", body: await readFile(`${VIEWER_DIR}style.css`) };
    case "/viewer.js":
      return { contentType: "text/javascript; charset=utf-8", body: await viewerBundle() };
    default:
      return null;
  }
}
