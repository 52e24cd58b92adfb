/**
 * Line plots as hand-written SVG: a run's curves need axes, ticks, a legend and shaded bands, and
 * nothing more, so a plotting library (and a browser to run it) would be all cost. Each series is
 * a `<g class="series" data-label="...">` holding an optional band path and a line path, which
 * is also what tests and scripts look for. NaN points break a line rather than end it.
 */
import { textWidth, wrapText } from "./text-width.js";

export interface PlotSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** A shaded band (e.g. the 95% interval across seeds), drawn under the line. */
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  /** @defaultValue the matplotlib "tab10" colour of the series' position */
  color?: string;
  /** A dashed line: a reference level (an expert's rate), not a learning curve. */
  dashed?: boolean;
}

export interface LinePlot {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly PlotSeries[];
  /** Fixed y limits (e.g. [0, 1] for a success rate); otherwise fitted to the data. */
  yRange?: readonly [number, number];
  /** @defaultValue 720 */
  width?: number;
  /** Of the axes with their title and labels; the legend below them adds a line per series. @defaultValue 420 */
  height?: number;
}

const TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const MARGIN = { left: 72, right: 24, top: 40, bottom: 56 };
const TITLE_FONT = 15;
/** The smallest size a title shrinks to for a word too wide for the figure at TITLE_FONT. */
const MIN_TITLE_FONT = 8;
const TITLE_LINE = 1.2;
/** Kept clear at each side of the title. */
const TITLE_PAD = 12;

/** Where the axes sit in the figure, and the maps from data to figure coordinates. */
interface Frame {
  height: number;
  plotW: number;
  plotH: number;
  x: readonly [number, number];
  y: readonly [number, number];
  sx: (x: number) => number;
  sy: (y: number) => number;
}

export function renderLinePlotSvg(plot: LinePlot): string {
  const width = plot.width ?? 720;
  const frame = plotFrame(plot, width);
  const legendHeight = plot.series.length * 18 + 8;
  const title = titleText(plot.title, width);
  const fullHeight = title.extraHeight + frame.height + legendHeight + 8;
  const { plotW, plotH } = frame;
  return `${[
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${fullHeight}" viewBox="0 0 ${width} ${fullHeight}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${fullHeight}" fill="#ffffff"/>`,
    title.svg,
    // Everything below the title, moved down by the lines a long title takes beyond its first.
    `<g class="figure" transform="translate(0 ${fmt(title.extraHeight)})">`,
    `<g class="axes">${axesSvg(plot, frame)}</g>`,
    `<clipPath id="plot-area"><rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}"/></clipPath>`,
    ...plot.series.map((s, i) => seriesSvg(s, i, frame)),
    `<g class="legend">${legendSvg(plot.series, frame.height - 4, legendHeight)}</g>`,
    "</g>",
    "</svg>",
  ].join("\n")}\n`;
}

function plotFrame(plot: LinePlot, width: number): Frame {
  const height = plot.height ?? 420;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const xs = plot.series.flatMap((s) => finiteValues(s.x));
  const ys = plot.yRange
    ? [...plot.yRange]
    : plot.series.flatMap((s) => [...finiteValues(s.y), ...finiteValues(s.lower ?? []), ...finiteValues(s.upper ?? [])]);
  const [xMin, xMax] = paddedRange(xs);
  const [yMin, yMax] = plot.yRange ? [plot.yRange[0], plot.yRange[1]] : withMargin(paddedRange(ys), 0.05);
  const sx = (x: number): number => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number): number => MARGIN.top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
  return { height, plotW, plotH, x: [xMin, xMax], y: [yMin, yMax], sx, sy };
}

/** Grid lines and tick labels on both axes, the axes' box and their labels. */
function axesSvg(plot: LinePlot, { height, plotW, plotH, x, y, sx, sy }: Frame): string {
  const axis: string[] = [];
  for (const t of niceTicks(x[0], x[1], 7)) {
    const at = fmt(sx(t));
    axis.push(`<line x1="${at}" y1="${MARGIN.top}" x2="${at}" y2="${MARGIN.top + plotH}" stroke="#e5e5e5"/>`);
    axis.push(`<text x="${at}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  for (const t of niceTicks(y[0], y[1], 6)) {
    const at = fmt(sy(t));
    axis.push(`<line x1="${MARGIN.left}" y1="${at}" x2="${MARGIN.left + plotW}" y2="${at}" stroke="#e5e5e5"/>`);
    axis.push(`<text x="${MARGIN.left - 8}" y="${fmt(sy(t) + 4)}" text-anchor="end">${formatTick(t)}</text>`);
  }
  axis.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333333"/>`);
  axis.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 14}" text-anchor="middle">${escapeXml(plot.xLabel)}</text>`);
  axis.push(
    `<text x="18" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 18 ${MARGIN.top + plotH / 2})">${escapeXml(plot.yLabel)}</text>`,
  );
  return axis.join("");
}

function seriesSvg(s: PlotSeries, i: number, { sx, sy }: Frame): string {
  const color = s.color ?? TAB10[i % TAB10.length]!;
  const g: string[] = [`<g class="series" data-label="${escapeXml(s.label)}" clip-path="url(#plot-area)">`];
  if (s.lower && s.upper) {
    const d = bandPath(s.x, s.lower, s.upper, sx, sy);
    if (d) g.push(`<path class="band" d="${d}" fill="${color}" fill-opacity="0.2" stroke="none"/>`);
  }
  g.push(
    `<path class="line" d="${linePath(s.x, s.y, sx, sy)}" fill="none" stroke="${color}" stroke-width="1.6" stroke-linejoin="round"${dash(s)}/>`,
  );
  g.push("</g>");
  return g.join("");
}

/**
 * Below the x-axis label rather than over the curves: with four long labels a legend inside the
 * axes hides part of some curve whichever corner it takes.
 */
function legendSvg(series: readonly PlotSeries[], top: number, height: number): string {
  const width = 40 + 7 * Math.max(0, ...series.map((s) => s.label.length));
  const legend = [`<rect x="${MARGIN.left}" y="${top}" width="${width}" height="${height}" fill="#ffffff" stroke="#cccccc"/>`];
  legend.push(
    ...series.map((s, i) => {
      const color = s.color ?? TAB10[i % TAB10.length]!;
      const y = top + 16 + i * 18;
      const x = MARGIN.left + 6;
      return `<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${color}" stroke-width="3"${dash(s)}/><text x="${x + 28}" y="${y}">${escapeXml(s.label)}</text>`;
    }),
  );
  return legend.join("");
}

/**
 * The title as one `<text>` with a line per `<tspan>`: wrapped to the figure's width, and shrunk
 * where a single word would not fit, so that no renderer clips it at the edges. `extraHeight` is
 * what the lines after the first add above the axes.
 */
function titleText(title: string, width: number): { svg: string; extraHeight: number } {
  const room = width - 2 * TITLE_PAD;
  const widest = Math.max(0, ...title.split(/\s+/).map((w) => textWidth(w, 1)));
  const size = Math.max(MIN_TITLE_FONT, Math.min(TITLE_FONT, Math.floor(room / Math.max(widest, 1e-9))));
  const lines = wrapText(title, room, size);
  const lineHeight = size * TITLE_LINE;
  const spans = lines.map(
    (line, i) => `<tspan x="${width / 2}" ${i === 0 ? `y="${MARGIN.top / 2 + 5}"` : `dy="${fmt(lineHeight)}"`}>${escapeXml(line)}</tspan>`,
  );
  return {
    svg: `<text class="title" text-anchor="middle" font-size="${size}">${spans.join("")}</text>`,
    extraHeight: (lines.length - 1) * lineHeight,
  };
}

/** Tick values at 1, 2 or 5 times a power of ten, at most about `count` of them inside [lo, hi]. */
function dash(s: PlotSeries): string {
  return s.dashed === true ? ' stroke-dasharray="6 4"' : "";
}

export function niceTicks(lo: number, hi: number, count: number): number[] {
  const mag = 10 ** Math.floor(Math.log10((hi - lo) / Math.max(count - 1, 1)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => (hi - lo) / s <= count) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

/** Steps read as 250k and 1.5M, as in the post's figures; small values keep their decimals. */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function finiteValues(a: ArrayLike<number>): number[] {
  return Array.from(a).filter(Number.isFinite);
}

/** [lo, hi] widened by `share` of its span on each side (matplotlib's 5% margins), so curves do not run along the frame. */
function withMargin([lo, hi]: [number, number], share: number): [number, number] {
  const pad = (hi - lo) * share;
  return [lo - pad, hi + pad];
}

function paddedRange(values: number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  return [lo, hi];
}

function linePath(x: ArrayLike<number>, y: ArrayLike<number>, sx: (v: number) => number, sy: (v: number) => number): string {
  const d: string[] = [];
  let pen = false;
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) {
      pen = false;
      continue;
    }
    d.push(`${pen ? "L" : "M"}${fmt(sx(x[i]!))},${fmt(sy(y[i]!))}`);
    pen = true;
  }
  return d.join("");
}

/** One closed sub-path per stretch of finite points: upper edge forward, lower edge back. */
function bandPath(
  x: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  sx: (v: number) => number,
  sy: (v: number) => number,
): string {
  const d: string[] = [];
  let stretch: number[] = [];
  const flush = (): void => {
    if (stretch.length > 1) {
      const top = stretch.map((i, k) => `${k === 0 ? "M" : "L"}${fmt(sx(x[i]!))},${fmt(sy(upper[i]!))}`);
      const bottom = [...stretch].reverse().map((i) => `L${fmt(sx(x[i]!))},${fmt(sy(lower[i]!))}`);
      d.push(`${top.join("")}${bottom.join("")}Z`);
    }
    stretch = [];
  };
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]!) && Number.isFinite(lower[i]!) && Number.isFinite(upper[i]!)) stretch.push(i);
    else flush();
  }
  flush();
  return d.join("");
}

function fmt(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
