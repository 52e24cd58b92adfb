/**
 * The server's ops as a table with one handler per op, each typed from its op's request and
 * result schemas (protocol/messages.ts): a handler whose result strays from its op's schema, or
 * an op of the protocol that no handler answers, fails to compile. What the types cannot see (a
 * NaN, a typed array where the schema has a number[]) the reply check below catches, where
 * wanted.
 */
import { resultSchemas, serverEvent, type Op, type OpRequest, type Result, type ServerEvent } from "../protocol/messages.js";
import { describeIssues } from "./describe-issues.js";

export type OpHandler<O extends Op> = (request: OpRequest<O>) => Result<O>;
export type OpHandlers = { readonly [O in Op]: OpHandler<O> };

/** Runs `request` through its op's handler; `op` is the request's own, passed apart so that TypeScript pairs the two. */
export function dispatch<O extends Op>(handlers: OpHandlers, op: O, request: OpRequest<O>): Result<O> {
  return handlers[op](request);
}

/**
 * Throws when `result` does not parse with `op`'s result schema: a server bug, answered as
 * INTERNAL. A check only (what is sent is `result` as it is: zod's parse would strip keys),
 * paid for only where it is switched on (ServerOptions.checkReplies): a step's parse is a few
 * microseconds beside a round trip of about a hundred.
 */
export function checkResult(op: Op, result: unknown): void {
  const checked = resultSchemas[op].safeParse(result);
  if (!checked.success) throw new Error(`the server's ${op} result does not match its schema: ${describeIssues(checked.error.issues)}`);
}

/** As checkResult, for a push. */
export function checkEvent(event: ServerEvent): void {
  const checked = serverEvent.safeParse(event);
  if (!checked.success)
    throw new Error(`the server's ${event.event} event does not match its schema: ${describeIssues(checked.error.issues)}`);
}
