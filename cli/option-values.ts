/**
 * Flag values as the commands take them: parseArgs hands every value over as text, and each is
 * checked here, so that a bad one is refused naming the flag and what it got.
 */
import { backendOrder, type BackendName } from "../agents/nn/backend-names.js";
import { UsageError } from "./usage-error.js";

/** The `--backend` values: the one place that lists them, for the usage and the check alike. */
export const BACKEND_NAMES: readonly BackendName[] = backendOrder;

export function integer(text: string, flag: string): number {
  const v = Number(text);
  if (!Number.isInteger(v)) throw new UsageError(`${flag} must be an integer, got "${text}"`);
  return v;
}

export function positiveInt(text: string, flag: string): number {
  const v = integer(text, flag);
  if (v <= 0) throw new UsageError(`${flag} must be positive, got ${v}`);
  return v;
}

export function jsonObject(text: string, flag: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UsageError(`${flag} must be a JSON object, got ${JSON.stringify(text)} (not JSON)`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new UsageError(`${flag} must be a JSON object, got ${text}`);
  return v as Record<string, unknown>;
}

export function backendName(text: string): BackendName {
  const known: readonly string[] = BACKEND_NAMES;
  if (!known.includes(text))
    throw new UsageError(`--backend must be ${BACKEND_NAMES.slice(0, -1).join(", ")} or ${BACKEND_NAMES.at(-1)!}, got "${text}"`);
  return text as BackendName;
}

/** Where a command that listens binds: a port in range, and a token for any host but loopback. */
export async function listenArgs(
  command: string,
  values: { host: string; port: string; token?: string | undefined },
): Promise<{ host: string; port: number; token?: string }> {
  const port = integer(values.port, "--port");
  if (port < 0 || port > 65535) throw new UsageError(`--port must be in 0..65535, got ${port}`);
  const { isLoopback } = await import("../server/server.js");
  if (!isLoopback(values.host) && values.token === undefined)
    throw new UsageError(`${command} --host ${values.host} exposes the simulator beyond this machine: pass --token`);
  return { host: values.host, port, ...(values.token !== undefined ? { token: values.token } : {}) };
}
