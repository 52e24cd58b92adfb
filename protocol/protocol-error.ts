import type { ErrorCode } from "./messages.js";

/**
 * A request the server refuses: its code goes in the error reply, its message names the problem.
 * Both ends hold it: the server throws one to answer, ProtocolClient rejects with the one it got.
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ProtocolError";
  }
}
