/**
 * Rapier, initialised once. The WASM module must be instantiated before any world exists; a
 * top-level await here means that importing this module is enough, in the main thread and in
 * workers alike.
 */
import RAPIER from "@dimforge/rapier3d-compat";

await RAPIER.init();

export { RAPIER };
