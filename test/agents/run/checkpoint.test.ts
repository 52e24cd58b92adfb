import { expect } from "chai";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HerReplayBuffer } from "../../../agents/buffers/her-replay-buffer.js";
import { writeTempFile } from "../../../agents/run/atomic-write.js";
import { checkpointName, listCheckpoints, loadLatestCheckpoint, saveCheckpoint } from "../../../agents/run/checkpoint.js";
import { Rng } from "../../../sim/core/rng.js";

const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);

describe("checkpoints", () => {
  let root: string;
  beforeEach(() => {
    root = join(mkdtempSync(join(tmpdir(), "checkpoint-")), "checkpoints");
  });
  afterEach(() => rmSync(join(root, ".."), { recursive: true, force: true }));

  it("has no checkpoint to load in a fresh run", () => {
    expect(loadLatestCheckpoint(root)).to.deep.equal({ checkpoint: null, skipped: [] });
  });

  it("saves named blobs and meta, points latest at the newest and loads it", () => {
    saveCheckpoint(root, { step: 100, blobs: { weights: bytes(1, 2), rng: bytes(3) }, meta: { episode: 1 } });
    saveCheckpoint(root, { step: 200, blobs: { weights: bytes(4, 5, 6), rng: bytes(7) }, meta: { episode: 2 } });
    expect(readFileSync(join(root, "latest"), "utf8").trim()).to.equal(checkpointName(200));
    const { checkpoint, skipped } = loadLatestCheckpoint(root);
    expect(skipped).to.deep.equal([]);
    expect(checkpoint!.step).to.equal(200);
    expect(checkpoint!.meta).to.deep.equal({ episode: 2 });
    expect(Array.from(checkpoint!.blobs.get("weights")!)).to.deep.equal([4, 5, 6]);
    expect(Array.from(checkpoint!.blobs.get("rng")!)).to.deep.equal([7]);
  });

  it("keeps only the newest `keep` checkpoints", () => {
    for (const step of [10, 20, 30, 40]) saveCheckpoint(root, { step, blobs: { b: bytes(step) }, keep: 2 });
    expect(listCheckpoints(root).map((c) => c.step)).to.deep.equal([30, 40]);
    expect(readdirSync(root).sort()).to.deep.equal(["latest", checkpointName(30), checkpointName(40)]);
  });

  it("ignores a save killed before its rename and cleans it up on the next save", () => {
    saveCheckpoint(root, { step: 100, blobs: { b: bytes(1) } });
    // A kill while writing step 200: a half-filled temp directory, never renamed.
    const half = join(root, ".step-000000000200.tmp-99999-0");
    mkdirSync(half);
    writeFileSync(join(half, "b.bin"), bytes(9));
    expect(loadLatestCheckpoint(root).checkpoint!.step).to.equal(100);
    saveCheckpoint(root, { step: 300, blobs: { b: bytes(3) } });
    expect(readdirSync(root).some((n) => n.startsWith("."))).to.equal(false);
  });

  it("finds a checkpoint renamed into place whose latest pointer was never updated", () => {
    saveCheckpoint(root, { step: 100, blobs: { b: bytes(1) } });
    saveCheckpoint(root, { step: 200, blobs: { b: bytes(2) } });
    // A kill between the rename and the pointer update, while writing the pointer:
    writeFileSync(join(root, "latest"), `${checkpointName(100)}\n`);
    writeTempFile(join(root, "latest"), "step-0000");
    expect(loadLatestCheckpoint(root).checkpoint!.step).to.equal(100);
    // A pointer to a checkpoint that was pruned or moved aside falls back to listing.
    writeFileSync(join(root, "latest"), `${checkpointName(500)}\n`);
    const { checkpoint, skipped } = loadLatestCheckpoint(root);
    expect(checkpoint!.step).to.equal(200);
    expect(skipped).to.deep.equal([`${checkpointName(500)}: no manifest`]);
  });

  it("falls back to an older checkpoint when a blob does not match its manifest", () => {
    saveCheckpoint(root, { step: 100, blobs: { b: bytes(1) } });
    saveCheckpoint(root, { step: 200, blobs: { b: bytes(2) } });
    writeFileSync(join(root, checkpointName(200), "b.bin"), bytes(42));
    const { checkpoint, skipped } = loadLatestCheckpoint(root);
    expect(checkpoint!.step).to.equal(100);
    expect(skipped).to.deep.equal([`${checkpointName(200)}: blob b does not match its manifest`]);
  });

  it("replaces a checkpoint saved again at the same step (a resumed run)", () => {
    saveCheckpoint(root, { step: 100, blobs: { b: bytes(1) } });
    saveCheckpoint(root, { step: 100, blobs: { b: bytes(2) } });
    expect(Array.from(loadLatestCheckpoint(root).checkpoint!.blobs.get("b")!)).to.deep.equal([2]);
    expect(listCheckpoints(root)).to.have.length(1);
  });

  it("rejects blob names that are not plain file names", () => {
    expect(() => saveCheckpoint(root, { step: 1, blobs: { "../x": bytes(1) } })).to.throw(/blob name/);
  });

  it("carries a replay buffer that samples identically after loading", () => {
    const reward = (a: Float64Array, d: Float64Array): Float64Array => Float64Array.from(a, (v, i) => (v === d[i] ? 0 : -1));
    const buffer = new HerReplayBuffer({
      capacity: 50,
      observationDim: 1,
      goalDim: 1,
      actionDim: 1,
      computeReward: reward,
      rng: new Rng(3),
    });
    for (let t = 0; t < 30; t++) {
      buffer.add({
        observation: [t],
        desiredGoal: [99],
        action: [1],
        reward: -1,
        nextObservation: [t + 1],
        nextAchievedGoal: [t + 1],
        terminated: false,
        truncated: t % 10 === 9,
      });
    }
    saveCheckpoint(root, { step: 30, blobs: { replay: buffer.toBytes() } });
    const restored = HerReplayBuffer.fromBytes(loadLatestCheckpoint(root).checkpoint!.blobs.get("replay")!, reward);
    expect(restored.sample(64)).to.deep.equal(buffer.sample(64));
  });
});
