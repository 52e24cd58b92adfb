/** The simulator's public API. Importing it registers every env. */
import "./envs.js";

export * from "./core/env.js";
export { Box, Dict, spaceFromJSON, type Space, type SpaceJSON } from "./core/spaces.js";
export { Rng } from "./core/rng.js";
export { make, register, envIds, registration, specInfo, type EnvMaker, type EnvRegistration, type SpecInfo } from "./registry.js";
export { checkEnv } from "./check-env.js";
export { TimeFeature } from "./wrappers/time-feature.js";
export { TimeLimit } from "./wrappers/time-limit.js";
export { OrderEnforcing } from "./wrappers/order-enforcing.js";
export { PassiveEnvChecker } from "./wrappers/passive-env-checker.js";
export type { Frame, SceneDescription } from "./physics/scene.js";
