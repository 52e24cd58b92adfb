/**
 * The viewer page: connects to the server that served it, lists its envs, live sessions, runs
 * and recordings, watches up to four sessions at once (one tile each, drawn by one WebGL
 * renderer), draws learning curves of the runs ticked, plays recordings back with a scrubber,
 * and lets a goal be dragged in any session whose agent takes goals. Everything comes through the
 * protocol (viewer-client.ts); nothing here steps physics.
 */
import { WebGLRenderer } from "three";
import type { CurvePoint, LiveSessionInfo, ListResult, ServerEvent } from "../protocol/messages.js";
import { frameFromWire } from "../protocol/wire-frame.js";
import type { CameraMode } from "./camera-rig.js";
import { drawLearningCurves, RUN_COLORS } from "./learning-chart.js";
import { PointerInput } from "./pointer-input.js";
import { Tile } from "./tile.js";
import { ViewerClient } from "./viewer-client.js";

/** Tiles shown at once: beyond four, each is too small to read. */
const MAX_TILES = 4;
const LIST_EVERY_MS = 2000;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>("scene");
const view = $<HTMLDivElement>("view");
const status = $<HTMLSpanElement>("status");
const renderer = new WebGLRenderer({ canvas, antialias: false });
renderer.setScissorTest(true);

const tiles = new Map<string, Tile>();
let sessions: LiveSessionInfo[] = [];
const runs = new Map<string, { rows: CurvePoint[]; next: number; shown: boolean }>();
let client: ViewerClient;
let cameraMode: CameraMode = "orbit";
let showValueMap = true;
let renders = 0;
const frameTimes: number[] = [];
const pointer = new PointerInput(canvas, tiles, (session, marker, position) =>
  client.request("setGoal", { session, marker, position: [position.x, position.y, position.z] }).then(
    () => setStatus(`moved ${marker} to (${position.x.toFixed(2)}, ${position.y.toFixed(2)})`),
    (err: Error) => {
      setStatus(err.message, true);
      throw err;
    },
  ),
);

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle("error", error);
}

function onEvent(event: ServerEvent): void {
  const now = performance.now();
  switch (event.event) {
    case "sessionScene": {
      const existing = tiles.get(`session-${event.session}`);
      if (existing) existing.rebuild(event.scene);
      else {
        const info = sessions.find((s) => s.session === event.session);
        addTile(
          Tile.live(
            event.session,
            event.scene,
            info?.takesGoal ?? false,
            `${event.scene.env} · ${info?.label ?? `session ${event.session}`}`,
          ),
        );
      }
      return;
    }
    case "sessionFrame": {
      const tile = tiles.get(`session-${event.session}`);
      if (tile?.feed.kind === "live") tile.feed.interpolator.push(frameFromWire(event, tile.stage.description.markers), now);
      return;
    }
    case "valueMap":
      tiles.get(`session-${event.session}`)?.stage.setValueMap(event.map);
      return;
    case "sessionEnded":
      removeTile(`session-${event.session}`);
      renderLists(null);
      return;
    case "scene":
    case "frame":
      return; // subscribe's pushes: this page watches, it never subscribes
  }
}

function addTile(tile: Tile): void {
  tile.stage.rig.mode = cameraMode;
  tile.stage.setValueMapVisible(showValueMap);
  tiles.set(tile.key, tile);
  view.appendChild(tile.label);
  layout();
}

function removeTile(key: string): void {
  const tile = tiles.get(key);
  if (!tile) return;
  tile.stage.dispose();
  tile.label.remove();
  tiles.delete(key);
  if (tile.feed.kind === "playback") $("playback").hidden = true;
  layout();
}

/** Tiles in a grid: one fills the view, two side by side, three or four in two rows. */
function layout(): void {
  const width = view.clientWidth;
  const height = view.clientHeight;
  const list = [...tiles.values()];
  const cols = list.length <= 1 ? 1 : 2;
  const rows = Math.max(1, Math.ceil(list.length / cols));
  list.forEach((tile, i) => {
    const w = width / cols;
    const h = height / rows;
    const c = i % cols;
    const r = Math.floor(i / cols);
    tile.viewport = { x: c * w, y: r * h, width: w, height: h };
    tile.label.style.left = `${c * w + 4}px`;
    tile.label.style.top = `${r * h + 4}px`;
  });
}

let last = performance.now();
function render(now: number): void {
  requestAnimationFrame(render);
  const elapsed = (now - last) / 1000;
  last = now;
  const dpr = Math.min(window.devicePixelRatio || 1, 2);
  const width = view.clientWidth;
  const height = view.clientHeight;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    renderer.setPixelRatio(dpr);
    renderer.setSize(width, height, false);
    layout();
  }
  renderer.setScissor(0, 0, width, height);
  renderer.setViewport(0, 0, width, height);
  renderer.setClearColor("#e9e6df");
  renderer.clear();
  for (const tile of tiles.values()) {
    tile.advance(now, elapsed);
    pointer.holdDraggedGoal(tile, now);
    const { x, y, width: w, height: h } = tile.viewport;
    // WebGL counts viewport rows from the bottom.
    const bottom = height - y - h;
    renderer.setViewport(x, bottom, w, h);
    renderer.setScissor(x, bottom, w, h);
    tile.stage.rig.update(w / h, tile.stage.agentPosition);
    renderer.render(tile.stage.scene, tile.stage.rig.camera);
  }
  const playback = [...tiles.values()].find((t) => t.feed.kind === "playback");
  if (playback?.feed.kind === "playback") {
    $<HTMLInputElement>("scrubber").value = String(playback.duration > 0 ? playback.shownTime / playback.duration : 0);
    $("playback-label").textContent = `step ${playback.stage.lastStep} of ${playback.feed.frames.length - 1}`;
  }
  renders++;
  frameTimes.push(now);
  while (frameTimes.length > 0 && frameTimes[0]! < now - 2000) frameTimes.shift();
}

// ---- toolbar ----------------------------------------------------------------------------------

const modeButtons = Array.from(document.querySelectorAll<HTMLButtonElement>("#camera-modes button"));
for (const button of modeButtons) {
  button.addEventListener("click", () => {
    cameraMode = button.dataset["mode"] as CameraMode;
    for (const b of modeButtons) b.classList.toggle("active", b === button);
    for (const tile of tiles.values()) tile.stage.rig.mode = cameraMode;
  });
}
$<HTMLInputElement>("show-value-map").addEventListener("change", (e) => {
  showValueMap = (e.target as HTMLInputElement).checked;
  for (const tile of tiles.values()) tile.stage.setValueMapVisible(showValueMap);
});
$("close-playback").addEventListener("click", () => removeTile("playback"));
$("play").addEventListener("click", () => {
  const tile = [...tiles.values()].find((t) => t.feed.kind === "playback");
  if (tile?.feed.kind !== "playback") return;
  tile.feed.playing = !tile.feed.playing;
  $("play").textContent = tile.feed.playing ? "pause" : "play";
});
$<HTMLInputElement>("scrubber").addEventListener("input", (e) => {
  const tile = [...tiles.values()].find((t) => t.feed.kind === "playback");
  if (tile?.feed.kind !== "playback") return;
  tile.feed.playing = false;
  $("play").textContent = "play";
  tile.feed.time = Number((e.target as HTMLInputElement).value) * tile.duration;
});

// ---- sidebar ----------------------------------------------------------------------------------

function item(list: HTMLElement, content: Node | string): HTMLLIElement {
  const li = document.createElement("li");
  li.append(content);
  list.appendChild(li);
  return li;
}

function checkbox(text: string, checked: boolean, onChange: (checked: boolean) => void, color?: string): HTMLLabelElement {
  const label = document.createElement("label");
  const input = document.createElement("input");
  input.type = "checkbox";
  input.checked = checked;
  input.addEventListener("change", () => onChange(input.checked));
  label.append(input, ` ${text}`);
  if (color) label.style.color = color;
  return label;
}

function watch(session: number): void {
  if (tiles.size >= MAX_TILES) {
    setStatus(`at most ${MAX_TILES} tiles: untick one first`, true);
    shownList = ""; // untick the box that was just ticked
    renderLists(null);
    return;
  }
  client.request("watch", { session }).catch((err: Error) => setStatus(err.message, true));
}

function unwatch(session: number): void {
  removeTile(`session-${session}`);
  client.request("unwatch", { session }).catch((err: Error) => setStatus(err.message, true));
}

/** Redraws the lists from `list` (or from what is known, when null). */
let lastList: ListResult = { sessions: [], runs: [], recordings: [] };
let shownList = "";
function renderLists(fresh: ListResult | null): void {
  const list = fresh ?? lastList;
  // Rebuilt only when something changed: a rebuild under the pointer would swallow a click.
  const key = JSON.stringify([list, [...tiles.keys()]]);
  if (key === shownList) return;
  shownList = key;
  lastList = list;
  sessions = list.sessions;
  const ul = $("sessions");
  ul.replaceChildren();
  for (const s of sessions) {
    const watched = tiles.has(`session-${s.session}`);
    item(
      ul,
      checkbox(`${s.env} · ${s.label}${s.takesGoal ? " (drag its goal)" : ""}`, watched, (on) =>
        on ? watch(s.session) : unwatch(s.session),
      ),
    );
  }
  if (sessions.length === 0) item(ul, "none yet").className = "empty";
  const runList = $("runs");
  runList.replaceChildren();
  list.runs.forEach((r) => {
    if (!runs.has(r.run)) runs.set(r.run, { rows: [], next: 0, shown: runs.size < RUN_COLORS.length });
    const state = runs.get(r.run)!;
    const index = [...runs.keys()].indexOf(r.run);
    item(
      runList,
      checkbox(
        `${r.run}${r.algo ? ` (${r.algo}` : ""}${r.env ? ` on ${r.env})` : r.algo ? ")" : ""}`,
        state.shown,
        (on) => {
          state.shown = on;
          drawCurves();
        },
        RUN_COLORS[index % RUN_COLORS.length],
      ),
    );
  });
  if (list.runs.length === 0) item(runList, "none (serve --runs DIR)").className = "empty";
  const recList = $("recordings");
  recList.replaceChildren();
  for (const rec of list.recordings) {
    const li = item(recList, `${rec.recording} (${rec.source} on ${rec.env})`);
    const episodes = document.createElement("div");
    episodes.className = "episodes";
    rec.episodes.slice(0, 50).forEach((ep, i) => {
      const b = document.createElement("button");
      b.textContent = `${i}`;
      b.title = `seed ${ep.seed}, ${ep.length} steps`;
      b.addEventListener("click", () => play(rec.recording, i).catch((err: Error) => setStatus(err.message, true)));
      episodes.appendChild(b);
    });
    li.appendChild(episodes);
  }
  if (list.recordings.length === 0) item(recList, "none (serve --recordings FILE)").className = "empty";
}

async function play(recording: string, episode: number): Promise<void> {
  const r = await client.request("playback", { recording, episode });
  for (const t of [...tiles.values()]) if (t.feed.kind === "playback") removeTile(t.key);
  if (tiles.size >= MAX_TILES) removeTile([...tiles.keys()][0]!);
  const frames = r.frames.map((f) => frameFromWire(f, r.scene.markers));
  addTile(Tile.playback(`playback`, r.scene, frames, `${r.scene.env} · ${recording} episode ${episode}`));
  $("playback").hidden = false;
  $("play").textContent = "pause";
}

function drawCurves(): number {
  const shown = [...runs.entries()].filter(([, r]) => r.shown).map(([run, r]) => ({ run, rows: r.rows }));
  curvePoints = drawLearningCurves($<HTMLCanvasElement>("curves"), shown);
  return curvePoints;
}
let curvePoints = 0;

async function refresh(): Promise<void> {
  const list = await client.request("list", {});
  renderLists(list);
  let changed = false;
  for (const [run, state] of runs) {
    if (!state.shown) continue;
    const m = await client.request("metrics", { run, from: state.next });
    if (m.rows.length > 0) changed = true;
    state.rows.push(...m.rows);
    state.next = m.next;
  }
  if (changed) drawCurves();
  return;
}

// ---- start ------------------------------------------------------------------------------------

async function start(): Promise<void> {
  const token = new URLSearchParams(location.search).get("token");
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;
  const connected = await ViewerClient.connect(url, token, onEvent, () =>
    setStatus("disconnected: the server is gone (reload to reconnect)", true),
  );
  client = connected.client;
  setStatus(`connected to ${location.host}`);
  const envList = $("envs");
  for (const id of connected.envs) item(envList, id);
  await refresh();
  // A newcomer sees something at once: the first sessions are watched without a click.
  for (const s of sessions.slice(0, MAX_TILES)) await client.request("watch", { session: s.session });
  renderLists(null);
  drawCurves();
  setInterval(() => void refresh().catch((err: Error) => setStatus(err.message, true)), LIST_EVERY_MS);
  window.addEventListener("resize", () => {
    layout();
    drawCurves();
  });
  requestAnimationFrame(render);
}

/**
 * What the browser tests and the frame-rate benchmark read. Read-only views of the page's state,
 * plus `pixels()`, which renders once and reads the canvas back.
 */
const hooks = {
  status: () => ({
    connected: status.textContent?.startsWith("connected") ?? false,
    sessions,
    tiles: [...tiles.values()].map((t) => ({
      key: t.key,
      session: t.feed.kind === "live" ? t.feed.session : null,
      env: t.stage.description.env,
      frames: t.frameCount,
      valueMap: t.stage.hasValueMap,
      markers: Object.fromEntries(
        [...t.stage.markers].map(([name, m]) => [name, { visible: m.visible, position: [m.position.x, m.position.y, m.position.z] }]),
      ),
    })),
    curvePoints,
    renders,
    fps: frameTimes.length > 1 ? ((frameTimes.length - 1) * 1000) / (frameTimes.at(-1)! - frameTimes[0]!) : 0,
  }),
  /** Distinct colours on a coarse grid of the canvas and a hash of them: blank is 1 colour. */
  pixels: () => {
    render(performance.now());
    const gl = renderer.getContext();
    const w = gl.drawingBufferWidth;
    const h = gl.drawingBufferHeight;
    const data = new Uint8Array(w * h * 4);
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, data);
    const colours = new Set<number>();
    let hash = 0;
    for (let i = 0; i < data.length; i += 4 * 7) {
      const c = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
      colours.add(c);
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    return { distinctColours: colours.size, hash };
  },
  /** Where a marker of a tile is on the page, in CSS pixels (for dragging it). */
  markerOnPage: (tileKey: string, marker: string) => {
    const tile = tiles.get(tileKey);
    const mesh = tile?.stage.markers.get(marker);
    if (!tile || !mesh) return null;
    const p = mesh.position.clone().project(tile.stage.rig.camera);
    const rect = canvas.getBoundingClientRect();
    return {
      x: rect.left + tile.viewport.x + ((p.x + 1) / 2) * tile.viewport.width,
      y: rect.top + tile.viewport.y + ((1 - p.y) / 2) * tile.viewport.height,
    };
  },
};
(window as unknown as { rapierGymViewer: typeof hooks }).rapierGymViewer = hooks;

start().catch((e: unknown) => setStatus(e instanceof Error ? e.message : String(e), true));
