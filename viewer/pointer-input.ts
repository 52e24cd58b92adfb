/**
 * The pointer on the canvas: orbit (left drag), pan (right or shift drag) and zoom (wheel) in the
 * tile under it, and dragging a goal marker in a live session whose agent takes goals. A dropped
 * goal is held where it was dropped until the session's frames agree (or two seconds pass):
 * frames already on their way still show the old goal, and the marker would jump back.
 */
import { Vector2, type Vector3 } from "three";
import type { Tile } from "./tile.js";

type Drag =
  | { tile: Tile; kind: "goal"; marker: string; position: Vector3 | null; held: number }
  | { tile: Tile; kind: "orbit" | "pan"; x: number; y: number };

/** Sends a dropped goal to its session; a rejection lets the marker go back to the session's. */
export type GoalDrop = (session: number, marker: string, position: Vector3) => Promise<void>;

export class PointerInput {
  private drag: Drag | null = null;
  private pendingGoal: { tile: Tile; marker: string; position: Vector3; until: number } | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly tiles: ReadonlyMap<string, Tile>,
    private readonly dropGoal: GoalDrop,
  ) {
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", () => this.up());
    canvas.addEventListener(
      "wheel",
      (e) => {
        const hit = this.tileAt(e);
        if (!hit) return;
        e.preventDefault();
        hit.tile.stage.rig.zoom(e.deltaY);
      },
      { passive: false },
    );
  }

  /** Keeps a goal being dragged, or just dropped, where the pointer put it; called every render. */
  holdDraggedGoal(tile: Tile, now: number): void {
    const drag = this.drag;
    const pending = this.pendingGoal;
    const held =
      drag?.kind === "goal" && drag.tile === tile && drag.position
        ? { marker: drag.marker, position: drag.position }
        : pending?.tile === tile
          ? pending
          : null;
    if (!held) return;
    const mesh = tile.stage.markers.get(held.marker);
    if (!mesh) return;
    if (pending && held === pending && (mesh.position.distanceTo(pending.position) < 0.02 || now > pending.until)) {
      this.pendingGoal = null;
      return;
    }
    mesh.position.copy(held.position);
  }

  private tileAt(e: PointerEvent | WheelEvent): { tile: Tile; ndc: Vector2 } | null {
    const rect = this.canvas.getBoundingClientRect();
    const px = e.clientX - rect.left;
    const py = e.clientY - rect.top;
    for (const tile of this.tiles.values()) {
      const { x, y, width, height } = tile.viewport;
      if (px >= x && px < x + width && py >= y && py < y + height)
        return { tile, ndc: new Vector2(((px - x) / width) * 2 - 1, -((py - y) / height) * 2 + 1) };
    }
    return null;
  }

  private down(e: PointerEvent): void {
    const hit = this.tileAt(e);
    if (!hit) return;
    this.canvas.setPointerCapture(e.pointerId);
    const marker = hit.tile.feed.kind === "live" && hit.tile.feed.takesGoal && e.button === 0 ? hit.tile.stage.goalAt(hit.ndc) : null;
    if (marker) {
      this.drag = { tile: hit.tile, kind: "goal", marker, position: null, held: hit.tile.stage.markers.get(marker)!.position.z };
      return;
    }
    this.drag = { tile: hit.tile, kind: e.button === 2 || e.shiftKey ? "pan" : "orbit", x: e.clientX, y: e.clientY };
  }

  private move(e: PointerEvent): void {
    const drag = this.drag;
    if (!drag) return;
    if (drag.kind === "goal") {
      const rect = this.canvas.getBoundingClientRect();
      const { x, y, width, height } = drag.tile.viewport;
      const ndc = new Vector2(((e.clientX - rect.left - x) / width) * 2 - 1, -((e.clientY - rect.top - y) / height) * 2 + 1);
      drag.position = drag.tile.stage.groundAt(ndc, drag.held) ?? drag.position;
      return;
    }
    const [dx, dy] = [e.clientX - drag.x, e.clientY - drag.y];
    [drag.x, drag.y] = [e.clientX, e.clientY];
    if (drag.kind === "orbit") drag.tile.stage.rig.rotate(dx, dy);
    else drag.tile.stage.rig.pan(dx, dy);
  }

  private up(): void {
    const d = this.drag;
    this.drag = null;
    if (d?.kind !== "goal" || !d.position || d.tile.feed.kind !== "live") return;
    const pending = { tile: d.tile, marker: d.marker, position: d.position, until: performance.now() + 2000 };
    this.pendingGoal = pending;
    this.dropGoal(d.tile.feed.session, d.marker, d.position).catch(() => {
      if (this.pendingGoal === pending) this.pendingGoal = null;
    });
  }
}
