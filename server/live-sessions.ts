/**
 * The server's live sessions: every env being stepped that a viewer may watch. Handles belong to
 * one connection; a live session has a server-wide id, so that the viewer (or any client) can
 * list what runs on the server and watch an env another connection steps, an agent the server
 * runs itself (the demo), or a training run's evaluations. A source publishes frames; the hub
 * fans them out to the connections watching, and to nobody (at no cost) when none is.
 */
import type { Frame, SceneDescription, SceneMarker } from "../sim/physics/scene.js";
import type { LiveSessionInfo, ServerEvent, ValueMapJSON } from "../protocol/messages.js";
import { ProtocolError } from "../protocol/protocol-error.js";
import { wireFrame } from "../protocol/wire-frame.js";

/** A connection that watches sessions: it gets their scene, frames, value maps and end. */
export interface Watcher {
  deliver(event: ServerEvent): void;
}

export interface LiveSource {
  readonly env: string;
  readonly label: string;
  readonly source: LiveSessionInfo["source"];
  /**
   * The scene as it stands, sent to each new watcher. When it changes, the source calls
   * publishScene before its next frame: frames travel aligned with the scene's markers.
   */
  scene(): SceneDescription;
  /** The state now, sent to each new watcher so that a paused session shows at once. */
  frame(): Frame;
  /** Present when the session takes goals from its watchers (the server's own agents): moves goal marker `marker`. */
  setGoal?(marker: string, position: [number, number, number]): void;
}

export class LiveSession {
  private readonly watchers = new Set<Watcher>();
  private valueMap: ValueMapJSON | null = null;
  /** The markers of the scene last sent to watchers: frames travel aligned with them (protocol/wire-frame.ts). */
  private markers: readonly SceneMarker[] = [];
  private ended = false;

  constructor(
    readonly id: number,
    readonly source: LiveSource,
    private readonly onEnd: (session: LiveSession) => void,
  ) {}

  /** Whether anyone watches: sources skip computing frames nobody will see. */
  get watched(): boolean {
    return this.watchers.size > 0;
  }

  info(): LiveSessionInfo {
    return {
      session: this.id,
      env: this.source.env,
      label: this.source.label,
      source: this.source.source,
      takesGoal: this.source.setGoal !== undefined,
    };
  }

  publish(frame: Frame): void {
    if (this.watchers.size === 0) return;
    this.deliver({ event: "sessionFrame", session: this.id, ...wireFrame(frame, this.markers) });
  }

  /** A new value map (kept, and sent to later watchers too). */
  publishValueMap(map: ValueMapJSON): void {
    this.valueMap = map;
    this.deliver({ event: "valueMap", session: this.id, map });
  }

  /** The scene changed (a replay moved on to another env's episode): every watcher gets it anew. */
  publishScene(): void {
    this.deliver({ event: "sessionScene", session: this.id, scene: this.sceneToSend() });
  }

  /** Idempotent: tells every watcher the session is over and leaves the hub. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.deliver({ event: "sessionEnded", session: this.id });
    this.watchers.clear();
    this.onEnd(this);
  }

  addWatcher(watcher: Watcher): void {
    this.watchers.add(watcher);
    watcher.deliver({ event: "sessionScene", session: this.id, scene: this.sceneToSend() });
    watcher.deliver({ event: "sessionFrame", session: this.id, ...wireFrame(this.source.frame(), this.markers) });
    if (this.valueMap) watcher.deliver({ event: "valueMap", session: this.id, map: this.valueMap });
  }

  removeWatcher(watcher: Watcher): void {
    this.watchers.delete(watcher);
  }

  /** The source's scene, whose markers later frames are aligned with. */
  private sceneToSend(): SceneDescription {
    const scene = this.source.scene();
    this.markers = scene.markers;
    return scene;
  }

  private deliver(event: ServerEvent): void {
    for (const w of this.watchers) w.deliver(event);
  }
}

export class LiveSessions {
  private readonly sessions = new Map<number, LiveSession>();
  private nextId = 1;

  /** Lists `source` until its session's `end()`. */
  add(source: LiveSource): LiveSession {
    const session = new LiveSession(this.nextId++, source, (s) => this.sessions.delete(s.id));
    this.sessions.set(session.id, session);
    return session;
  }

  list(): LiveSessionInfo[] {
    return [...this.sessions.values()].map((s) => s.info());
  }

  get(id: number): LiveSession {
    const session = this.sessions.get(id);
    if (!session)
      throw new ProtocolError(
        "NOT_FOUND",
        `no live session ${id} (live: ${[...this.sessions.keys()].join(", ") || "none"}; list shows them)`,
      );
    return session;
  }

  /** Stops `watcher` watching anything: its connection is gone. */
  forget(watcher: Watcher): void {
    for (const s of this.sessions.values()) s.removeWatcher(watcher);
  }

  /** Ends every session (server shutdown). */
  endAll(): void {
    for (const s of [...this.sessions.values()]) s.end();
  }
}
