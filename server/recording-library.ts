/**
 * Recorded episodes the viewer plays back with a scrubber. The server only lists them and hands
 * out one episode's scene and frames; what a recording is made of (demo files replayed through
 * the simulator, bridge/demo-recordings.ts) is decided above the server, which knows no file format
 * of the learning code.
 */
import type { Frame, SceneDescription } from "../sim/physics/scene.js";
import type { RecordingInfo } from "../protocol/messages.js";

export interface RecordedEpisodeFrames {
  scene: SceneDescription;
  /** One frame after the reset, then one per step. */
  frames: Frame[];
}

export interface RecordingLibrary {
  list(): RecordingInfo[];
  /** Called only with a listed recording and an episode it has (the session checks both). */
  episode(recording: string, episode: number): RecordedEpisodeFrames;
}

export const NO_RECORDINGS: RecordingLibrary = {
  list: () => [],
  episode: () => {
    throw new Error("an empty library lists no recording to ask for");
  },
};
