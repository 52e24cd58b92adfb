/**
 * Recordings for the viewer's playback from demo files (`rapier-gym collect`, and `eval
 * --record`): an episode is replayed through the simulator from its reset seed and its recorded
 * actions, which gives every frame in full (rotations included, which the files do not hold).
 * Files are read once, when the server starts; a damaged one is refused then, by name.
 */
import { basename } from "node:path";
import { readDemoFile } from "../agents/demos/demo-file.js";
import { demoRow, type DemoSet } from "../agents/demos/demo-set.js";
import type { RecordedEpisodeFrames, RecordingLibrary } from "../server/recording-library.js";
import type { RecordingInfo } from "../protocol/messages.js";
import { make } from "../sim/index.js";
import type { Frame } from "../sim/physics/scene.js";

export class DemoFileRecordings implements RecordingLibrary {
  private readonly sets = new Map<string, DemoSet>();

  constructor(files: readonly string[]) {
    for (const file of files) this.sets.set(basename(file), readDemoFile(file));
  }

  list(): RecordingInfo[] {
    return [...this.sets].map(([recording, set]) => ({
      recording,
      env: set.env,
      source: set.source,
      episodes: set.seeds.map((seed, i) => ({ seed, length: set.episodeLengths[i]! })),
    }));
  }

  episode(recording: string, episode: number): RecordedEpisodeFrames {
    const set = this.sets.get(recording)!;
    const env = make(set.env, set.envKwargs);
    try {
      env.reset({ seed: set.seeds[episode]! });
      const frames: Frame[] = [env.frame()];
      for (let t = 0; t < set.episodeLengths[episode]!; t++) {
        env.step(demoRow(set, "acts", episode, t));
        frames.push(env.frame());
      }
      return { scene: env.scene(), frames };
    } finally {
      env.close();
    }
  }
}
