/**
 * One tile's camera, in the three modes the viewer offers: orbit (drag to turn, right-drag or
 * shift-drag to pan, wheel to zoom, around a target), follow (the orbit's angles, its target
 * gliding after the agent) and top-down (straight down on the arena, north up: the view in which
 * a goal is dragged most precisely). z is up, as in the simulator.
 */
import { PerspectiveCamera, Vector3 } from "three";

export type CameraMode = "orbit" | "follow" | "top";

export class CameraRig {
  readonly camera = new PerspectiveCamera(45, 1, 0.05, 200);
  mode: CameraMode = "orbit";
  private readonly target = new Vector3();
  /** Spherical coordinates around the target: azimuth from +x, elevation above the ground plane. */
  private azimuth = -Math.PI / 2;
  private elevation = 0.9;
  private distance: number;

  /**
   * @param centre the middle of what should fill the view (the arena), where the orbit starts and top-down looks
   * @param extent half its size
   */
  constructor(
    private readonly centre: Vector3,
    private readonly extent: number,
  ) {
    this.target.copy(centre);
    this.distance = extent * 2.6;
    this.camera.up.set(0, 0, 1);
  }

  /** Turns the orbit by a drag of (dx, dy) pixels. */
  rotate(dx: number, dy: number): void {
    this.azimuth -= dx * 0.008;
    this.elevation = Math.min(1.5, Math.max(0.05, this.elevation + dy * 0.008));
  }

  /** Moves the target across the ground by a drag of (dx, dy) pixels. */
  pan(dx: number, dy: number): void {
    const scale = this.distance * 0.0015;
    const right = new Vector3(-Math.sin(this.azimuth), Math.cos(this.azimuth), 0);
    const forward = new Vector3(-Math.cos(this.azimuth), -Math.sin(this.azimuth), 0);
    this.target.addScaledVector(right, -dx * scale).addScaledVector(forward, dy * scale);
  }

  zoom(wheelDelta: number): void {
    this.distance = Math.min(this.extent * 12, Math.max(0.3, this.distance * Math.exp(wheelDelta * 0.001)));
  }

  /** Places the camera for this render; `agent` is where follow mode looks. */
  update(aspect: number, agent: Vector3 | null): void {
    this.camera.aspect = aspect;
    this.camera.updateProjectionMatrix();
    if (this.mode === "top") {
      // Far enough that the arena fits the narrower side of the tile.
      const fit = (this.extent * 1.1) / Math.tan((this.camera.fov * Math.PI) / 360) / Math.min(1, aspect);
      this.camera.up.set(0, 1, 0);
      this.camera.position.set(this.centre.x, this.centre.y, fit);
      this.camera.lookAt(this.centre);
      return;
    }
    if (this.mode === "follow" && agent) this.target.lerp(new Vector3(agent.x, agent.y, 0), 0.1);
    this.camera.up.set(0, 0, 1);
    const c = Math.cos(this.elevation);
    this.camera.position.set(
      this.target.x + this.distance * c * Math.cos(this.azimuth),
      this.target.y + this.distance * c * Math.sin(this.azimuth),
      this.target.z + this.distance * Math.sin(this.elevation),
    );
    this.camera.lookAt(this.target);
  }
}
