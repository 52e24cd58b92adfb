import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DemoFileRecordings } from "../../bridge/demo-recordings.js";
import { expertAgent } from "../../bridge/live-agents.js";
import { AgentSession } from "../../server/agent-session.js";
import { envIds, make, Rng, type GoalEnv, type GoalObs } from "../../sim/index.js";
import { registryCatalog } from "../../server/env-catalog.js";
import { SingleHostedEnv } from "../../server/hosted-env.js";
import {
  ERROR_CODES,
  OPS,
  resultSchemas,
  sceneEvent,
  frameEvent,
  sessionEndedEvent,
  sessionFrameEvent,
  sessionSceneEvent,
  reply as replySchema,
  type Op,
} from "../../protocol/messages.js";
import { RapierGymServer } from "../../server/server.js";
import { subgoalGhosts, type SubgoalGhosts } from "../../server/subgoal-ghosts.js";
import type { SceneDescription } from "../../sim/physics/scene.js";
import { frameFromWire, wireFrame } from "../../protocol/wire-frame.js";
import { RawClient, type ErrorReplyShape } from "../../client/raw-client.js";
import { waitFor } from "./wait-for.js";
import { writeExpertDemoFile, writeRunDir } from "./viewer-fixtures.js";

/** A hosted env with a bug: the only way to make the server answer INTERNAL on purpose. */
class ExplodingEnv extends SingleHostedEnv {
  override step(): never {
    throw new TypeError("a bug inside the env");
  }
}

describe("server: protocol ops and error codes", () => {
  let server: RapierGymServer;
  let client: RawClient;
  const seenCodes = new Set<string>();
  const seenOps = new Set<Op>();
  const internalErrors: unknown[] = [];
  let nextId = 1;
  const dir = mkdtempSync(join(tmpdir(), "rapier-gym-protocol-"));
  let agent: AgentSession;

  before(async () => {
    writeRunDir(join(dir, "runs", "push-sac"));
    writeExpertDemoFile(join(dir, "expert.demos"), 2, 15);
    server = await RapierGymServer.start({
      port: 0,
      runs: [join(dir, "runs")],
      recordings: new DemoFileRecordings([join(dir, "expert.demos")]),
      limits: { maxEnvsPerConnection: 8 },
      catalog: {
        ids: () => [...registryCatalog.ids(), "Exploding-v0"],
        open: (id, kwargs, numEnvs) =>
          id === "Exploding-v0" ? new ExplodingEnv(make("PointMassReach-v0", kwargs)) : registryCatalog.open(id, kwargs, numEnvs),
      },
      log: (line) => internalErrors.push(line),
    });
    agent = new AgentSession(server.live, make("PointMassPush-v0"), expertAgent("PointMassPush-v0"), { seed: 3 });
  });
  beforeEach(async () => {
    client = await RawClient.open(server.url);
  });
  afterEach(async () => {
    await client.close();
  });
  after(async () => {
    agent.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A request that must succeed; its result must parse with the op's result schema. */
  async function ok<O extends Op>(op: O, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = nextId++;
    const reply = replySchema.parse(await client.request({ id, op, ...params }));
    if (!reply.ok) throw new Error(`${op} failed: ${reply.error.code} ${reply.error.message}`);
    expect(reply.id).to.equal(id);
    resultSchemas[op].parse(reply.result);
    seenOps.add(op);
    return reply.result as Record<string, unknown>;
  }

  /** A request (or raw text) that must fail with `code`; returns the message. */
  async function fails(code: string, message: string | Record<string, unknown>, on: RawClient = client): Promise<string> {
    const reply: ErrorReplyShape = await on.fails(message);
    replySchema.parse(reply);
    expect(reply.error.code, reply.error.message).to.equal(code);
    const id = typeof message === "object" ? message["id"] : undefined;
    if (typeof id === "number" && id >= 0) expect(reply.id).to.equal(id);
    seenCodes.add(code);
    return reply.error.message;
  }

  async function makeEnv(env = "PointMassPush-v0", extra: Record<string, unknown> = {}): Promise<number> {
    return (await ok("make", { env, ...extra }))["handle"] as number;
  }

  it("hello answers the protocol version, the server and every env id", async () => {
    const r = await ok("hello", { protocol: 2 });
    expect(r).to.deep.include({ protocol: 2 });
    expect(r["envs"]).to.deep.equal([...envIds(), "Exploding-v0"]);
    expect(await fails("BAD_REQUEST", { id: 7, op: "hello", protocol: 1 })).to.match(/speaks protocol 2, not 1/);
  });

  it("make returns a handle, the spaces in wire form and the spec", async () => {
    const r = await ok("make", { env: "PointMassPush-v0", kwargs: { maxEpisodeSteps: 50 } });
    const local = make("PointMassPush-v0", { maxEpisodeSteps: 50 });
    expect(r["observationSpace"]).to.deep.equal(local.observationSpace.toJSON());
    expect(r["actionSpace"]).to.deep.equal(local.actionSpace.toJSON());
    expect(r["spec"]).to.deep.equal(local.spec);
    expect(r["spec"]).to.deep.include({ id: "PointMassPush-v0", maxEpisodeSteps: 50 });
    expect(r["numEnvs"]).to.equal(1);
    local.close();
  });

  it("reset and step match the same env in process, as plain number arrays", async () => {
    const handle = await makeEnv();
    const local: GoalEnv = make("PointMassPush-v0");
    const r = await ok("reset", { handle, seed: 3 });
    const l = local.reset({ seed: 3 });
    const obs = r["obs"] as Record<string, number[]>;
    expect(Array.isArray(obs["observation"])).to.equal(true);
    for (const [k, v] of Object.entries(l.obs)) expect(obs[k]).to.deep.equal(Array.from(v));
    expect(r["info"]).to.deep.equal({ is_success: l.info.is_success });
    const rng = new Rng(1);
    for (let t = 0; t < 20; t++) {
      const action = [rng.uniform(-1, 1), rng.uniform(-1, 1)];
      const s = await ok("step", { handle, action });
      const ls = local.step(action);
      expect(s["obs"]).to.deep.equal(Object.fromEntries(Object.entries(ls.obs).map(([k, v]) => [k, Array.from(v)])));
      expect(s).to.deep.include({ reward: ls.reward, terminated: ls.terminated, truncated: ls.truncated });
    }
    const options = { goal: [1, 1], agentStart: [-1, -1], blockStarts: [[0.5, 0.5]] };
    const withOptions = (await ok("reset", { handle, options }))["obs"] as Record<string, number[]>;
    expect(withOptions["desired_goal"]).to.deep.equal([1, 1]);
    local.close();
  });

  it("a vector env steps every env in one message and autoresets with info.final_obs", async () => {
    const handle = await makeEnv("PointMassReach-v0", { numEnvs: 3, kwargs: { maxEpisodeSteps: 2 } });
    const r = await ok("reset", { handle, seed: 10 });
    const rows = (r["obs"] as Record<string, number[][]>)["observation"]!;
    expect(rows).to.have.length(3);
    const singles = [0, 1, 2].map(() => make("PointMassReach-v0", { maxEpisodeSteps: 2 }));
    singles.forEach((env, i) => expect(rows[i]).to.deep.equal(Array.from(env.reset({ seed: 10 + i }).obs.observation)));
    const action = [
      [1, 0],
      [0, 1],
      [-1, -1],
    ];
    const first = await ok("step", { handle, action });
    expect((first["info"] as { final_obs: unknown[] }).final_obs).to.deep.equal([null, null, null]);
    const second = await ok("step", { handle, action });
    expect(second["truncated"]).to.deep.equal([true, true, true]);
    const finals = (second["info"] as { final_obs: Record<string, number[]>[] }).final_obs;
    singles.forEach((env, i) => {
      env.step(action[i]!);
      const last = env.step(action[i]!);
      expect(finals[i]!["observation"]).to.deep.equal(Array.from(last.obs.observation));
      // The row already holds the next episode's first observation.
      expect((second["obs"] as Record<string, number[][]>)["observation"]![i]).to.deep.equal(Array.from(env.reset().obs.observation));
      env.close();
    });
    expect(await fails("BAD_ACTION", { id: 1, op: "step", handle, action: [1, 0] })).to.match(/needs 3 rows of 2 numbers/);
    expect(await fails("BAD_OPTIONS", { id: 2, op: "reset", handle, options: { goal: [0, 0] } })).to.match(
      /reset options are for single envs/,
    );
    expect(await fails("BAD_REQUEST", { id: 3, op: "snapshot", handle })).to.match(/single envs; this handle is a vector of 3/);
  });

  it("computeReward is batched over rows and equals the env's own", async () => {
    const handle = await makeEnv();
    const achieved = [
      [0, 0],
      [1, 1],
      [2, 2],
    ];
    const desired = [
      [0, 0.1],
      [2, 2],
      [2, 2],
    ];
    const r = await ok("computeReward", { handle, achievedGoal: achieved, desiredGoal: desired });
    const local = make("PointMassPush-v0");
    expect(r["reward"]).to.deep.equal(
      Array.from(local.computeReward(Float64Array.from(achieved.flat()), Float64Array.from(desired.flat()))),
    );
    expect(r["reward"]).to.deep.equal([0, -1, 0]);
    local.close();
    expect(await fails("BAD_REQUEST", { id: 4, op: "computeReward", handle, achievedGoal: [[0, 0]], desiredGoal: [[0, 0, 0]] })).to.match(
      /same shape/,
    );
    expect(
      await fails("BAD_REQUEST", {
        id: 5,
        op: "computeReward",
        handle,
        achievedGoal: [[0, 0], [1]],
        desiredGoal: [
          [0, 0],
          [1, 1],
        ],
      }),
    ).to.match(/row 1 has 1 numbers/);
  });

  it("snapshot and restore continue bit-identically; a forged or altered snapshot is refused", async () => {
    const handle = await makeEnv();
    await ok("reset", { handle, seed: 5 });
    await ok("step", { handle, action: [0.5, 0.5] });
    const { snapshot } = (await ok("snapshot", { handle })) as { snapshot: string };
    const a = [await ok("step", { handle, action: [1, -1] }), await ok("step", { handle, action: [-1, 0.3] })];
    expect(await ok("restore", { handle, snapshot })).to.deep.equal({});
    const b = [await ok("step", { handle, action: [1, -1] }), await ok("step", { handle, action: [-1, 0.3] })];
    expect(b).to.deep.equal(a);
    const bytes = Buffer.from(snapshot, "base64");
    bytes[20] = bytes[20]! ^ 1;
    expect(await fails("BAD_SNAPSHOT", { id: 6, op: "restore", handle, snapshot: bytes.toString("base64") })).to.match(
      /seal does not match/,
    );
    expect(await fails("BAD_SNAPSHOT", { id: 7, op: "restore", handle, snapshot: "AAAA" })).to.match(/too short/);
    expect(await fails("BAD_REQUEST", { id: 8, op: "restore", handle, snapshot: "not base64!" })).to.match(/snapshot/);
    // The refused restores changed nothing.
    const c = await ok("step", { handle, action: [0, 0] });
    await ok("restore", { handle, snapshot });
    await ok("step", { handle, action: [1, -1] });
    await ok("step", { handle, action: [-1, 0.3] });
    expect(await ok("step", { handle, action: [0, 0] })).to.deep.equal(c);
  });

  it("subscribe pushes the scene once, then a frame after each reset and step, until unsubscribe", async () => {
    const handle = await makeEnv();
    await ok("subscribe", { handle });
    const scene = sceneEvent.parse(await client.next());
    expect(scene).to.deep.include({ event: "scene", handle, index: 0 });
    expect(scene.scene.env).to.equal("PointMassPush-v0");
    await ok("reset", { handle, seed: 0 });
    expect(frameEvent.parse(await client.next()).step).to.equal(0);
    for (let t = 1; t <= 3; t++) {
      await ok("step", { handle, action: [1, 0] });
      const frame = frameEvent.parse(await client.next());
      expect(frame.step).to.equal(t);
      expect(frame.poses.length % 7).to.equal(0);
    }
    await ok("unsubscribe", { handle });
    await ok("step", { handle, action: [1, 0] });
    const id = nextId;
    await ok("hello");
    // Had a frame been pushed after the last step, it would have been read in place of hello's reply.
    expect(id).to.equal(nextId - 1);
    expect(await fails("BAD_REQUEST", { id: 9, op: "subscribe", handle, index: 1 })).to.match(
      /index 1 is out of range: this handle holds 1 env/,
    );
  });

  it("close frees the env: its handle is gone and the server holds no env for it", async () => {
    const handle = await makeEnv();
    const before = server.stats().envs;
    expect(await ok("close", { handle })).to.deep.equal({});
    expect(server.stats().envs).to.equal(before - 1);
    expect(await fails("UNKNOWN_HANDLE", { id: 10, op: "step", handle, action: [0, 0] })).to.match(
      new RegExp(`no env with handle ${handle} on this connection`),
    );
    expect(await fails("UNKNOWN_HANDLE", { id: 11, op: "close", handle })).to.match(/no env with handle/);
  });

  it("closing the socket frees every env the connection made", async () => {
    const other = await RawClient.open(server.url);
    const before = server.stats().envs;
    await other.ok({ id: 1, op: "make", env: "PointMassReach-v0" });
    await other.ok({ id: 2, op: "make", env: "PointMassReach-v0", numEnvs: 3 });
    expect(server.stats().envs).to.equal(before + 4);
    await other.close();
    await waitFor(() => server.stats().envs === before);
  });

  it("handles belong to their connection", async () => {
    const other = await RawClient.open(server.url);
    const { handle } = await other.ok<{ handle: number }>({ id: 1, op: "make", env: "PointMassReach-v0" });
    await other.ok({ id: 2, op: "make", env: "PointMassReach-v0" });
    const mine = await makeEnv("PointMassReach-v0");
    expect(mine).to.equal(handle); // the same number, but a different env: this connection's own
    await fails("UNKNOWN_HANDLE", { id: 12, op: "reset", handle: handle + 1 });
    await other.close();
  });

  it("BAD_REQUEST: malformed JSON, wrong shapes, missing or extra fields, binary frames", async () => {
    expect(await fails("BAD_REQUEST", "{not json")).to.match(/not valid JSON/);
    expect(await fails("BAD_REQUEST", "[1,2,3]")).to.match(/must be a JSON object with an id/);
    expect(await fails("BAD_REQUEST", { op: "hello" })).to.match(/id/);
    const negative = await client.fails({ id: -1, op: "hello" });
    expect(negative.id).to.equal(null);
    expect(negative.error.message).to.match(/id/);
    expect(await fails("BAD_REQUEST", { id: 13, op: "make" })).to.match(/bad make request: env: /);
    expect(await fails("BAD_REQUEST", { id: 14, op: "make", env: "PointMassPush-v0", numEnvs: 0 })).to.match(/numEnvs/);
    expect(await fails("BAD_REQUEST", { id: 15, op: "reset", handle: "one" })).to.match(/handle/);
    expect(await fails("BAD_REQUEST", { id: 16, op: "reset", handle: 1, sed: 3 })).to.match(/Unrecognized key.*sed/);
    expect(await fails("BAD_REQUEST", { id: 17, op: "reset", handle: 1, seed: 1.5 })).to.match(/seed/);
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    const binary = (await client.next()) as ErrorReplyShape;
    expect(binary.error).to.deep.include({ code: "BAD_REQUEST" });
    expect(binary.error.message).to.match(/binary frames/);
    expect(binary.id).to.equal(null);
    await ok("hello"); // the connection goes on
  });

  it("UNKNOWN_OP names the op and lists the known ones", async () => {
    const message = await fails("UNKNOWN_OP", { id: 18, op: "teleport" });
    expect(message).to.equal(`unknown op "teleport" (known: ${OPS.join(", ")})`);
  });

  it("UNKNOWN_ENV suggests the near ids; BAD_KWARGS names the kwarg", async () => {
    expect(await fails("UNKNOWN_ENV", { id: 19, op: "make", env: "PointMassPsh-v0" })).to.match(
      /unknown env id "PointMassPsh-v0"; did you mean PointMassPush-v0/,
    );
    expect(await fails("BAD_KWARGS", { id: 20, op: "make", env: "PointMassPush-v0", kwargs: { rewardType: "shaped" } })).to.match(
      /rewardType/,
    );
    expect(await fails("BAD_KWARGS", { id: 21, op: "make", env: "PointMassPush-v0", kwargs: { frobnicate: 1 } })).to.match(/frobnicate/);
  });

  it("refuses __proto__, constructor and prototype keys anywhere, with the code an unknown key there gets; the env is unchanged", async () => {
    const handle = await makeEnv();
    await ok("reset", { handle, seed: 4 });
    const { snapshot } = (await ok("snapshot", { handle })) as { snapshot: string };
    // Written as text: JSON.parse, as the server's, makes each an own key; an object literal would not.
    const text = (id: number, body: string) => `{"id":${id},"op":${body}}`;
    expect(await fails("BAD_OPTIONS", { id: 40, op: "reset", handle, options: { foo: 1 } })).to.match(/foo/);
    for (const key of ["__proto__", "constructor", "prototype"]) {
      expect(await fails("BAD_OPTIONS", text(41, `"reset","handle":${handle},"options":{"${key}":{"goal":[0,0]}}`))).to.equal(
        `bad reset options: unrecognized key "${key}" at options`,
      );
      expect(
        await fails("BAD_OPTIONS", text(42, `"reset","handle":${handle},"seed":1,"options":{"goal":[0,0],"agentStart":[{"${key}":1},0]}`)),
      ).to.include(`"${key}" at options.agentStart.0`);
      expect(await fails("BAD_KWARGS", text(43, `"make","env":"PointMassPush-v0","kwargs":{"${key}":{"rewardType":"dense"}}`))).to.include(
        `"${key}" at kwargs`,
      );
      expect(await fails("BAD_REQUEST", text(44, `"step","handle":${handle},"action":[0,0],"${key}":{}`))).to.match(new RegExp(`${key}`));
      expect(await fails("BAD_REQUEST", text(45, `"setGoal","session":1,"marker":"goal_0","position":[0,0,{"${key}":0}]`))).to.match(
        /setGoal/,
      );
    }
    expect(((await ok("snapshot", { handle })) as { snapshot: string }).snapshot).to.equal(snapshot);
    expect(({} as Record<string, unknown>)["goal"]).to.equal(undefined);
  });

  it("BAD_ACTION: wrong length, wrong types, infinite values, 2-D for a single env; the env is unchanged", async () => {
    const handle = await makeEnv();
    await ok("reset", { handle, seed: 1 });
    const { snapshot } = (await ok("snapshot", { handle })) as { snapshot: string };
    expect(await fails("BAD_ACTION", { id: 22, op: "step", handle, action: [0.1] })).to.match(/length 2, got 1/);
    expect(await fails("BAD_ACTION", { id: 23, op: "step", handle, action: [0.1, "a"] })).to.match(/action\.1/);
    expect(await fails("BAD_ACTION", `{"id":24,"op":"step","handle":${handle},"action":[1e999,0]}`)).to.match(/action\.0/);
    expect(await fails("BAD_ACTION", { id: 25, op: "step", handle, action: [[0, 0]] })).to.match(/single env/);
    expect(await fails("BAD_ACTION", { id: 26, op: "step", handle, action: null })).to.match(/action/);
    expect(await fails("BAD_REQUEST", `{"id":27,"op":"step","handle":${handle},"action":[NaN,0]}`)).to.match(/not valid JSON/);
    const after = (await ok("snapshot", { handle })) as { snapshot: string };
    // Snapshots of the same state are the same bytes, so the same seal.
    expect(after.snapshot).to.equal(snapshot);
  });

  it("RESET_NEEDED before the first reset", async () => {
    const handle = await makeEnv();
    expect(await fails("RESET_NEEDED", { id: 28, op: "step", handle, action: [0, 0] })).to.match(/before reset/);
    const vec = await makeEnv("PointMassReach-v0", { numEnvs: 2 });
    await fails("RESET_NEEDED", {
      id: 29,
      op: "step",
      handle: vec,
      action: [
        [0, 0],
        [0, 0],
      ],
    });
  });

  it("LIMIT: envs per connection (a vector env counts each env) and connections per server", async () => {
    await makeEnv("PointMassReach-v0", { numEnvs: 6 });
    await makeEnv("PointMassReach-v0");
    expect(await fails("LIMIT", { id: 30, op: "make", env: "PointMassReach-v0", numEnvs: 2 })).to.match(
      /holds 7 envs; 2 more would pass its limit of 8/,
    );
    await makeEnv("PointMassReach-v0");
    const small = await RapierGymServer.start({ port: 0, limits: { maxConnections: 1 } });
    const first = await RawClient.open(small.url);
    const second = await RawClient.open(small.url);
    const refused = (await second.next()) as ErrorReplyShape;
    expect(refused.error.code).to.equal("LIMIT");
    expect(refused.error.message).to.match(/already has 1 connections/);
    seenCodes.add("LIMIT");
    expect((await second.closed).code).to.equal(1013);
    await first.ok({ id: 1, op: "hello" });
    await first.close();
    await small.close();
  });

  it("UNAUTHORIZED without the token (then the socket closes); hello or a bearer header authenticates", async () => {
    const guarded = await RapierGymServer.start({ port: 0, token: "s3cret" });
    try {
      const anonymous = await RawClient.open(guarded.url);
      expect(await fails("UNAUTHORIZED", { id: 1, op: "make", env: "PointMassReach-v0" }, anonymous)).to.match(/needs a token/);
      expect((await anonymous.closed).code).to.equal(1008);
      expect(guarded.stats().envs).to.equal(0);

      const wrong = await RawClient.open(guarded.url);
      expect(await fails("UNAUTHORIZED", { id: 2, op: "hello", token: "guess" }, wrong)).to.equal("wrong token");
      await wrong.closed;

      const badHeader = await RawClient.open(guarded.url, { authorization: "Bearer guess" });
      await fails("UNAUTHORIZED", { id: 3, op: "hello" }, badHeader);
      await badHeader.closed;

      const viaHello = await RawClient.open(guarded.url);
      await viaHello.ok({ id: 4, op: "hello", token: "s3cret" });
      await viaHello.ok({ id: 5, op: "make", env: "PointMassReach-v0" });
      await viaHello.close();

      const viaHeader = await RawClient.open(guarded.url, { authorization: "Bearer s3cret" });
      await viaHeader.ok({ id: 6, op: "make", env: "PointMassReach-v0" });
      await viaHeader.close();
    } finally {
      await guarded.close();
    }
  });

  it("INTERNAL for a failure that is not the client's, logged on the server; the connection goes on", async () => {
    const handle = await makeEnv("Exploding-v0");
    await ok("reset", { handle, seed: 0 });
    expect(await fails("INTERNAL", { id: 31, op: "step", handle, action: [0, 0] })).to.equal("internal error: a bug inside the env");
    expect(String(internalErrors.at(-1))).to.match(/TypeError: a bug inside the env/);
    await ok("reset", { handle });
  });

  it("list shows every live session (a connection's envs, the server's agents), the runs and the recordings", async () => {
    const handle = await makeEnv("PointMassReach-v0", { numEnvs: 2 });
    const r = (await ok("list")) as {
      sessions: { session: number; env: string; label: string; source: string; takesGoal: boolean }[];
      runs: unknown[];
      recordings: unknown[];
    };
    expect(r.sessions.find((s) => s.session === agent.live.id)).to.deep.include({
      env: "PointMassPush-v0",
      label: "scripted expert",
      source: "agent",
      takesGoal: true,
    });
    const mine = r.sessions.filter((s) => s.source === "client" && s.env === "PointMassReach-v0" && s.label.includes(`handle ${handle}`));
    expect(mine.map((s) => s.label.replace(/^.* handle/, "handle"))).to.deep.equal([`handle ${handle} env 0`, `handle ${handle} env 1`]);
    expect(mine.every((s) => !s.takesGoal)).to.equal(true);
    expect(r.runs).to.deep.equal([{ run: join(dir, "runs", "push-sac"), env: "PointMassPush-v0", algo: "sac" }]);
    expect(r.recordings).to.deep.equal([
      {
        recording: "expert.demos",
        env: "PointMassPush-v0",
        source: "expert",
        episodes: [
          { seed: 0, length: 15 },
          { seed: 1, length: 15 },
        ],
      },
    ]);
    await ok("close", { handle });
    const after = (await ok("list")) as { sessions: { label: string }[] };
    expect(after.sessions.some((s) => s.label.includes(`handle ${handle} `))).to.equal(false);
  });

  it("watch sends another connection's env: scene, its frame now, then a frame per step, until unwatch or close", async () => {
    const other = await RawClient.open(server.url);
    const { handle } = await other.ok<{ handle: number }>({ id: 1, op: "make", env: "PointMassPush-v0" });
    await other.ok({ id: 2, op: "reset", handle, seed: 4 });
    const listed = (await ok("list")) as { sessions: { session: number; label: string }[] };
    const session = listed.sessions.find((s) => s.label.endsWith(`handle ${handle}`))!.session;
    await ok("watch", { session });
    expect(sessionSceneEvent.parse(await client.next()).scene.env).to.equal("PointMassPush-v0");
    expect(sessionFrameEvent.parse(await client.next()).step).to.equal(0);
    await other.ok({ id: 3, op: "step", handle, action: [1, 0] });
    const frame = sessionFrameEvent.parse(await client.next());
    expect(frame).to.deep.include({ session });
    expect(frame.step).to.equal(1);
    // Frames travel as integer millimetres and thousandths (the schema refuses any other number).
    expect(JSON.stringify(frame).length).to.be.at.most(200);
    await ok("unwatch", { session });
    await other.ok({ id: 4, op: "step", handle, action: [1, 0] });
    await ok("watch", { session });
    sessionSceneEvent.parse(await client.next());
    expect(sessionFrameEvent.parse(await client.next()).step).to.equal(2);
    await other.ok({ id: 5, op: "close", handle });
    expect(sessionEndedEvent.parse(await client.next())).to.deep.equal({ event: "sessionEnded", session });
    expect(await fails("NOT_FOUND", { id: 32, op: "watch", session })).to.match(new RegExp(`no live session ${session}`));
    await other.close();
  });

  it("PointMassPush frame messages are at most 200 bytes, plain and with a hierarchy's two full-state subgoal ghosts", async () => {
    // HAC with full-state subgoals without its networks (bridge/live-agents.ts's hacAgent draws the
    // same ghosts): the expert acts, and the subgoal is the state mirrored through the arena's
    // centre, real positions with a minus sign wherever the state has none (the longest numbers).
    const expert = expertAgent("PointMassPush-v0");
    let ghosts: SubgoalGhosts | null = null;
    let subgoal: number[] = [];
    const mirror = (obs: GoalObs) => Array.from(obs["full_positional_state"]!, (v) => -v);
    const hierarchy = new AgentSession(
      server.live,
      make("PointMassPush-v0"),
      {
        ...expert,
        name: "full-state ghosts",
        markers: (scene) => (ghosts = subgoalGhosts(scene, "full_positional_state", 4)).markers,
        begin: (obs) => void (subgoal = mirror(obs)),
        observe: (_action, result) => void (subgoal = mirror(result.obs)),
        markerPositions: () => ghosts!.positions(subgoal),
      },
      { seed: 5 },
    );
    const watcher = await RawClient.open(server.url);
    /** session -> the byte length of each frame message, as it came off the socket. */
    const bytes = new Map<number, number[]>([
      [agent.live.id, []],
      [hierarchy.live.id, []],
    ]);
    let ghostScene: SceneDescription | null = null;
    let lastGhostFrame = "";
    watcher.ws.on("message", (data: Buffer) => {
      const text = data.toString();
      const scene = sessionSceneEvent.safeParse(JSON.parse(text));
      if (scene.success && scene.data.session === hierarchy.live.id) ghostScene = scene.data.scene;
      const m = /^\{"event":"sessionFrame","session":(\d+)/.exec(text);
      if (!m) return;
      bytes.get(Number(m[1]))?.push(data.length);
      if (Number(m[1]) === hierarchy.live.id) lastGhostFrame = text;
    });
    try {
      // Two sessions' pushes interleave with the replies: read everything off the socket above.
      watcher.send({ id: 1, op: "watch", session: hierarchy.live.id });
      watcher.send({ id: 2, op: "watch", session: agent.live.id });
      await waitFor(() => [...bytes.values()].every((b) => b.length >= 24));
      const plain = Math.max(...bytes.get(agent.live.id)!);
      const withGhosts = Math.max(...bytes.get(hierarchy.live.id)!);
      expect(plain, "a plain PointMassPush frame message").to.be.at.most(200);
      expect(withGhosts, "a PointMassPush frame message with two subgoal ghosts").to.be.at.most(200);
      // Nothing drawn was lost: the goal and both ghosts, by name, once the scene says the names.
      const { markers } = ghostScene!;
      expect(markers.map((m) => m.name)).to.deep.equal(["goal_0", "subgoal_0", "subgoal_1"]);
      const frame = frameFromWire(sessionFrameEvent.parse(JSON.parse(lastGhostFrame)), markers);
      expect(Object.keys(frame.markers)).to.deep.equal(["goal_0", "subgoal_0", "subgoal_1"]);
      expect(lastGhostFrame).to.not.include("subgoal_");
    } finally {
      await watcher.close();
      hierarchy.stop();
    }
  });

  it("frames travel as integer millimetres and thousandths (qw ≥ 0), markers in the scene's order, null where one has no position; a frame that does not fit is refused", () => {
    const shape = { kind: "sphere" as const, radius: 0.1 };
    const markers = ["goal_0", "subgoal_0"].map((name) => ({ name, shape, color: "#000", opacity: 1 }));
    // The second body's quaternion has qw < 0: it travels as -q, the same rotation.
    const poses = [0.12345, -0.0001, 1, 0, 0, 0, 1, -2.5, 0.25, 0.099, 0.5, -0.5, 0.5, -0.5];
    const wire = wireFrame({ step: 3, poses, markers: { goal_0: [1.23456, -2, 0.1] } }, markers);
    expect(wire).to.deep.equal({
      step: 3,
      poses: [123, 0, 1000, 0, 0, 0, 1000, -2500, 250, 99, -500, 500, -500, 500],
      markers: [[1235, -2000, 100], null],
    });
    expect(frameFromWire(wire, markers)).to.deep.equal({
      step: 3,
      poses: [0.123, 0, 1, 0, 0, 0, 1, -2.5, 0.25, 0.099, -0.5, 0.5, -0.5, 0.5],
      markers: { goal_0: [1.235, -2, 0.1] },
    });
    expect(() => wireFrame({ step: 4, poses: [], markers: { subgoal_9: [0, 0, 0] } }, markers)).to.throw(
      /frame 4 has markers the scene does not name: subgoal_9 \(scene markers: goal_0, subgoal_0\)/,
    );
    expect(() => wireFrame({ step: 6, poses: [0, 0, 0], markers: {} }, markers)).to.throw(/frame 6 has 3 pose numbers, not 7 per body/);
    expect(() => frameFromWire({ step: 5, poses: [], markers: [null] }, markers)).to.throw(
      /frame 5 has 1 marker positions, but its scene has 2 markers \(goal_0, subgoal_0\)/,
    );
    // The forms frames had before: name-keyed markers, metres as decimals, a `frame` wrapper.
    const refused = (event: unknown) => sessionFrameEvent.safeParse(event).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(refused({ event: "sessionFrame", session: 1, step: 0, poses: [], markers: { goal_0: [0, 0, 0] } })).to.deep.equal([
      "markers: Invalid input: expected array, received object",
    ]);
    expect(refused({ event: "sessionFrame", session: 1, step: 0, poses: [0.123], markers: [] })).to.deep.equal([
      "poses.0: Invalid input: expected int, received number",
    ]);
    expect(refused({ event: "sessionFrame", session: 1, frame: { step: 0, poses: [], markers: [] } })).to.have.length(3);
  });

  it("setGoal moves a server agent's goal and leaves the mass and block where they were; other sessions refuse it", async () => {
    // Frames come on another connection: the agent steps on its own clock, and its frames would
    // otherwise arrive between this connection's replies.
    const watcher = await RawClient.open(server.url);
    await watcher.ok({ id: 1, op: "watch", session: agent.live.id });
    const { markers } = sessionSceneEvent.parse(await watcher.next()).scene;
    const nextFrame = async () => frameFromWire(sessionFrameEvent.parse(await watcher.next()), markers);
    const before = await nextFrame();
    await ok("setGoal", { session: agent.live.id, marker: "goal_0", position: [-1.5, 1.25, 0.1] });
    // Frames of the old episode may come before the new one's first.
    let after = await nextFrame();
    for (let i = 0; i < 20 && after.markers["goal_0"]![0] !== -1.5; i++) after = await nextFrame();
    expect(after.markers["goal_0"]).to.deep.equal([-1.5, 1.25, 0.1]);
    expect(after.step).to.equal(0);
    // The mass and the block start the new episode where they stood (x, y of each pose), give or take a few steps.
    for (const o of [0, 7]) for (const d of [0, 1]) expect(after.poses[o + d]).to.be.closeTo(before.poses[o + d]!, 0.5);
    await watcher.close();
    expect(await fails("BAD_REQUEST", { id: 33, op: "setGoal", session: agent.live.id, marker: "agent", position: [0, 0, 0] })).to.match(
      /"agent" is not a goal marker of PointMassPush-v0 \(goal markers: goal_0\)/,
    );
    expect(await fails("BAD_OPTIONS", { id: 34, op: "setGoal", session: agent.live.id, marker: "goal_0", position: [9, 0, 0] })).to.match(
      /goal/,
    );
    const handle = await makeEnv();
    const listed = (await ok("list")) as { sessions: { session: number; label: string }[] };
    const clientSession = listed.sessions.find((s) => s.label.endsWith(`handle ${handle}`))!.session;
    expect(await fails("BAD_REQUEST", { id: 35, op: "setGoal", session: clientSession, marker: "goal_0", position: [0, 0, 0] })).to.match(
      /does not take goals/,
    );
  });

  it("metrics reads a listed run's curve fields from row `from` on; other names are NOT_FOUND", async () => {
    const run = join(dir, "runs", "push-sac");
    const all = (await ok("metrics", { run })) as { rows: Record<string, number>[]; next: number };
    expect(all.next).to.equal(16);
    expect(all.rows[0]).to.deep.equal({ step: 800, "train/return": -181.25, "train/success": 0 });
    expect(all.rows[1]).to.deep.equal({ step: 1000, "eval/return": -177.5, "eval/success": 0.125 });
    const tail = (await ok("metrics", { run, from: 14 })) as { rows: unknown[]; next: number };
    expect(tail.rows).to.deep.equal(all.rows.slice(14));
    expect(tail.next).to.equal(16);
    expect(await fails("NOT_FOUND", { id: 36, op: "metrics", run: "/etc" })).to.match(/no run "\/etc" on this server/);
  });

  it("playback replays a recorded episode through the simulator: one frame after the reset and one per step", async () => {
    const r = resultSchemas.playback.parse(await ok("playback", { recording: "expert.demos", episode: 1 }));
    expect(r.scene.env).to.equal("PointMassPush-v0");
    expect(r.frames.map((f) => f.step)).to.deep.equal(Array.from({ length: 16 }, (_, i) => i));
    const env = make("PointMassPush-v0");
    const goal = Array.from(env.reset({ seed: 1 }).obs.desired_goal, (v) => Math.round(v * 1000) / 1000);
    expect(frameFromWire(r.frames[0]!, r.scene.markers).markers["goal_0"]!.slice(0, 2)).to.deep.equal(goal);
    env.close();
    expect(await fails("NOT_FOUND", { id: 37, op: "playback", recording: "expert.demos", episode: 2 })).to.match(
      /has 2 episodes \(0\.\.1\), not episode 2/,
    );
    expect(await fails("NOT_FOUND", { id: 38, op: "playback", recording: "nope.demos", episode: 0 })).to.match(/no recording "nope.demos"/);
  });

  it("covered every op and every error code", () => {
    expect([...seenOps].sort()).to.deep.equal([...OPS].sort());
    expect([...seenCodes].sort()).to.deep.equal([...ERROR_CODES].sort());
  });
});
