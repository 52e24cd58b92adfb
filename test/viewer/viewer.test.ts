/**
 * The viewer in a real browser: the machine's Chromium or Chrome (test/external-tools.ts finds it)
 * driven by playwright-core (never a downloaded browser), against a real server with real agents:
 * the scripted expert (which takes goals) and
 * an untrained HAC hierarchy (subgoal ghosts and a value map), a run directory and a demo file.
 * Screenshots go to test-output/ (gitignored).
 */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { selectBackend } from "../../agents/nn/backend.js";
import { Hac } from "../../agents/hac/hac.js";
import { DemoFileRecordings } from "../../bridge/demo-recordings.js";
import { expertAgent, hacAgent } from "../../bridge/live-agents.js";
import { AgentSession } from "../../server/agent-session.js";
import { sessionFrameEvent, sessionSceneEvent } from "../../protocol/messages.js";
import { RapierGymServer } from "../../server/server.js";
import { frameFromWire } from "../../protocol/wire-frame.js";
import { make } from "../../sim/index.js";
import { findBrowser, requireTool } from "../external-tools.js";
import { RawClient } from "../../client/raw-client.js";
import { writeExpertDemoFile, writeRunDir } from "../server/viewer-fixtures.js";

const SCREENSHOTS = "test-output";

interface TileStatus {
  key: string;
  session: number | null;
  env: string;
  frames: number;
  valueMap: boolean;
  markers: Record<string, { visible: boolean; position: [number, number, number] }>;
}
interface ViewerStatus {
  connected: boolean;
  tiles: TileStatus[];
  curvePoints: number;
  renders: number;
}

describe("viewer: the page in headless chromium", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "rapier-gym-viewer-"));
  let server: RapierGymServer;
  let expert: AgentSession;
  let hac: AgentSession;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const status = (): Promise<ViewerStatus> =>
    page.evaluate(() => (window as unknown as { rapierGymViewer: { status(): ViewerStatus } }).rapierGymViewer.status());
  async function until(what: string, check: (s: ViewerStatus) => boolean): Promise<ViewerStatus> {
    for (let i = 0; i < 300; i++) {
      const s = await status();
      if (check(s)) return s;
      await page.waitForTimeout(50);
    }
    throw new Error(`the page never showed ${what}: ${JSON.stringify(await status()).slice(0, 800)}`);
  }
  const tile = (s: ViewerStatus, session: number): TileStatus => s.tiles.find((t) => t.session === session)!;

  before(async function () {
    const executablePath = requireTool(this, "the viewer's browser tests", findBrowser());
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeRunDir(join(dir, "run"));
    writeExpertDemoFile(join(dir, "expert.demos"), 1, 30);
    await selectBackend();
    server = await RapierGymServer.start({
      port: 0,
      runs: [join(dir, "run")],
      recordings: new DemoFileRecordings([join(dir, "expert.demos")]),
    });
    expert = new AgentSession(server.live, make("PointMassPush-v0"), expertAgent("PointMassPush-v0"), { seed: 1 });
    const hacEnv = make("PointMassPush-v0");
    hac = new AgentSession(server.live, hacEnv, hacAgent(new Hac(hacEnv, {}, { seed: 0, bufferCapacity: 1 }), "HAC (untrained)"), {
      seed: 2,
      // One map per episode: each is 6400 critic evaluations, which the page needs only once here.
      valueMapEvery: Number.MAX_SAFE_INTEGER,
    });
    browser = await chromium.launch({
      executablePath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(server.url.replace(/^ws:/, "http:") + "/");
  });

  after(async () => {
    await browser?.close();
    expert?.stop();
    hac?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads with no console errors, connects and watches the live sessions", async () => {
    const s = await until("both sessions with frames", (s) => s.connected && s.tiles.length === 2 && s.tiles.every((t) => t.frames > 1));
    expect(s.tiles.map((t) => t.session).sort()).to.deep.equal([expert.live.id, hac.live.id].sort());
    expect(problems).to.deep.equal([]);
  });

  it("renders a non-blank canvas whose pixels change as frames arrive", async () => {
    const pixels = () =>
      page.evaluate(() =>
        (window as unknown as { rapierGymViewer: { pixels(): { distinctColours: number; hash: number } } }).rapierGymViewer.pixels(),
      );
    const first = await pixels();
    expect(first.distinctColours).to.be.greaterThan(20);
    const frames = tile(await status(), expert.live.id).frames;
    await until("more frames", (s) => tile(s, expert.live.id).frames > frames + 3);
    expect((await pixels()).hash).to.not.equal(first.hash);
    await page.screenshot({ path: join(SCREENSHOTS, "viewer-live.png") });
  });

  it("shows the goal markers, the HAC subgoal ghost and its value map", async () => {
    const s = await until(
      "goal and subgoal markers",
      (s) => tile(s, expert.live.id).markers["goal_0"]?.visible === true && tile(s, hac.live.id).markers["subgoal_0"]?.visible === true,
    );
    expect(tile(s, hac.live.id).markers["goal_0"]!.visible).to.equal(true);
    expect(tile(s, hac.live.id).valueMap).to.equal(true);
    // The expert has no subgoals: its tile has no ghost.
    expect(tile(s, expert.live.id).markers["subgoal_0"]).to.equal(undefined);
    await page.screenshot({ path: join(SCREENSHOTS, "viewer-markers.png") });
  });

  it("draws a learning curve from a run directory", async () => {
    const s = await until("curve points", (s) => s.curvePoints > 0);
    // 8 evaluations and 8 training points (their moving average), in each of the two panels.
    expect(s.curvePoints).to.equal(32);
    const curves = await page.locator("#curves").screenshot({ path: join(SCREENSHOTS, "viewer-curves.png") });
    expect(curves.length).to.be.greaterThan(0);
  });

  it("moves the goal where it is dragged, and the agent's session takes it", async () => {
    const watcher = await RawClient.open(server.url);
    await page.click("#camera-modes button[data-mode=top]");
    await page.waitForTimeout(300);
    const key = `session-${expert.live.id}`;
    const from = (await page.evaluate(
      ([k]) =>
        (
          window as unknown as { rapierGymViewer: { markerOnPage(t: string, m: string): { x: number; y: number } | null } }
        ).rapierGymViewer.markerOnPage(k!, "goal_0"),
      [key],
    ))!;
    const before = tile(await status(), expert.live.id).markers["goal_0"]!.position;
    // Drag toward the arena's centre line, far enough to be unmistakable.
    const to = { x: from.x + (before[0] > 0 ? -120 : 120), y: from.y };
    await watcher.ok({ id: 1, op: "watch", session: expert.live.id });
    const { scene } = sessionSceneEvent.parse(await watcher.next());
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, to.y, { steps: 4 });
    await page.mouse.move(to.x, to.y, { steps: 4 });
    await page.mouse.up();
    let goal = before;
    for (let i = 0; i < 100 && Math.abs(goal[0] - before[0]) < 0.5; i++) {
      const event = await watcher.next();
      const frame = sessionFrameEvent.safeParse(event);
      if (frame.success) goal = frameFromWire(frame.data, scene.markers).markers["goal_0"]!;
    }
    expect(Math.sign(goal[0] - before[0])).to.equal(before[0] > 0 ? -1 : 1);
    expect(Math.abs(goal[0] - before[0])).to.be.greaterThan(0.5);
    expect(goal[1]).to.be.closeTo(before[1], 0.3);
    await watcher.close();
    await until("the moved goal on the page", (s) => Math.abs(tile(s, expert.live.id).markers["goal_0"]!.position[0] - goal[0]) < 0.01);
    await page.screenshot({ path: join(SCREENSHOTS, "viewer-goal-dragged.png") });
  });

  it("plays a recorded episode back with a scrubber", async () => {
    await page.click("#recordings .episodes button");
    const s = await until("the playback tile", (s) => s.tiles.some((t) => t.key === "playback"));
    expect(s.tiles.find((t) => t.key === "playback")!.frames).to.equal(31);
    expect(await page.isVisible("#scrubber")).to.equal(true);
    await page.fill("#scrubber", "0.5");
    expect(await page.textContent("#playback-label")).to.match(/^step 1[45] of 30$/);
    await page.screenshot({ path: join(SCREENSHOTS, "viewer-playback.png") });
    expect(problems).to.deep.equal([]);
  });

  it("lists a session started while the page is open, and watches it when ticked: the Panda arm picking and placing", async () => {
    const panda = new AgentSession(server.live, make("PandaPickAndPlace-v0"), expertAgent("PandaPickAndPlace-v0"), { seed: 4 });
    try {
      const box = page.locator("#sessions label", { hasText: "PandaPickAndPlace-v0 · scripted expert" }).locator("input");
      await box.waitFor({ timeout: 10_000 });
      await box.check();
      const s = await until("the Panda session's frames", (s) => s.tiles.some((t) => t.session === panda.live.id && t.frames > 5));
      const t = tile(s, panda.live.id);
      expect(t.env).to.equal("PandaPickAndPlace-v0");
      expect(t.markers["goal_0"]!.visible).to.equal(true);
      // The goal marker sits in the Panda's workspace, within a metre of the origin.
      expect(Math.hypot(...t.markers["goal_0"]!.position)).to.be.below(1);
      await page.screenshot({ path: join(SCREENSHOTS, "viewer-panda.png") });
      expect(problems).to.deep.equal([]);
    } finally {
      panda.stop();
    }
  });
});
