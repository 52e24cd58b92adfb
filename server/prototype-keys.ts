/**
 * Keys that name JavaScript's object machinery rather than data. JSON.parse makes `"__proto__"`
 * an ordinary own key, which zod's records then drop without a word: `reset` with
 * `options: {"__proto__": {...}}` went through as `options: {}`, where `{"foo": 1}` is refused. No
 * field of the protocol has such a name at any depth, so a request that carries one is refused
 * the way an unknown key in the same place is.
 */
import type { ErrorCode } from "../protocol/messages.js";
import { ProtocolError } from "../protocol/protocol-error.js";

const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The path to the first such key in a parsed JSON value, or null. Walked with its own stack, not
 * by recursion: a hostile message can nest thousands of levels deep.
 */
export function prototypeKeyPath(value: unknown): (string | number)[] | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  // Only objects and arrays are pushed: a step's or computeReward's rows of numbers cost no paths.
  const nested = (item: unknown): boolean => typeof item === "object" && item !== null;
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (Array.isArray(v)) {
      v.forEach((item: unknown, i) => nested(item) && stack.push({ value: item, path: [...path, i] }));
    } else if (nested(v)) {
      for (const [key, item] of Object.entries(v as object)) {
        if (PROTOTYPE_KEYS.has(key)) return [...path, key];
        if (nested(item)) stack.push({ value: item, path: [...path, key] });
      }
    }
  }
  return null;
}

/**
 * The refusal of `op` carrying a prototype key at `path`, with the code an unknown key there gets:
 * an env's kwargs refuse theirs as BAD_KWARGS, its reset options as BAD_OPTIONS, the protocol's
 * own strict fields as BAD_REQUEST.
 */
export function prototypeKeyError(op: string, path: readonly (string | number)[]): ProtocolError {
  const where = path.length > 1 ? ` at ${path.slice(0, -1).join(".")}` : "";
  const key = `unrecognized key "${String(path.at(-1))}"${where}`;
  const code: ErrorCode =
    op === "make" && path[0] === "kwargs" ? "BAD_KWARGS" : op === "reset" && path[0] === "options" ? "BAD_OPTIONS" : "BAD_REQUEST";
  const what = code === "BAD_KWARGS" ? "bad kwargs" : code === "BAD_OPTIONS" ? "bad reset options" : `bad ${op} request`;
  return new ProtocolError(code, `${what}: ${key}`);
}
