/**
 * How to start a worker thread on one of this project's modules. Run from TypeScript sources
 * (tsx), a worker does not inherit the loader on Node 20, so the thread starts with a one-line
 * script that loads the module through tsx's API; run from JavaScript, it starts on the file.
 */
export function workerEntry(moduleUrl: URL): [string | URL, { eval?: boolean }] {
  if (!moduleUrl.pathname.endsWith(".ts")) return [moduleUrl, {}];
  const tsx = import.meta.resolve("tsx/esm/api");
  return [
    `import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(moduleUrl.href)}, ${JSON.stringify(import.meta.url)}))`,
    { eval: true },
  ];
}

/** A sibling module of `importMetaUrl`, in the same language (.ts or .js) as the caller. */
export function siblingModule(importMetaUrl: string, stem: string): URL {
  return new URL(`./${stem}${importMetaUrl.endsWith(".ts") ? ".ts" : ".js"}`, importMetaUrl);
}
