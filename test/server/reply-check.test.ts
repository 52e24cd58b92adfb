import { expect } from "chai";
import { make } from "../../sim/index.js";
import { RawClient } from "../../client/raw-client.js";
import { registryCatalog } from "../../server/env-catalog.js";
import { SingleHostedEnv, type WireAction } from "../../server/hosted-env.js";
import { RapierGymServer } from "../../server/server.js";
import type { Result } from "../../protocol/messages.js";

/** A hosted env whose step reward is NaN: a reply its schema refuses, which JSON would send as null. */
class NaNRewardEnv extends SingleHostedEnv {
  override step(action: WireAction): Result<"step"> {
    return Object.assign(super.step(action), { reward: Number.NaN });
  }
}

const catalog = {
  ids: () => [...registryCatalog.ids(), "NaNReward-v0"],
  open: (id: string, kwargs: Record<string, unknown>, numEnvs: number) =>
    id === "NaNReward-v0" ? new NaNRewardEnv(make("PointMassReach-v0", kwargs)) : registryCatalog.open(id, kwargs, numEnvs),
};

/** The step reply of NaNReward-v0 on a server that checks its replies or not. */
async function stepReply(checkReplies: boolean, log: string[]): Promise<unknown> {
  const server = await RapierGymServer.start({ port: 0, catalog, checkReplies, log: (line) => log.push(line) });
  const client = await RawClient.open(server.url);
  try {
    const { handle } = await client.ok<{ handle: number }>({ id: 1, op: "make", env: "NaNReward-v0" });
    await client.ok({ id: 2, op: "reset", handle, seed: 0 });
    return await client.request({ id: 3, op: "step", handle, action: [0, 0] });
  } finally {
    await client.close();
    await server.close();
  }
}

describe("server: replies checked against their schemas", () => {
  it("answers a result that strays from its op's schema INTERNAL, naming the op and the field, and logs it", async () => {
    const log: string[] = [];
    const reply = (await stepReply(true, log)) as { ok: boolean; error: { code: string; message: string } };
    expect(reply.ok).to.equal(false);
    expect(reply.error.code).to.equal("INTERNAL");
    expect(reply.error.message).to.match(/the server's step result does not match its schema: reward: /);
    expect(log.join("\n")).to.match(/step result does not match its schema/);
  });

  it("sends results unchecked when switched off (what the check guards against: NaN arrives as null)", async () => {
    const reply = (await stepReply(false, [])) as { ok: boolean; result: { reward: unknown } };
    expect(reply.ok).to.equal(true);
    expect(reply.result.reward).to.equal(null);
  });
});
