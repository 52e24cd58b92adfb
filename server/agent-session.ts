/**
 * An agent the server runs itself, in real time, as a live session: the demo's scripted experts
 * and shipped policies. It steps its env once per `dt` of simulated time (the env's control
 * rate), so a watcher sees the episode at the speed it happens, and it takes goals from watchers:
 * a goal dragged in the viewer restarts the episode from where everything stands, with the new
 * goal, and the agent goes after it.
 */
import { EnvError, type GoalEnv, type GoalObs, type StepResult } from "../sim/core/env.js";
import type { Frame, SceneDescription, SceneMarker } from "../sim/physics/scene.js";
import type { LiveSession, LiveSessions } from "./live-sessions.js";
import { ProtocolError } from "../protocol/protocol-error.js";
import type { ValueMapJSON } from "../protocol/messages.js";

/** What acts in an agent session. The policy part is all a scripted expert needs. */
export interface LiveAgent {
  /** Shown in the session list: "expert", "HAC policies/push-hac". */
  readonly name: string;
  /** Markers the agent adds to the env's (subgoal ghosts), given the env's scene. */
  markers(scene: SceneDescription): SceneMarker[];
  /** An episode starts (after a reset, or a goal change). */
  begin(obs: GoalObs): void;
  act(obs: GoalObs): ArrayLike<number>;
  /** After each step, with the action and its result (a hierarchy advances its windows). */
  observe(action: ArrayLike<number>, result: StepResult<GoalObs>): void;
  /** Where its markers are now. */
  markerPositions(): Frame["markers"];
  /** The agent's value over subgoals for this state, when it has one (HAC on PointMass). */
  valueMap(obs: GoalObs): ValueMapJSON | null;
}

export interface AgentSessionOptions {
  /** Episode i is reset with seed + i. @defaultValue 0 */
  seed?: number;
  /** Steps between value maps: each is 6400 critic evaluations, about 70 ms on the wasm backend, a hitch the agents feel. @defaultValue 24 (2 s on PointMass) */
  valueMapEvery?: number;
  /** Pause on an episode's last frame before the next reset, in ms. @defaultValue 1000 */
  pauseMs?: number;
}

export class AgentSession {
  readonly live: LiveSession;
  private readonly scene: SceneDescription;
  private obs: GoalObs;
  private episode = 0;
  private stepsSinceMap = 0;
  private pausedUntil = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    hub: LiveSessions,
    private readonly env: GoalEnv,
    private readonly agent: LiveAgent,
    private readonly options: AgentSessionOptions = {},
  ) {
    const envScene = env.scene();
    this.scene = { ...envScene, markers: [...envScene.markers, ...agent.markers(envScene)] };
    this.live = hub.add({
      env: envScene.env,
      label: agent.name,
      source: "agent",
      scene: () => this.scene,
      frame: () => this.frame(),
      setGoal: (marker, position) => this.setGoal(this.goalWith(marker, position)),
    });
    this.obs = this.reset();
    this.timer = setInterval(() => this.tick(), envScene.dt * 1000);
  }

  /** Stops stepping and ends the live session (its watchers are told). */
  stop(): void {
    clearInterval(this.timer);
    this.live.end();
    this.env.close();
  }

  private reset(options?: Record<string, unknown>): GoalObs {
    const { obs } = this.env.reset(options === undefined ? { seed: (this.options.seed ?? 0) + this.episode++ } : { options });
    this.agent.begin(obs);
    this.stepsSinceMap = 0;
    this.mapValue(obs);
    return obs;
  }

  /**
   * One control step. An agent that throws (a broken policy file, a bug) is stopped and reported,
   * so that the server and the other sessions go on; its watchers get sessionEnded.
   */
  private tick(): void {
    try {
      this.advance();
    } catch (e) {
      process.stderr.write(
        `rapier-gym: the live agent "${this.agent.name}" on ${this.scene.env} failed and was stopped: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      this.stop();
    }
  }

  private advance(): void {
    if (performance.now() < this.pausedUntil) return;
    if (this.pausedUntil > 0) {
      this.pausedUntil = 0;
      this.obs = this.reset();
      this.live.publish(this.frame());
      return;
    }
    const action = this.agent.act(this.obs);
    const r = this.env.step(action);
    this.agent.observe(action, r);
    this.obs = r.obs;
    if (++this.stepsSinceMap >= (this.options.valueMapEvery ?? 24)) {
      this.stepsSinceMap = 0;
      this.mapValue(r.obs);
    }
    this.live.publish(this.frame());
    if (r.terminated || r.truncated) this.pausedUntil = performance.now() + (this.options.pauseMs ?? 1000);
  }

  /**
   * Restarts the episode with `goal`, keeping the mass and blocks where they are when the env
   * takes start positions (PointMass's agentStart and blockStarts); an env that does not gets
   * the goal alone. A goal the env refuses leaves the episode running untouched.
   */
  private setGoal(goal: number[]): void {
    const fps = this.obs["full_positional_state"];
    const keep: Record<string, unknown> = {};
    if (fps && fps.length % 2 === 0) {
      keep["agentStart"] = [fps[0], fps[1]];
      keep["blockStarts"] = Array.from({ length: fps.length / 2 - 1 }, (_, i) => [fps[2 + 2 * i], fps[3 + 2 * i]]);
    }
    try {
      this.obs = this.reset({ goal, ...keep });
    } catch (e) {
      if (!(e instanceof EnvError && e.code === "BAD_OPTIONS") || Object.keys(keep).length === 0) throw e;
      try {
        this.obs = this.reset({ goal });
      } catch (again) {
        if (again instanceof EnvError) throw new ProtocolError("BAD_OPTIONS", again.message);
        throw again;
      }
    }
    this.pausedUntil = 0;
    this.live.publish(this.frame());
  }

  /**
   * The current goal with goal marker `marker` moved to `position`: the env's desired goal holds
   * one equal part per goal marker (x, y on PointMass), which takes that many coordinates.
   */
  private goalWith(marker: string, position: [number, number, number]): number[] {
    const goals = this.scene.markers.filter((m) => /^goal_\d+$/.test(m.name)).map((m) => m.name);
    const index = goals.indexOf(marker);
    if (index < 0)
      throw new ProtocolError(
        "BAD_REQUEST",
        `"${marker.slice(0, 64)}" is not a goal marker of ${this.scene.env} (goal markers: ${goals.join(", ")})`,
      );
    const goal = Array.from(this.obs.desired_goal);
    const per = goal.length / goals.length;
    for (let d = 0; d < Math.min(per, 3); d++) goal[index * per + d] = position[d]!;
    return goal;
  }

  private mapValue(obs: GoalObs): void {
    const map = this.agent.valueMap(obs);
    if (map) this.live.publishValueMap(map);
  }

  private frame(): Frame {
    const frame = this.env.frame();
    return { ...frame, markers: { ...frame.markers, ...this.agent.markerPositions() } };
  }
}
