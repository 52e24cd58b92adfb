/**
 * The server's own agents are isolated: an agent that throws is stopped and reported, its
 * watchers told, and the server with its other sessions goes on.
 */
import { expect } from "chai";
import { expertAgent } from "../../bridge/live-agents.js";
import { AgentSession, type LiveAgent } from "../../server/agent-session.js";
import { sessionEndedEvent, sessionFrameEvent, sessionSceneEvent } from "../../protocol/messages.js";
import { RapierGymServer } from "../../server/server.js";
import { make } from "../../sim/index.js";
import { RawClient } from "../../client/raw-client.js";

describe("server: live agent sessions", () => {
  it("an agent that throws is stopped and reported, its watchers told, and the rest goes on", async () => {
    const server = await RapierGymServer.start({ port: 0 });
    let calls = 0;
    const broken: LiveAgent = {
      ...expertAgent("PointMassReach-v0"),
      name: "broken",
      act: () => (++calls > 8 ? (null as unknown as number[]) : [0, 0]),
    };
    const healthy = new AgentSession(server.live, make("PointMassReach-v0"), expertAgent("PointMassReach-v0"));
    const failing = new AgentSession(server.live, make("PointMassReach-v0"), broken);
    const client = await RawClient.open(server.url);
    const reports: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((text: string) => reports.push(text) > 0) as typeof process.stderr.write;
    try {
      await client.ok({ id: 1, op: "watch", session: failing.live.id });
      sessionSceneEvent.parse(await client.next());
      const steps: number[] = [];
      for (;;) {
        const event = (await client.next()) as { event: string };
        if (event.event === "sessionEnded") {
          expect(sessionEndedEvent.parse(event).session).to.equal(failing.live.id);
          break;
        }
        steps.push(sessionFrameEvent.parse(event).step);
      }
      // The frame as it stood when watched, then one per good step, until the ninth act returned null.
      expect(steps.at(-1)).to.equal(8);
      expect(steps).to.deep.equal(Array.from({ length: steps.length }, (_, i) => 9 - steps.length + i));
      expect(reports.join("")).to.match(
        /the live agent "broken" on PointMassReach-v0 failed and was stopped: .*BAD_ACTION|action must be/s,
      );
      const { sessions } = await client.ok<{ sessions: { session: number }[] }>({ id: 2, op: "list" });
      expect(sessions.map((s) => s.session)).to.deep.equal([healthy.live.id]);
    } finally {
      process.stderr.write = write;
      healthy.stop();
      await client.close();
      await server.close();
    }
  });
});
