#!/usr/bin/env node
// The installed `rapier-gym` command: runs the TypeScript CLI through tsx.
import { tsImport } from "tsx/esm/api";

const { main, report } = await tsImport("./main.ts", import.meta.url);
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`rapier-gym: ${report(e)}\n`);
  process.exitCode = 1;
}
