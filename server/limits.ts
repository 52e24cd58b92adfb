/**
 * What one server lets its clients use. Each has a default and a `rapier-gym serve` flag, so that
 * a shared server cannot be exhausted by one careless or hostile client.
 */
export interface ServerLimits {
  /** Larger frames close the socket (code 1009): the frame is never parsed. @defaultValue 1 MiB */
  maxMessageBytes: number;
  /** Connections beyond this get a LIMIT error and are closed. @defaultValue 256 */
  maxConnections: number;
  /** Envs one connection may hold open; a vector env counts numEnvs. @defaultValue 64 */
  maxEnvsPerConnection: number;
  /** A connection that sends nothing for this long is closed and its envs freed (half-open sockets). @defaultValue 5 min */
  idleTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxMessageBytes: 1 << 20,
  maxConnections: 256,
  maxEnvsPerConnection: 64,
  idleTimeoutMs: 5 * 60_000,
};
