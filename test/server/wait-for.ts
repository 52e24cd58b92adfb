/** Polls `condition` every 10 ms: for server-side effects (freed envs) that follow a socket event. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for a condition`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
