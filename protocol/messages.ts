/**
 * The WebSocket protocol (docs/architecture.md §2.4, docs/protocol.md): zod schemas for every message and nothing
 * else, exported so that every client (RemoteEnv, the tests, the viewer) parses with the same
 * rules as the server.
 *
 * Text frames of JSON. Requests `{id, op, ...params}`; replies `{id, ok: true, result}` or
 * `{id, ok: false, error: {code, message}}`; pushes `{event, ...}` with no id.
 */
import { z } from "zod";
import type { SpaceJSON } from "../sim/core/spaces.js";

/** Bumped on any change an older client could not read (2: frames as integers, markers as an array, no wrapper). */
export const PROTOCOL_VERSION = 2;

/**
 * The first nine are the ones docs/architecture.md §2.4 promises; BAD_KWARGS, BAD_OPTIONS and BAD_SNAPSHOT pass the simulator's
 * own EnvError codes through, so that a client can tell a bad make kwarg from a malformed message.
 * NOT_FOUND names a live session, run or recording the server does not have (the viewer's ops).
 */
export const ERROR_CODES = [
  "BAD_REQUEST",
  "UNKNOWN_OP",
  "UNKNOWN_ENV",
  "UNKNOWN_HANDLE",
  "BAD_ACTION",
  "RESET_NEEDED",
  "LIMIT",
  "UNAUTHORIZED",
  "INTERNAL",
  "BAD_KWARGS",
  "BAD_OPTIONS",
  "BAD_SNAPSHOT",
  "NOT_FOUND",
] as const;
export const errorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCode>;

/** Echoed in the reply; null there when the request's own id could not be read. */
export const requestId = z.union([z.int().min(0), z.string().max(128)]);
export type RequestId = z.infer<typeof requestId>;

export const envHandle = z.int().positive();
/** zod 4's number already refuses NaN and ±Infinity (JSON can carry 1e999, which parses to Infinity). */
const vector = z.array(z.number());
const matrix = z.array(vector);
const jsonObject = z.record(z.string(), z.unknown());

// ---- requests --------------------------------------------------------------------------------

export const helloParams = z.strictObject({
  /** The version the client speaks; the server refuses one it does not. */
  protocol: z.int().optional(),
  /** Required when the server was started with a token and the upgrade carried no bearer header. */
  token: z.string().max(4096).optional(),
});
export const makeParams = z.strictObject({
  env: z.string().max(256),
  kwargs: jsonObject.optional(),
  /** More than 1 builds a vector env stepped in one message (SB3 autoreset). */
  numEnvs: z.int().positive().optional(),
});
export const resetParams = z.strictObject({
  handle: envHandle,
  /** Reseeds; a vector env seeds env i with seed + i. */
  seed: z.int().min(0).optional(),
  options: jsonObject.optional(),
});
export const stepParams = z.strictObject({
  handle: envHandle,
  /** One row for a single env; one row per env (a 2-D array) for a vector env. */
  action: z.union([vector, matrix]),
});
export const computeRewardParams = z.strictObject({
  handle: envHandle,
  /** One goal per row; all rows the same length. */
  achievedGoal: matrix,
  desiredGoal: matrix,
});
export const handleParams = z.strictObject({ handle: envHandle });
export const restoreParams = z.strictObject({ handle: envHandle, snapshot: z.base64() });
export const subscribeParams = z.strictObject({
  handle: envHandle,
  /** Which env of a vector env to watch. @defaultValue 0 */
  index: z.int().min(0).optional(),
});

/** A live session's server-wide id (handles are per connection; sessions are not). */
export const sessionId = z.int().positive();
export const watchParams = z.strictObject({ session: sessionId });
export const setGoalParams = z.strictObject({
  session: sessionId,
  /** The goal marker moved: "goal_0", ... (the scene's markers name them). */
  marker: z.string().max(64),
  /** Where it goes; an env whose goals are planar uses x and y. */
  position: z.tuple([z.number(), z.number(), z.number()]),
});
export const metricsParams = z.strictObject({
  run: z.string().max(1024),
  /** Rows already read: the reply starts at row `from`, so a client polls for what is new. @defaultValue 0 */
  from: z.int().min(0).optional(),
});
export const playbackParams = z.strictObject({ recording: z.string().max(1024), episode: z.int().min(0) });

/** Every request the server understands, keyed by op. */
export const requestSchemas = {
  hello: helloParams.extend({ id: requestId, op: z.literal("hello") }),
  make: makeParams.extend({ id: requestId, op: z.literal("make") }),
  reset: resetParams.extend({ id: requestId, op: z.literal("reset") }),
  step: stepParams.extend({ id: requestId, op: z.literal("step") }),
  computeReward: computeRewardParams.extend({ id: requestId, op: z.literal("computeReward") }),
  snapshot: handleParams.extend({ id: requestId, op: z.literal("snapshot") }),
  restore: restoreParams.extend({ id: requestId, op: z.literal("restore") }),
  subscribe: subscribeParams.extend({ id: requestId, op: z.literal("subscribe") }),
  unsubscribe: subscribeParams.extend({ id: requestId, op: z.literal("unsubscribe") }),
  close: handleParams.extend({ id: requestId, op: z.literal("close") }),
  list: z.strictObject({ id: requestId, op: z.literal("list") }),
  watch: watchParams.extend({ id: requestId, op: z.literal("watch") }),
  unwatch: watchParams.extend({ id: requestId, op: z.literal("unwatch") }),
  setGoal: setGoalParams.extend({ id: requestId, op: z.literal("setGoal") }),
  metrics: metricsParams.extend({ id: requestId, op: z.literal("metrics") }),
  playback: playbackParams.extend({ id: requestId, op: z.literal("playback") }),
};
export type Op = keyof typeof requestSchemas;
/** Any valid request, narrowed by its op. */
export const request = z.discriminatedUnion("op", [
  requestSchemas.hello,
  requestSchemas.make,
  requestSchemas.reset,
  requestSchemas.step,
  requestSchemas.computeReward,
  requestSchemas.snapshot,
  requestSchemas.restore,
  requestSchemas.subscribe,
  requestSchemas.unsubscribe,
  requestSchemas.close,
  requestSchemas.list,
  requestSchemas.watch,
  requestSchemas.unwatch,
  requestSchemas.setGoal,
  requestSchemas.metrics,
  requestSchemas.playback,
]);
export const OPS = Object.keys(requestSchemas) as Op[];
/** A request's own fields, without id and op. */
export type Params<O extends Op> = Omit<z.input<(typeof requestSchemas)[O]>, "id" | "op">;
/** One op's request as the server reads it: parsed, defaults and all. */
export type OpRequest<O extends Op> = z.infer<(typeof requestSchemas)[O]>;

/** What every request has, read first so that an error reply can still echo the id and name the op. */
export const requestEnvelope = z.object({ id: requestId, op: z.string() });

// ---- results ---------------------------------------------------------------------------------

const boxJSON = z.strictObject({
  type: z.literal("Box"),
  low: z.array(z.number().nullable()),
  high: z.array(z.number().nullable()),
  shape: z.array(z.int().min(0)),
  dtype: z.enum(["float32", "float64"]),
});
/** sim/core/spaces.ts's wire form; infinite bounds travel as null. */
export const spaceJSON: z.ZodType<SpaceJSON> = z.lazy(() =>
  z.union([boxJSON, z.strictObject({ type: z.literal("Dict"), spaces: z.record(z.string(), spaceJSON) })]),
);

export const envSpecJSON = z.object({ id: z.string(), kwargs: jsonObject, maxEpisodeSteps: z.int().nullable() });

/** A single env's observation: key -> numbers. */
export const obsJSON = z.record(z.string(), vector);
/** A vector env's observation: key -> one row per env. */
export const vectorObsJSON = z.record(z.string(), matrix);
export const infoJSON = z.looseObject({ is_success: z.boolean().optional() });

export const helloResult = z.object({ protocol: z.int(), server: z.string(), envs: z.array(z.string()) });
export const makeResult = z.object({
  handle: envHandle,
  /** A vector env's spaces are those of one of its envs, as SB3's VecEnv. */
  observationSpace: spaceJSON,
  actionSpace: boxJSON,
  spec: envSpecJSON,
  numEnvs: z.int().positive(),
});
export const resetResult = z.object({ obs: obsJSON, info: infoJSON });
export const stepResult = z.object({ obs: obsJSON, reward: z.number(), terminated: z.boolean(), truncated: z.boolean(), info: infoJSON });
export const vectorResetResult = z.object({ obs: vectorObsJSON, info: z.looseObject({ is_success: z.array(z.boolean()) }) });
export const vectorStepResult = z.object({
  obs: vectorObsJSON,
  reward: z.array(z.number()),
  terminated: z.array(z.boolean()),
  truncated: z.array(z.boolean()),
  info: z.looseObject({
    is_success: z.array(z.boolean()),
    /** Per env: the observation that ended its episode this step (its row in obs is already the next reset's), else null. */
    final_obs: z.array(obsJSON.nullable()),
  }),
});
const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const shapeJSON = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("sphere"), radius: z.number() }),
  z.object({ kind: z.literal("box"), halfExtents: vec3 }),
  z.object({ kind: z.literal("capsule"), halfHeight: z.number(), radius: z.number() }),
  z.object({ kind: z.literal("cylinder"), halfHeight: z.number(), radius: z.number() }),
]);
/** sim/physics/scene.ts's SceneDescription. */
export const sceneJSON = z.object({
  env: z.string(),
  up: z.literal("z"),
  bodies: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(["fixed", "dynamic", "kinematic"]),
      shape: shapeJSON,
      color: z.string(),
      position: vec3,
      rotation: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    }),
  ),
  markers: z.array(z.object({ name: z.string(), shape: shapeJSON, color: z.string(), opacity: z.number() })),
  dt: z.number(),
});
/**
 * sim/physics/scene.ts's Frame as it travels (protocol/wire-frame.ts): integers, positions in
 * millimetres and quaternion components in thousandths (qw ≥ 0); `markers` is aligned with the
 * markers of the scene the receiver last got, null where a marker has no position this frame.
 * Frame events carry these fields themselves, not wrapped in a `frame` object: the wrapper's
 * ten bytes were a twentieth of a PointMassPush frame message's 200-byte budget.
 */
const frameFields = {
  step: z.int().min(0),
  poses: z.array(z.int()),
  markers: z.array(z.tuple([z.int(), z.int(), z.int()]).nullable()),
};
export const frameJSON = z.object(frameFields);
export type FrameJSON = z.infer<typeof frameJSON>;

export const computeRewardResult = z.object({ reward: z.array(z.number()) });
export const snapshotResult = z.object({ snapshot: z.base64() });
export const emptyResult = z.object({});

/** A live session: an env some connection steps, an agent the server runs, or a training run's evaluations. */
export const liveSessionInfo = z.object({
  session: sessionId,
  env: z.string(),
  /** Who steps it, in words: "127.0.0.1:50412 handle 1", "expert", "runs/push-hac". */
  label: z.string(),
  source: z.enum(["client", "agent", "run"]),
  /** Whether setGoal works: only the server's own agents take goals from watchers. */
  takesGoal: z.boolean(),
});
export type LiveSessionInfo = z.infer<typeof liveSessionInfo>;
export const runInfo = z.object({
  /** The run directory as the server was given it; the name metrics asks for. */
  run: z.string(),
  env: z.string().nullable(),
  algo: z.string().nullable(),
});
export type RunInfo = z.infer<typeof runInfo>;
export const recordingInfo = z.object({
  recording: z.string(),
  env: z.string(),
  /** What acted: "expert", a run directory, ... */
  source: z.string(),
  episodes: z.array(z.object({ seed: z.int(), length: z.int().positive() })),
});
export type RecordingInfo = z.infer<typeof recordingInfo>;
export const listResult = z.object({ sessions: z.array(liveSessionInfo), runs: z.array(runInfo), recordings: z.array(recordingInfo) });
export type ListResult = z.infer<typeof listResult>;
/** One metrics.jsonl row cut to the curves' fields (CURVE_FIELDS): step, and whichever of the others it has. */
export const curvePoint = z.record(z.string(), z.number());
export type CurvePoint = z.infer<typeof curvePoint>;
export const metricsResult = z.object({
  run: z.string(),
  rows: z.array(curvePoint),
  /** Pass as `from` to read only what is appended later. */
  next: z.int().min(0),
});
export const playbackResult = z.object({ recording: z.string(), episode: z.int().min(0), scene: sceneJSON, frames: z.array(frameJSON) });

/** The result schema of each op; reset and step have a single-env and a vector form. */
export const resultSchemas = {
  hello: helloResult,
  make: makeResult,
  reset: z.union([resetResult, vectorResetResult]),
  step: z.union([stepResult, vectorStepResult]),
  computeReward: computeRewardResult,
  snapshot: snapshotResult,
  restore: emptyResult,
  subscribe: emptyResult,
  unsubscribe: emptyResult,
  close: emptyResult,
  list: listResult,
  watch: emptyResult,
  unwatch: emptyResult,
  setGoal: emptyResult,
  metrics: metricsResult,
  playback: playbackResult,
} satisfies Record<Op, z.ZodType>;
export type Result<O extends Op> = z.infer<(typeof resultSchemas)[O]>;

// ---- replies and pushes ----------------------------------------------------------------------

export const errorBody = z.object({ code: errorCode, message: z.string() });
export const okReply = z.object({ id: requestId, ok: z.literal(true), result: z.unknown() });
export const errorReply = z.object({ id: requestId.nullable(), ok: z.literal(false), error: errorBody });
export const reply = z.discriminatedUnion("ok", [okReply, errorReply]);

export const sceneEvent = z.object({ event: z.literal("scene"), handle: envHandle, index: z.int().min(0), scene: sceneJSON });
export const frameEvent = z.object({ event: z.literal("frame"), handle: envHandle, index: z.int().min(0), ...frameFields });
/** The high-level critic's value over a grid of point-mass subgoals (HAC on PointMass), drawn under the scene. */
export const valueMapJSON = z.object({
  /** Grid points per side; `q[j * size + i]` is the value at x = -range + 2·range·i/(size-1), y likewise with j. */
  size: z.int().min(2).max(256),
  range: z.number().positive(),
  q: z.array(z.number()),
});
export type ValueMapJSON = z.infer<typeof valueMapJSON>;
export const sessionSceneEvent = z.object({ event: z.literal("sessionScene"), session: sessionId, scene: sceneJSON });
export const sessionFrameEvent = z.object({ event: z.literal("sessionFrame"), session: sessionId, ...frameFields });
export const valueMapEvent = z.object({ event: z.literal("valueMap"), session: sessionId, map: valueMapJSON });
/** The session is gone (its env closed, its agent stopped, its connection ended); watching it ended too. */
export const sessionEndedEvent = z.object({ event: z.literal("sessionEnded"), session: sessionId });
export const serverEvent = z.discriminatedUnion("event", [
  sceneEvent,
  frameEvent,
  sessionSceneEvent,
  sessionFrameEvent,
  valueMapEvent,
  sessionEndedEvent,
]);
export type ServerEvent = z.infer<typeof serverEvent>;
