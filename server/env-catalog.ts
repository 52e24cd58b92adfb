/**
 * Where a session gets its envs: the registry by default. A seam rather than a direct call to
 * `make`, so that tests can host an env that fails in ways the real ones never do (INTERNAL).
 */
import { envIds, make } from "../sim/index.js";
import { SyncVectorEnv } from "../sim/vector/sync-vector-env.js";
import { SingleHostedEnv, VectorHostedEnv, type HostedEnv } from "./hosted-env.js";

export interface EnvCatalog {
  ids(): string[];
  /** Builds `numEnvs` envs of `id`: a single env for 1, a vector env (stepped in one message) above. */
  open(id: string, kwargs: Record<string, unknown>, numEnvs: number): HostedEnv;
}

export const registryCatalog: EnvCatalog = {
  ids: envIds,
  open: (id, kwargs, numEnvs) =>
    numEnvs === 1 ? new SingleHostedEnv(make(id, kwargs)) : new VectorHostedEnv(new SyncVectorEnv(id, numEnvs, kwargs)),
};
