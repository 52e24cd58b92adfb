import { expect } from "chai";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { main } from "../../cli/main.js";
import { UsageError } from "../../cli/usage-error.js";
import { RapierGymServer } from "../../server/server.js";
import { RawClient } from "../../client/raw-client.js";
import { waitFor } from "./wait-for.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("server: sockets, limits and shutdown", () => {
  it("serves /health, the viewer's page, style and bundle (built from viewer/), and 404s everything else on the WebSocket's port", async () => {
    const server = await RapierGymServer.start({ port: 0 });
    try {
      const base = server.url.replace("ws:", "http:");
      const health = await fetch(`${base}/health`);
      expect(health.status).to.equal(200);
      expect(await health.json()).to.deep.include({ status: "ok", protocol: 2, connections: 0, envs: 0 });
      const page = await fetch(`${base}/?token=ignored`);
      expect(page.headers.get("content-type")).to.match(/^text\/html/);
      expect(await page.text()).to.match(/<canvas id="scene">/);
      expect((await fetch(`${base}/style.css`)).headers.get("content-type")).to.match(/^text\/css/);
      const bundle = await fetch(`${base}/viewer.js`);
      expect(bundle.headers.get("content-type")).to.match(/^text\/javascript/);
      // three.js and the protocol's schemas are inside: the page needs nothing else.
      expect(await bundle.text()).to.match(/WebGLRenderer|sessionFrame/);
      const other = await fetch(`${base}/viewer/index.html`);
      expect(other.status).to.equal(404);
      expect(await other.text()).to.match(/not found: \/viewer\/index.html/);
    } finally {
      await server.close();
    }
  });

  it("refuses to bind a non-loopback address without a token", async () => {
    let error: unknown;
    try {
      await RapierGymServer.start({ host: "0.0.0.0", port: 0 });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/binding 0.0.0.0 would let any machine .* pass a token/);
    const guarded = await RapierGymServer.start({ host: "0.0.0.0", port: 0, token: "t" });
    await guarded.close();
    let usage: unknown;
    try {
      await main(["serve", "--host", "0.0.0.0"]);
    } catch (e) {
      usage = e;
    }
    expect(usage).to.be.instanceOf(UsageError);
    expect((usage as Error).message).to.equal("serve --host 0.0.0.0 exposes the simulator beyond this machine: pass --token");
  });

  it("closes a connection that sends an oversize frame (1009), and no other", async () => {
    const server = await RapierGymServer.start({ port: 0, limits: { maxMessageBytes: 1000 }, log: () => undefined });
    try {
      const big = await RawClient.open(server.url);
      const bystander = await RawClient.open(server.url);
      await big.ok({ id: 1, op: "make", env: "PointMassReach-v0" });
      big.send({ id: 2, op: "hello", token: "x".repeat(2000) });
      expect((await big.closed).code).to.equal(1009);
      await waitFor(() => server.stats().envs === 0);
      await bystander.ok({ id: 1, op: "hello" });
      await bystander.close();
    } finally {
      await server.close();
    }
  });

  it("closes idle connections and half-open sockets, freeing their envs", async () => {
    const server = await RapierGymServer.start({ port: 0, limits: { idleTimeoutMs: 300 } });
    try {
      const idle = await RawClient.open(server.url);
      await idle.ok({ id: 1, op: "make", env: "PointMassReach-v0" });
      expect(server.stats().envs).to.equal(1);
      const closed = await idle.closed;
      expect(closed).to.deep.equal({ code: 4000, reason: "idle for 300 ms" });
      expect(server.stats()).to.deep.equal({ connections: 0, envs: 0 });
      // A TCP socket that never finishes its HTTP request is cut by the header timeout.
      const raw = connect(server.port, "127.0.0.1");
      raw.write("GET / HTTP/1.1\r\nHost: x\r\n");
      let answer = "";
      raw.on("data", (d: Buffer) => (answer += d.toString()));
      await new Promise<void>((resolve) => raw.on("close", () => resolve()));
      expect(answer).to.match(/^HTTP\/1.1 408/);
    } finally {
      await server.close();
    }
  });

  it("answers a flood of requests sent without waiting, each once and in order", async () => {
    const server = await RapierGymServer.start({ port: 0 });
    try {
      const flood = await RawClient.open(server.url);
      const n = 5000;
      for (let i = 0; i < n; i++) flood.send(i % 2 ? { id: i, op: "hello" } : { id: i, op: "bogus" });
      for (let i = 0; i < n; i++) {
        const r = (await flood.next()) as { id: number; ok: boolean };
        expect(r.id).to.equal(i);
        expect(r.ok).to.equal(i % 2 === 1);
      }
      await flood.close();
    } finally {
      await server.close();
    }
  });

  it("shuts down gracefully: clients get 1001 and every env is freed", async () => {
    const server = await RapierGymServer.start({ port: 0 });
    const client = await RawClient.open(server.url);
    await client.ok({ id: 1, op: "make", env: "PointMassReach-v0", numEnvs: 2 });
    await server.close();
    expect(await client.closed).to.deep.equal({ code: 1001, reason: "server shutting down" });
    expect(server.stats()).to.deep.equal({ connections: 0, envs: 0 });
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`rapier-gym serve exits 0 on ${signal} after closing its clients`, async function () {
      this.timeout(60_000);
      const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "serve", "--port", "0"], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      await waitFor(() => /listening on (ws:\/\/\S+)/.test(out), 30_000);
      const url = /listening on (ws:\/\/\S+)/.exec(out)![1]!;
      const client = await RawClient.open(url);
      await client.ok({ id: 1, op: "make", env: "PointMassReach-v0" });
      child.kill(signal);
      expect((await client.closed).code).to.equal(1001);
      expect(await exited).to.equal(0);
      expect(out).to.match(new RegExp(`${signal}: closing 1 connections[\\s\\S]*stopped`));
    });
  }
});
