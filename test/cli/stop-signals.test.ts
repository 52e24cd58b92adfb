import { expect } from "chai";
import { EventEmitter } from "node:events";
import { onStopSignals } from "../../cli/stop-signals.js";

describe("stop signals", () => {
  it("takes a repeat within a second as the same request (npx passes a terminal's Ctrl-C on again), and removes its handlers", () => {
    // Signals from an emitter of the test's own: emitting them on `process` would reach every
    // other handler in this process (playwright's among them).
    const source = new EventEmitter();
    const calls: string[] = [];
    const remove = onStopSignals({ stop: (s) => calls.push(`stop ${s}`), stopNow: (s) => calls.push(`now ${s}`) }, source);
    try {
      // A second request would exit this process: the repeats must be taken as the first.
      source.emit("SIGINT", "SIGINT");
      source.emit("SIGINT", "SIGINT");
      source.emit("SIGTERM", "SIGTERM");
    } finally {
      remove();
    }
    expect(calls).to.deep.equal(["stop SIGINT"]);
    expect([source.listenerCount("SIGINT"), source.listenerCount("SIGTERM")]).to.deep.equal([0, 0]);
  });
});
