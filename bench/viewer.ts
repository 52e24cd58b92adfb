/**
 * `rapier-gym bench viewer`: the frame rate of the viewer page in headless chromium (Debian's,
 * software WebGL: --disable-gpu) while it draws four live sessions, each streaming at its env's
 * control rate: `rapier-gym demo` in its own process, as a user would run it. Also the size of
 * the frame messages the page receives (PointMass scenes), measured by a client watching all four,
 * and of the frames of untrained HAC hierarchies on PointMassPush, whose subgoal ghosts travel as
 * markers in the same messages (the demo's sessions have none).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { Hac } from "../agents/hac/hac.js";
import { selectBackend } from "../agents/nn/backend.js";
import { hacAgent } from "../bridge/live-agents.js";
import { LiveSessions } from "../server/live-sessions.js";
import type { ServerEvent } from "../protocol/messages.js";
import type { SubgoalSpace } from "../server/subgoal-ghosts.js";
import { make } from "../sim/index.js";
import type { Frame } from "../sim/physics/scene.js";
import { RawClient } from "../client/raw-client.js";
import type { BenchResult } from "./bench-result.js";

const MEASURE_MS = 10_000;
const WARMUP_MS = 3000;
const VIEWPORT = { width: 1280, height: 800 };

const SUBGOAL_SPACES: SubgoalSpace[] = ["controllable_achieved_goal", "achieved_goal", "full_positional_state"];
/** Untrained hierarchies (network seeds) per subgoal space, one full evaluation episode each. */
const HAC_SEEDS = 3;

/**
 * The largest frame message of untrained HAC hierarchies on PointMassPush, per subgoal space:
 * their evaluation rollouts (what a live agent shows, and a training run's replays), each frame
 * with its ghosts published through a live session, exactly as the server sends it to a watcher.
 * Stepped as fast as it goes, not at the control rate: only the bytes are measured.
 */
async function hacFrameBytes(): Promise<Record<string, number>> {
  await selectBackend();
  const out: Record<string, number> = {};
  for (const space of SUBGOAL_SPACES) {
    let max = 0;
    const watcher = {
      deliver(e: ServerEvent): void {
        if (e.event === "sessionFrame") max = Math.max(max, Buffer.byteLength(JSON.stringify(e)));
      },
    };
    const hub = new LiveSessions();
    for (let seed = 0; seed < HAC_SEEDS; seed++) {
      const env = make("PointMassPush-v0");
      const agent = hacAgent(new Hac(env, { subgoalSpace: space }, { seed, bufferCapacity: 1 }), "HAC (untrained)");
      const envScene = env.scene();
      const scene = { ...envScene, markers: [...envScene.markers, ...agent.markers(envScene)] };
      const frame = (): Frame => {
        const f = env.frame();
        return { ...f, markers: { ...f.markers, ...agent.markerPositions() } };
      };
      let { obs } = env.reset({ seed });
      agent.begin(obs);
      const live = hub.add({ env: scene.env, label: agent.name, source: "agent", scene: () => scene, frame });
      live.addWatcher(watcher);
      for (let done = false; !done;) {
        const action = agent.act(obs);
        const r = env.step(action);
        agent.observe(action, r);
        obs = r.obs;
        live.publish(frame());
        done = r.terminated || r.truncated;
      }
      live.end();
      env.close();
    }
    out[`frameBytesMax PointMassPush-v0 HAC ${space}`] = max;
  }
  return out;
}

/** The viewer's address, once `rapier-gym demo` prints it. */
function demoUrl(demo: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = "";
    demo.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/\S+\/) in a browser/.exec(out);
      if (m) resolve(m[1]!);
    });
    demo.once("exit", (code) => reject(new Error(`rapier-gym demo exited (${code}): ${out}`)));
  });
}

/**
 * The page's render rate once its `tiles` tiles are up and warm, and the rate at which frames
 * reached the watcher (`frames`, a running count) over the same window.
 */
async function measurePage(
  url: string,
  tiles: number,
  frames: () => number,
): Promise<{ tiles: number; fps: number; framesInPerSec: number }> {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(url);
    const renders = () =>
      page.evaluate(() =>
        (window as unknown as { rapierGymViewer: { status(): { renders: number; tiles: unknown[] } } }).rapierGymViewer.status(),
      );
    for (let i = 0; i < 200 && (await renders()).tiles.length < tiles; i++) await page.waitForTimeout(50);
    await page.waitForTimeout(WARMUP_MS);
    const r0 = (await renders()).renders;
    const f0 = frames();
    const t0 = performance.now();
    await page.waitForTimeout(MEASURE_MS);
    const r1 = (await renders()).renders;
    const seconds = (performance.now() - t0) / 1000;
    return { tiles: (await renders()).tiles.length, fps: (r1 - r0) / seconds, framesInPerSec: (frames() - f0) / seconds };
  } finally {
    await browser.close();
  }
}

export async function benchViewer(): Promise<BenchResult> {
  // Before the demo starts: the page's frame rate is measured without this process busy.
  const hacBytes = await hacFrameBytes();
  const root = fileURLToPath(new URL("..", import.meta.url));
  const demo = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "demo", "--port", "0", "--policies", "no-policies"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const url = await demoUrl(demo);
    const watcher = await RawClient.open(url.replace(/^http:/, "ws:").replace(/\/$/, ""));
    const { sessions } = await watcher.ok<{ sessions: { session: number; env: string }[] }>({ id: 1, op: "list" });
    const envOf = new Map(sessions.map((s) => [s.session, s.env]));
    /** The largest frame message per env. */
    const maxBytes = new Map<string, number>();
    let frames = 0;
    watcher.ws.on("message", (data: Buffer) => {
      const m = /^\{"event":"sessionFrame","session":(\d+)/.exec(data.toString());
      if (!m) return;
      frames++;
      const env = envOf.get(Number(m[1]))!;
      maxBytes.set(env, Math.max(maxBytes.get(env) ?? 0, data.length));
    });
    for (const [i, s] of sessions.entries()) watcher.send({ id: 2 + i, op: "watch", session: s.session });

    try {
      const page = await measurePage(url, sessions.length, () => frames);
      return {
        suite: "viewer",
        results: [
          {
            case: `${sessions.length} live sessions (${[...new Set(sessions.map((s) => s.env))].join(", ")})`,
            tiles: page.tiles,
            viewport: `${VIEWPORT.width}x${VIEWPORT.height}`,
            fps: page.fps,
            framesInPerSec: page.framesInPerSec,
            ...Object.fromEntries([...maxBytes].map(([env, bytes]) => [`frameBytesMax ${env}`, bytes])),
            ...hacBytes,
          },
        ],
      };
    } finally {
      await watcher.close();
    }
  } finally {
    demo.kill("SIGINT");
  }
}
