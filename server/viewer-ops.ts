/**
 * The ops the viewer lives on, which touch no env of the connection: what runs on the server
 * (list), watching a live session, moving a server agent's goal, a run's learning curve and a
 * recorded episode.
 */
import type { OpHandlers } from "./op-handlers.js";
import { ProtocolError } from "../protocol/protocol-error.js";
import { wireFrame } from "../protocol/wire-frame.js";
import type { LiveSessions, Watcher } from "./live-sessions.js";
import type { RecordingLibrary } from "./recording-library.js";
import type { RunLibrary } from "./run-library.js";

export type ViewerOp = "list" | "watch" | "unwatch" | "setGoal" | "metrics" | "playback";

export interface ViewerOpsOptions {
  live: LiveSessions;
  runs: RunLibrary;
  recordings: RecordingLibrary;
}

/** The viewer's part of the handler table, for the connection `watcher`. */
export function viewerOps({ live, runs, recordings }: ViewerOpsOptions, watcher: Watcher): Pick<OpHandlers, ViewerOp> {
  return {
    list: () => ({ sessions: live.list(), runs: runs.list(), recordings: recordings.list() }),
    watch: (req) => {
      live.get(req.session).addWatcher(watcher);
      return {};
    },
    unwatch: (req) => {
      live.get(req.session).removeWatcher(watcher);
      return {};
    },
    setGoal: (req) => {
      const { source } = live.get(req.session);
      if (!source.setGoal)
        throw new ProtocolError(
          "BAD_REQUEST",
          `session ${req.session} (${source.label}) does not take goals: only the server's own agents do (list shows takesGoal)`,
        );
      source.setGoal(req.marker, req.position);
      return {};
    },
    metrics: (req) => ({ run: req.run, ...runs.metrics(req.run, req.from ?? 0) }),
    playback: (req) => {
      const known = recordings.list();
      const recording = known.find((r) => r.recording === req.recording);
      if (!recording)
        throw new ProtocolError(
          "NOT_FOUND",
          `no recording "${req.recording.slice(0, 200)}" on this server (recordings: ${known.map((r) => r.recording).join(", ") || "none"})`,
        );
      if (req.episode >= recording.episodes.length)
        throw new ProtocolError(
          "NOT_FOUND",
          `${req.recording} has ${recording.episodes.length} episodes (0..${recording.episodes.length - 1}), not episode ${req.episode}`,
        );
      const { scene, frames } = recordings.episode(req.recording, req.episode);
      return { recording: req.recording, episode: req.episode, scene, frames: frames.map((f) => wireFrame(f, scene.markers)) };
    },
  };
}
