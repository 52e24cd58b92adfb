import { expect } from "chai";
import { onStopSignals } from "../../cli/stop-signals.js";

describe("stop signals", () => {
  it("takes a repeat within a second as the same request (npx passes a terminal's Ctrl-C on again), and removes its handlers", () => {
    const listeners = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const calls: string[] = [];
    const remove = onStopSignals({ stop: (s) => calls.push(`stop ${s}`), stopNow: (s) => calls.push(`now ${s}`) });
    try {
      // A second request would exit this process: the repeats must be taken as the first.
      process.emit("SIGINT", "SIGINT");
      process.emit("SIGINT", "SIGINT");
      process.emit("SIGTERM", "SIGTERM");
    } finally {
      remove();
    }
    expect(calls).to.deep.equal(["stop SIGINT"]);
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).to.deep.equal(listeners);
  });
});
