/**
 * Learning curves on a 2-D canvas: return and success rate against env steps, one colour per
 * run, several runs overlaid. Evaluation points (the deterministic policy) are the solid line; the
 * training episodes, noisier, are a faint moving average behind them, as the run plots draw them.
 */
import type { CurvePoint } from "../protocol/messages.js";

export const RUN_COLORS = ["#e63946", "#1d3557", "#2a9d8f", "#f4a261", "#6a4c93", "#8ab17d"];
/** Training episodes averaged per point of the faint line. */
const SMOOTHING = 20;

export interface RunCurves {
  run: string;
  rows: CurvePoint[];
}

interface Panel {
  title: string;
  evalKey: string;
  trainKey: string;
  /** Fixed range (success), or null to fit the data (return). */
  range: [number, number] | null;
}

const PANELS: Panel[] = [
  { title: "return", evalKey: "eval/return", trainKey: "train/return", range: null },
  { title: "success rate", evalKey: "eval/success", trainKey: "train/success", range: [0, 1] },
];

/** Draws both panels side by side; returns how many points were drawn (0: nothing to show). */
export function drawLearningCurves(canvas: HTMLCanvasElement, runs: readonly RunCurves[]): number {
  const ctx = canvas.getContext("2d")!;
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = "11px system-ui, sans-serif";
  if (runs.every((r) => r.rows.length === 0)) {
    ctx.fillStyle = "#888";
    ctx.fillText("learning curves: tick a run (rapier-gym serve --runs DIR, or train --serve)", 12, 20);
    return 0;
  }
  const maxStep = Math.max(1, ...runs.flatMap((r) => r.rows.map((p) => p["step"] ?? 0)));
  let drawn = 0;
  const panelWidth = width / PANELS.length;
  PANELS.forEach((panel, k) => {
    const box = { x: k * panelWidth + 50, y: 18, w: panelWidth - 62, h: height - 40 };
    const series = runs.map((r) => ({
      evals: r.rows.filter((p) => p[panel.evalKey] !== undefined).map((p) => [p["step"]!, p[panel.evalKey]!] as const),
      train: movingAverage(r.rows.filter((p) => p[panel.trainKey] !== undefined).map((p) => [p["step"]!, p[panel.trainKey]!] as const)),
    }));
    const values = series.flatMap((s) => [...s.evals, ...s.train].map(([, v]) => v));
    let [lo, hi] = panel.range ?? [Math.min(0, ...values), Math.max(0, ...values)];
    if (hi - lo < 1e-9) [lo, hi] = [lo - 1, hi + 1];
    const px = (step: number) => box.x + (step / maxStep) * box.w;
    const py = (v: number) => box.y + box.h - ((v - lo) / (hi - lo)) * box.h;
    axes(ctx, box, panel.title, lo, hi, maxStep);
    series.forEach((s, i) => {
      const color = RUN_COLORS[i % RUN_COLORS.length]!;
      drawn += line(
        ctx,
        s.train.map(([x, v]) => [px(x), py(v)]),
        color,
        0.3,
        1,
      );
      drawn += line(
        ctx,
        s.evals.map(([x, v]) => [px(x), py(v)]),
        color,
        1,
        2,
      );
    });
  });
  return drawn;
}

function movingAverage(points: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  let sum = 0;
  points.forEach(([x, v], i) => {
    sum += v - (i >= SMOOTHING ? points[i - SMOOTHING]![1] : 0);
    out.push([x, sum / Math.min(i + 1, SMOOTHING)]);
  });
  return out;
}

function line(ctx: CanvasRenderingContext2D, points: [number, number][], color: string, alpha: number, width: number): number {
  if (points.length === 0) return 0;
  ctx.globalAlpha = alpha;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  ctx.stroke();
  // A lone point would draw no line: mark it.
  if (points.length === 1) ctx.fillRect(points[0]![0] - 2, points[0]![1] - 2, 4, 4);
  ctx.globalAlpha = 1;
  return points.length;
}

function axes(
  ctx: CanvasRenderingContext2D,
  box: { x: number; y: number; w: number; h: number },
  title: string,
  lo: number,
  hi: number,
  maxStep: number,
): void {
  ctx.strokeStyle = "#999";
  ctx.fillStyle = "#444";
  ctx.lineWidth = 1;
  ctx.strokeRect(box.x, box.y, box.w, box.h);
  ctx.textAlign = "left";
  ctx.fillText(title, box.x, box.y - 5);
  ctx.textAlign = "right";
  ctx.fillText(format(hi), box.x - 4, box.y + 8);
  ctx.fillText(format(lo), box.x - 4, box.y + box.h);
  ctx.fillText(`${format(maxStep)} steps`, box.x + box.w, box.y + box.h + 13);
  ctx.textAlign = "left";
  ctx.fillText("0", box.x, box.y + box.h + 13);
}

function format(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}
