/**
 * Hostile input: at least 10,000 generated malformed messages, seeded, on one connection, while a
 * well-behaved client steps an env on another. Every message must get one error reply with a
 * known code (never INTERNAL), oversize frames must close their own connection cleanly, and the
 * other client must see nothing but ok replies.
 */
import { expect } from "chai";
import { Rng } from "../../sim/index.js";
import { ERROR_CODES, OPS, reply as replySchema, type ErrorCode } from "../../protocol/messages.js";
import { RapierGymServer } from "../../server/server.js";
import { RawClient } from "../../client/raw-client.js";

const CASES = 10_000;
const OVERSIZE_CASES = 20;
const MAX_MESSAGE_BYTES = 64 << 10;
const ENV = "PointMassReach-v0";

interface Handles {
  fresh: number;
  ready: number;
  vector: number;
}

/** Values of every JSON type, including the awkward ones. */
function anyValue(rng: Rng, depth = 0): unknown {
  switch (rng.integer(depth > 2 ? 7 : 9)) {
    case 0:
      return null;
    case 1:
      return rng.random() < 0.5;
    case 2:
      return rng.integer(2) ? rng.integer(1_000_000) - 500_000 : rng.uniform(-1e300, 1e300);
    case 3:
      return randomString(rng, rng.integer(20));
    case 4:
      return "";
    case 5:
      return -rng.random();
    case 6:
      return 0.5;
    case 7:
      return Array.from({ length: rng.integer(4) }, () => anyValue(rng, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: rng.integer(3) }, () => [randomString(rng, 5), anyValue(rng, depth + 1)]));
  }
}

function randomString(rng: Rng, length: number): string {
  return String.fromCharCode(...Array.from({ length }, () => (rng.integer(10) === 0 ? rng.integer(0xd7ff) : 32 + rng.integer(95))));
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.integer(items.length)]!;
}

/** Not a non-negative integer: every numeric field but protocol refuses these. */
function notCount(rng: Rng): unknown {
  return pick(rng, [-1, 1.5, "3", null, true, [], {}, -1e9, 2 ** 60, "NaN"]);
}

/**
 * One generated case: the text (or bytes) to send, the id its reply must echo (null: unreadable)
 * and, where the case decides it, the error code.
 */
type Case =
  { text: string; binary?: false; id: number | null; code?: ErrorCode } | { bytes: Buffer; binary: true; id: null; code?: undefined };

const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype"];

/** A JSON object as text, holding `key` at some depth: text, since an object literal's __proto__ is no key. */
function objectWithKey(rng: Rng, key: string): string {
  const inner = `{"${key}":${JSON.stringify(anyValue(rng))}}`;
  return pick(rng, [inner, `{"goal":[0,0],"${key}":{"polluted":true}}`, `{"a":[1,${inner}]}`, `{"a":{"b":${inner}}}`]);
}

function generate(rng: Rng, n: number, h: Handles): Case {
  const id = n;
  const base = (op: string, fields: Record<string, unknown>) => JSON.stringify({ id, op, ...fields });
  switch (rng.integer(21)) {
    case 0: // bytes that are almost never JSON
      return { text: randomString(rng, 1 + rng.integer(200)), id: null };
    case 1: {
      // a valid request cut short
      const full = base("step", { handle: h.ready, action: [0.1, 0.2] });
      return { text: full.slice(0, rng.integer(full.length)), id: null };
    }
    case 2: // JSON, but not a request object
      return { text: JSON.stringify(pick(rng, [1, "hello", null, true, [], [1, 2], [{ id: 1, op: "hello" }]])), id: null };
    case 3: {
      // an unknown op
      let op = randomString(rng, 1 + rng.integer(12));
      if ((OPS as string[]).includes(op)) op += "!";
      return { text: base(op, {}), id };
    }
    case 4: // a bad id: the reply's id is null
      return { text: JSON.stringify({ id: pick(rng, [-1, 1.5, null, {}, [], "x".repeat(200), true]), op: pick(rng, OPS) }), id: null };
    case 5: // wrong types for make
      return {
        text: base(
          "make",
          pick(rng, [
            { env: pick(rng, [1, null, [], {}, true]) },
            { env: ENV, numEnvs: notCount(rng) },
            { env: ENV, kwargs: pick(rng, [[], 1, "x", null]) },
            {},
          ]),
        ),
        id,
      };
    case 6: // unknown envs, bad kwargs, too many envs
      return {
        text: base(
          "make",
          pick(rng, [
            { env: randomString(rng, 8) },
            { env: ENV, kwargs: { [randomString(rng, 6)]: anyValue(rng) } },
            { env: ENV, kwargs: { rewardType: anyValue(rng) } },
            { env: ENV, numEnvs: 65 + rng.integer(1e9) },
          ]),
        ),
        id,
      };
    case 7: // wrong types for reset
      return {
        text: base(
          "reset",
          pick(rng, [
            { handle: notCount(rng) },
            { handle: h.ready, seed: notCount(rng) },
            { handle: h.ready, options: pick(rng, [[], 3, "o", null]) },
            { handle: h.ready, seeds: 1 },
          ]),
        ),
        id,
      };
    case 8: // bad reset options
      return {
        text: base("reset", {
          handle: h.ready,
          options: pick(rng, [{ goal: [9, 9] }, { goal: [0] }, { agentStart: anyValue(rng) }, { [randomString(rng, 4)]: 1 }]),
        }),
        id,
      };
    case 9: {
      // actions of the wrong length, type or shape
      const len = pick(rng, [0, 1, 3, 100, 2000]);
      const action = pick(rng, [
        Array.from({ length: len }, () => rng.uniform(-1, 1)),
        [0.1, "a"],
        [[0.1, 0.2]],
        null,
        "left",
        { 0: 1, 1: 2 },
        [true, false],
      ]);
      return { text: base("step", { handle: h.ready, action }), id };
    }
    case 10: {
      // NaN and Infinity as JSON cannot say them: invalid JSON, or overflow to Infinity
      const token = pick(rng, ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "undefined", "0x10"]);
      return { text: `{"id":${id},"op":"step","handle":${h.ready},"action":[${token},0]}`, id: token.includes("e999") ? id : null };
    }
    case 11: // step before reset
      return { text: base("step", { handle: h.fresh, action: [rng.uniform(-1, 1), rng.uniform(-1, 1)] }), id };
    case 12: // handles that do not exist on this connection
      return {
        text: base(pick(rng, ["reset", "step", "snapshot", "close", "subscribe", "unsubscribe"]), {
          handle: 1000 + rng.integer(1e6),
          ...(rng.integer(2) ? {} : { action: [0, 0] }),
        }),
        id,
      };
    case 13: // vector steps of the wrong shape
      return {
        text: base("step", {
          handle: h.vector,
          action: pick(rng, [
            [0, 0],
            [[0, 0]],
            [[0, 0], [0]],
            [
              [0, 0],
              [0, 0],
              [0, 0],
            ],
            [
              [0, "x"],
              [0, 0],
            ],
          ]),
        }),
        id,
      };
    case 14: // computeReward with ragged, mismatched or non-numeric goals
      return {
        text: base(
          "computeReward",
          pick(rng, [
            {
              handle: h.ready,
              achievedGoal: [[0, 0]],
              desiredGoal: [
                [0, 0],
                [1, 1],
              ],
            },
            {
              handle: h.ready,
              achievedGoal: [[0, 0], [1]],
              desiredGoal: [
                [0, 0],
                [1, 1],
              ],
            },
            { handle: h.ready, achievedGoal: [[]], desiredGoal: [[]] },
            { handle: h.ready, achievedGoal: "a", desiredGoal: [] },
            { handle: h.ready, achievedGoal: Array.from({ length: 1000 }, () => [rng.random(), rng.random()]), desiredGoal: [[0, 0]] },
          ]),
        ),
        id,
      };
    case 15: // forged, truncated or non-base64 snapshots
      return {
        text: base("restore", {
          handle: h.ready,
          snapshot: pick(rng, [Buffer.from(randomString(rng, 64)).toString("base64"), "AAAA", "not base64!", "", 12]),
        }),
        id,
      };
    case 16: // extra keys, including ones that would pollute prototypes
      return {
        text: `{"id":${id},"op":"${pick(rng, OPS)}","${pick(rng, [...PROTOTYPE_KEYS, randomString(rng, 5).replace(/["\\]/g, "")])}":{"polluted":true}}`,
        id,
        code: "BAD_REQUEST",
      };
    case 17: // deep nesting
      return { text: `{"id":${id},"op":"make","env":"${ENV}","kwargs":{"deep":${"[".repeat(5000)}${"]".repeat(5000)}}}`, id };
    case 19: {
      // prototype keys inside reset options and make kwargs (which zod's records drop, not refuse)
      const key = pick(rng, PROTOTYPE_KEYS);
      return rng.integer(2)
        ? { text: `{"id":${id},"op":"reset","handle":${h.ready},"options":${objectWithKey(rng, key)}}`, id, code: "BAD_OPTIONS" }
        : { text: `{"id":${id},"op":"make","env":"${ENV}","kwargs":${objectWithKey(rng, key)}}`, id, code: "BAD_KWARGS" };
    }
    case 18: // binary frames
      return { bytes: Buffer.from(Array.from({ length: 1 + rng.integer(100) }, () => rng.integer(256))), binary: true, id: null };
    default: // unsupported protocol versions, subscribe out of range, bad tokens on an open server
      return {
        text: base(
          ...pick(rng, [
            ["hello", { protocol: 3 + rng.integer(100) }],
            ["subscribe", { handle: h.ready, index: 1 + rng.integer(10) }],
            ["hello", { token: 5 }],
          ] as [string, Record<string, unknown>][]),
        ),
        id,
      };
  }
}

describe("server: fuzz", () => {
  it(`answers ${CASES} hostile messages with error codes and closes on ${OVERSIZE_CASES} oversize frames; a well-behaved client sees no error`, async function () {
    this.timeout(120_000);
    const internal: string[] = [];
    const server = await RapierGymServer.start({
      port: 0,
      limits: { maxMessageBytes: MAX_MESSAGE_BYTES },
      log: (line) => internal.push(line),
    });
    try {
      const hostile = await RawClient.open(server.url);
      const handles: Handles = {
        fresh: (await hostile.ok<{ handle: number }>({ id: 0, op: "make", env: ENV })).handle,
        ready: (await hostile.ok<{ handle: number }>({ id: 0, op: "make", env: ENV })).handle,
        vector: (await hostile.ok<{ handle: number }>({ id: 0, op: "make", env: ENV, numEnvs: 2 })).handle,
      };
      await hostile.ok({ id: 0, op: "reset", handle: handles.ready, seed: 0 });
      await hostile.ok({ id: 0, op: "reset", handle: handles.vector, seed: 0 });

      // The bystander steps its own env the whole time.
      let fuzzing = true;
      const good = await RawClient.open(server.url);
      const bystander = (async () => {
        const { handle } = await good.ok<{ handle: number }>({ id: 1, op: "make", env: ENV });
        await good.ok({ id: 2, op: "reset", handle, seed: 1 });
        let steps = 0;
        let id = 3;
        while (fuzzing) {
          const r = replySchema.parse(await good.request({ id, op: "step", handle, action: [0.3, -0.2] }));
          expect(r.ok, JSON.stringify(r)).to.equal(true);
          expect(r.id).to.equal(id++);
          steps++;
        }
        return steps;
      })();

      const rng = new Rng(20240601);
      const codes = new Map<string, number>();
      const BATCH = 250;
      for (let start = 0; start < CASES; start += BATCH) {
        const cases = Array.from({ length: BATCH }, (_, k) => generate(rng, start + k + 1, handles));
        // Frames over the limit close the connection: they are the oversize cases below, not these.
        for (const c of cases)
          if (!c.binary && Buffer.byteLength(c.text) > MAX_MESSAGE_BYTES)
            throw new Error(`generated case is oversize: ${c.text.slice(0, 100)}`);
        for (const c of cases) {
          if (c.binary) hostile.ws.send(c.bytes, { binary: true });
          else hostile.send(c.text);
        }
        for (const c of cases) {
          const r = replySchema.parse(await hostile.next());
          const sent = c.binary ? `<binary ${c.bytes.length} bytes>` : c.text.slice(0, 300);
          expect(r.ok, `accepted: ${sent}`).to.equal(false);
          if (r.ok) continue;
          expect(ERROR_CODES, sent).to.include(r.error.code);
          expect(r.error.code, `${sent} -> ${r.error.message}`).to.not.equal("INTERNAL");
          expect(r.id, sent).to.equal(c.id);
          if (c.code !== undefined) expect(r.error.code, `${sent} -> ${r.error.message}`).to.equal(c.code);
          codes.set(r.error.code, (codes.get(r.error.code) ?? 0) + 1);
        }
      }

      // Oversize frames: each closes its own connection with 1009, and nothing else.
      for (let k = 0; k < OVERSIZE_CASES; k++) {
        const big = await RawClient.open(server.url);
        big.send(`{"id":1,"op":"step","handle":1,"action":[${"0.5,".repeat(MAX_MESSAGE_BYTES / 4 + rng.integer(10_000))}0]}`);
        expect((await big.closed).code).to.equal(1009);
      }

      fuzzing = false;
      const steps = await bystander;
      await hostile.ok({ id: 1, op: "hello" });
      expect(internal.filter((l) => !/Max payload size exceeded/.test(l))).to.deep.equal([]);
      console.log(
        `      fuzz: ${CASES} hostile messages + ${OVERSIZE_CASES} oversize frames; codes ${JSON.stringify(Object.fromEntries([...codes].sort()))}; bystander stepped ${steps} times without error`,
      );
      await hostile.close();
      await good.close();
    } finally {
      await server.close();
    }
  });
});
