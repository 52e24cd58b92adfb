/**
 * One watched scene, drawn in one tile: the meshes of the server's scene description (bodies,
 * shapes, colours; z up), its markers (goals solid-ish, subgoal ghosts translucent), an optional
 * value map laid on the floor, and a camera rig. It draws only what it is sent: the pose of each
 * moving body per frame, blended by whoever feeds it (the live interpolator or the scrubber).
 * Lambert materials and no antialiasing (main.ts): a viewer on a machine without a GPU renders in
 * software, and four tiles must still hold 30 frames/s there.
 */
import {
  AmbientLight,
  BoxGeometry,
  CapsuleGeometry,
  Color,
  CylinderGeometry,
  DataTexture,
  DirectionalLight,
  DoubleSide,
  type BufferGeometry,
  HemisphereLight,
  Mesh,
  MeshBasicMaterial,
  MeshLambertMaterial,
  PlaneGeometry,
  Raycaster,
  RGBAFormat,
  Scene,
  SphereGeometry,
  Vector2,
  Vector3,
} from "three";
import type { SceneDescription, Shape } from "../sim/physics/scene.js";
import type { ValueMapJSON } from "../protocol/messages.js";
import { CameraRig } from "./camera-rig.js";
import type { Blend } from "./frame-interpolator.js";
import { heatColor } from "./heat-ramp.js";

export class Stage {
  readonly scene = new Scene();
  readonly rig: CameraRig;
  /** Meshes of the non-fixed bodies, in frame order. */
  private readonly moving: Mesh[] = [];
  readonly markers = new Map<string, Mesh>();
  private valuePlane: Mesh<PlaneGeometry, MeshBasicMaterial> | null = null;
  /** Height of the floor's top face, where the value map lies. */
  private readonly floorTop: number;
  showValueMap = true;
  lastStep = 0;

  constructor(readonly description: SceneDescription) {
    this.scene.background = new Color("#f4f1ea");
    this.scene.add(new HemisphereLight("#ffffff", "#8d8d8d", 1.6));
    this.scene.add(new AmbientLight("#ffffff", 0.4));
    const sun = new DirectionalLight("#ffffff", 1.6);
    sun.position.set(3, -4, 8);
    this.scene.add(sun);
    // The view is framed on the box around everything but the floor (the arena's walls, the
    // Panda's table and arm), however small: the Panda's workspace is under a metre across and
    // its base stands off the origin.
    const low = [Infinity, Infinity];
    const high = [-Infinity, -Infinity];
    let floorTop = 0;
    let top = 0;
    for (const body of description.bodies) {
      const mesh = new Mesh(geometry(body.shape), new MeshLambertMaterial({ color: body.color }));
      mesh.position.set(...body.position);
      mesh.quaternion.set(...body.rotation);
      this.scene.add(mesh);
      if (body.kind !== "fixed") this.moving.push(mesh);
      if (body.name === "floor") floorTop = body.position[2] + (body.shape.kind === "box" ? body.shape.halfExtents[2] : 0);
      else {
        for (const axis of [0, 1] as const) {
          low[axis] = Math.min(low[axis]!, body.position[axis] - halfExtent(body.shape, axis));
          high[axis] = Math.max(high[axis]!, body.position[axis] + halfExtent(body.shape, axis));
        }
        top = Math.max(top, body.position[2] + halfExtent(body.shape, 2));
      }
    }
    this.floorTop = floorTop;
    for (const m of description.markers) {
      const ghost = m.name.startsWith("subgoal");
      const material = new MeshLambertMaterial({
        color: m.color,
        transparent: true,
        opacity: m.opacity,
        depthWrite: !ghost,
        emissive: m.color,
        emissiveIntensity: ghost ? 0.3 : 0.15,
      });
      const mesh = new Mesh(geometry(m.shape), material);
      mesh.name = m.name;
      mesh.visible = false;
      this.markers.set(m.name, mesh);
      this.scene.add(mesh);
    }
    const framed = low[0]! <= high[0]!;
    const centre = framed ? new Vector3((low[0]! + high[0]!) / 2, (low[1]! + high[1]!) / 2, 0) : new Vector3();
    // A tall scene (the arm above its table) needs the camera further back than its footprint says.
    const extent = framed ? Math.max(0.25, (high[0]! - low[0]!) / 2, (high[1]! - low[1]!) / 2, 0.6 * (top - floorTop)) : 0.25;
    this.rig = new CameraRig(centre, extent);
  }

  /** What follow mode follows: the point mass ("agent"), else the arm's hand, else the first moving body. */
  get agentPosition(): Vector3 | null {
    const names = this.description.bodies.filter((b) => b.kind !== "fixed").map((b) => b.name);
    const i = [names.indexOf("agent"), names.findIndex((n) => /hand|gripper/.test(n)), 0].find((k) => k >= 0)!;
    return this.moving[i]?.position ?? null;
  }

  apply(blend: Blend): void {
    blend.poses.forEach((pose, i) => {
      const mesh = this.moving[i];
      if (!mesh) return;
      mesh.position.copy(pose.position);
      mesh.quaternion.copy(pose.quaternion);
    });
    for (const [name, mesh] of this.markers) {
      const p = blend.markers.get(name);
      mesh.visible = p !== undefined;
      if (p) mesh.position.copy(p);
    }
    this.lastStep = blend.step;
  }

  /** Lays `map` on the floor as a heat map, blue for the lowest value to yellow for the highest. */
  setValueMap(map: ValueMapJSON): void {
    let lo = Infinity;
    let hi = -Infinity;
    for (const q of map.q) [lo, hi] = [Math.min(lo, q), Math.max(hi, q)];
    const data = new Uint8Array(map.size * map.size * 4);
    map.q.forEach((q, k) => {
      const [r, g, b] = heatColor(hi > lo ? (q - lo) / (hi - lo) : 0.5);
      data.set([r, g, b, 255], 4 * k);
    });
    const texture = new DataTexture(data, map.size, map.size, RGBAFormat);
    texture.needsUpdate = true;
    if (!this.valuePlane) {
      this.valuePlane = new Mesh(new PlaneGeometry(1, 1), new MeshBasicMaterial({ side: DoubleSide, transparent: true, opacity: 0.85 }));
      this.valuePlane.position.set(0, 0, this.floorTop + 0.004);
      this.scene.add(this.valuePlane);
    }
    this.valuePlane.scale.set(2 * map.range, 2 * map.range, 1);
    this.valuePlane.material.map?.dispose();
    this.valuePlane.material.map = texture;
    this.valuePlane.material.needsUpdate = true;
    this.valuePlane.visible = this.showValueMap;
  }

  get hasValueMap(): boolean {
    return this.valuePlane !== null;
  }

  setValueMapVisible(visible: boolean): void {
    this.showValueMap = visible;
    if (this.valuePlane) this.valuePlane.visible = visible;
  }

  /** The goal marker under a point of the tile (normalised device coordinates), if any. */
  goalAt(ndc: Vector2): string | null {
    const ray = new Raycaster();
    ray.setFromCamera(ndc, this.rig.camera);
    const goals = [...this.markers.values()].filter((m) => m.visible && m.name.startsWith("goal_"));
    return ray.intersectObjects(goals, false)[0]?.object.name ?? null;
  }

  /** Where a point of the tile meets the horizontal plane at height z. */
  groundAt(ndc: Vector2, z: number): Vector3 | null {
    const ray = new Raycaster();
    ray.setFromCamera(ndc, this.rig.camera);
    const { origin, direction } = ray.ray;
    if (Math.abs(direction.z) < 1e-6) return null;
    const s = (z - origin.z) / direction.z;
    return s > 0 ? origin.clone().addScaledVector(direction, s) : null;
  }

  dispose(): void {
    this.scene.traverse((o) => {
      if (o instanceof Mesh) {
        (o.geometry as BufferGeometry).dispose();
        const material = o.material as MeshLambertMaterial;
        material.map?.dispose();
        material.dispose();
      }
    });
  }
}

function geometry(shape: Shape): BufferGeometry {
  switch (shape.kind) {
    case "sphere":
      return new SphereGeometry(shape.radius, 24, 16);
    case "box":
      return new BoxGeometry(2 * shape.halfExtents[0], 2 * shape.halfExtents[1], 2 * shape.halfExtents[2]);
    // three.js and Rapier both put capsules and cylinders along the local y axis.
    case "capsule":
      return new CapsuleGeometry(shape.radius, 2 * shape.halfHeight, 6, 16);
    case "cylinder":
      return new CylinderGeometry(shape.radius, shape.radius, 2 * shape.halfHeight, 24);
  }
}

/**
 * Half the shape's size along x, y or z (axis 0, 1, 2), unrotated, enough to frame a scene:
 * boxes turn only about z here (walls); a capsule or cylinder counts its length along y and z,
 * since the arm's links turn any way.
 */
function halfExtent(shape: Shape, axis: 0 | 1 | 2): number {
  switch (shape.kind) {
    case "sphere":
      return shape.radius;
    case "box":
      return shape.halfExtents[axis];
    case "capsule":
    case "cylinder":
      return axis === 0 ? shape.radius : shape.radius + shape.halfHeight;
  }
}
