/**
 * `rapier-gym bench viewer`: the frame rate of the viewer page in headless chromium (Debian's,
 * software WebGL: --disable-gpu) while it draws four live sessions, each streaming at its env's
 * control rate: `rapier-gym demo` in its own process, as a user would run it. Also the size of
 * the frame messages the page receives (PointMass scenes), measured by a client watching all four.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { RawClient } from "../test/server/raw-client.js";
import type { BenchResult } from "./bench-result.js";

const MEASURE_MS = 10_000;
const WARMUP_MS = 3000;
const VIEWPORT = { width: 1280, height: 800 };

export async function benchViewer(): Promise<BenchResult> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const demo = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "demo", "--port", "0", "--policies", "no-policies"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      demo.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /open (http:\/\/\S+\/) in a browser/.exec(out);
        if (m) resolve(m[1]!);
      });
      demo.once("exit", (code) => reject(new Error(`rapier-gym demo exited (${code}): ${out}`)));
    });
    const watcher = await RawClient.open(url.replace(/^http:/, "ws:").replace(/\/$/, ""));
    const { sessions } = await watcher.ok<{ sessions: { session: number; env: string }[] }>({ id: 1, op: "list" });
    const envOf = new Map(sessions.map((s) => [s.session, s.env]));
    /** The largest frame message per env. */
    const maxBytes = new Map<string, number>();
    let frames = 0;
    watcher.ws.on("message", (data: Buffer) => {
      const text = data.toString();
      const m = /^\{"event":"sessionFrame","session":(\d+)/.exec(text);
      if (!m) return;
      frames++;
      const env = envOf.get(Number(m[1]))!;
      maxBytes.set(env, Math.max(maxBytes.get(env) ?? 0, data.length));
    });
    for (const [i, s] of sessions.entries()) watcher.send({ id: 2 + i, op: "watch", session: s.session });

    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
    try {
      const page = await browser.newPage({ viewport: VIEWPORT });
      await page.goto(url);
      const renders = () => page.evaluate(() => (window as unknown as { rapierGymViewer: { status(): { renders: number; tiles: unknown[] } } }).rapierGymViewer.status());
      for (let i = 0; i < 200 && (await renders()).tiles.length < sessions.length; i++) await page.waitForTimeout(50);
      await page.waitForTimeout(WARMUP_MS);
      const r0 = (await renders()).renders;
      const f0 = frames;
      const t0 = performance.now();
      await page.waitForTimeout(MEASURE_MS);
      const r1 = (await renders()).renders;
      const seconds = (performance.now() - t0) / 1000;
      return {
        suite: "viewer",
        results: [
          {
            case: `${sessions.length} live sessions (${[...new Set(sessions.map((s) => s.env))].join(", ")})`,
            tiles: (await renders()).tiles.length,
            viewport: `${VIEWPORT.width}x${VIEWPORT.height}`,
            fps: (r1 - r0) / seconds,
            framesInPerSec: (frames - f0) / seconds,
            ...Object.fromEntries([...maxBytes].map(([env, bytes]) => [`frameBytesMax ${env}`, bytes])),
          },
        ],
      };
    } finally {
      await browser.close();
      await watcher.close();
    }
  } finally {
    demo.kill("SIGINT");
  }
}
