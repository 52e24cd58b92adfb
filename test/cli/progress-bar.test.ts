import { expect } from "chai";
import { formatDuration, formatProgress, parseProgress, ProgressBar, type ProgressStream } from "../../cli/progress-bar.js";

/** A stream that records writes, and a clock the test moves by hand. */
function fakeOutput(isTTY: boolean): { stream: ProgressStream; written: string[]; clock: { ms: number } } {
  const written: string[] = [];
  const clock = { ms: 0 };
  return { stream: { isTTY, columns: 120, write: (s: string) => written.push(s) }, written, clock };
}

describe("ProgressBar", () => {
  it("prints plain lines at the log interval when not on a TTY", () => {
    const { stream, written, clock } = fakeOutput(false);
    const bar = new ProgressBar({ total: 1000, label: "train", stream, now: () => clock.ms, logEveryMs: 10_000 });
    for (let step = 100; step <= 1000; step += 100) {
      clock.ms += 4000;
      bar.update(step, { return: -150.25, success: 0.125 });
    }
    bar.finish();
    // Draws at 4 s (the first), 16 s, 28 s and 40 s; finish() does not repeat the last line.
    expect(written).to.have.length(4);
    expect(written.every((line) => line.endsWith("\n") && !line.includes("\r"))).to.equal(true);
    expect(written[3]).to.equal("train 1000/1000  100%  25 steps/s  return -150.3  success 0.13  ETA 0s\n");
  });

  it("redraws one line in place on a TTY and ends it on finish", () => {
    const { stream, written, clock } = fakeOutput(true);
    const bar = new ProgressBar({ total: 10_000, stream, now: () => clock.ms, startStep: 5000 });
    clock.ms = 1000;
    bar.update(6000);
    clock.ms = 1050;
    bar.update(6050); // within the redraw interval: not drawn
    bar.finish();
    expect(written).to.have.length(3);
    expect(written[0]!.startsWith("\r\x1b[2K")).to.equal(true);
    expect(written[0]).to.include("6000/10000").and.include("1000 steps/s").and.include("ETA 4s");
    expect(written[2]).to.equal("\n");
  });

  it("counts its rate from where the work fell back to when counted steps are lost", () => {
    const { stream, written, clock } = fakeOutput(false);
    const bar = new ProgressBar({ total: 10_000, stream, now: () => clock.ms, startStep: 1600, logEveryMs: 0 });
    clock.ms = 1000;
    bar.update(200); // a run restarted from its checkpoint at 0: 1,400 logged steps are gone
    clock.ms = 3000;
    bar.update(400);
    expect(written[1]).to.include("400/10000").and.include(" 100 steps/s");
  });

  it("shows a phase beside the main count with its own rate and ETA while it is under way", () => {
    const { stream, written, clock } = fakeOutput(false);
    const bar = new ProgressBar({ total: 12_000, label: "E6", stream, now: () => clock.ms, logEveryMs: 0 });
    clock.ms = 1000;
    bar.updatePhase("pretrain", 1000, 20_000); // an earlier invocation's steps do not count towards its rate
    clock.ms = 5000;
    bar.updatePhase("pretrain", 5000, 20_000);
    bar.update(0);
    expect(written.at(-1)).to.equal("E6 0/12000  0%  0 steps/s  ETA -  | pretrain 5000/20000  25%  1000 steps/s  ETA 15s\n");
    clock.ms = 25_000;
    bar.updatePhase("pretrain", 20_000, 20_000);
    bar.update(2400);
    expect(written.at(-1)).to.equal("E6 2400/12000  20%  96 steps/s  ETA 1m40s\n");
  });

  it("reads back the count of its own lines, plain or with a bar, and nothing else", () => {
    const state = { label: "collect PointMassPush-v0", step: 1250, total: 2000, stepsPerSec: 31.5, etaSec: 24, return: -40, success: 0.9 };
    expect(parseProgress(formatProgress(state, 0))).to.deep.equal({ step: 1250, total: 2000 });
    expect(parseProgress(formatProgress(state, 160))).to.deep.equal({ step: 1250, total: 2000 });
    expect(parseProgress(formatProgress({ ...state, step: 0, stepsPerSec: NaN }, 0))).to.deep.equal({ step: 0, total: 2000 });
    expect(parseProgress("tfjs backend: wasm")).to.equal(null);
    expect(parseProgress("/tmp/demos.bin: 16 successful episodes (2000 steps) of 20 tried")).to.equal(null);
  });

  it("formats durations and leaves out what it does not know", () => {
    expect([5, 75, 3700, NaN].map(formatDuration)).to.deep.equal(["5s", "1m15s", "1h01m", "-"]);
    const line = formatProgress({ label: "", step: 0, total: 10, stepsPerSec: NaN, etaSec: NaN }, 0);
    expect(line).to.equal("0/10  0%  - steps/s  ETA -");
  });
});
