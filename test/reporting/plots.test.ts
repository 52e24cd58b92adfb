import { expect } from "chai";
import { Resvg } from "@resvg/resvg-js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MetricsLog, type MetricsRow } from "../../agents/run/metrics-log.js";
import { formatTick, niceTicks, renderLinePlotSvg } from "../../reporting/plot-svg.js";
import { comparisonPlot, metricCurve, runPlots, writeRunPlots } from "../../reporting/run-plots.js";
import { createRunDir } from "../../agents/run/run-dir.js";

/** Series of an SVG by label: the `d` of its line and whether it has a band. */
function seriesOf(svg: string): Map<string, { line: string; band: boolean }> {
  const out = new Map<string, { line: string; band: boolean }>();
  for (const m of svg.matchAll(/<g class="series" data-label="([^"]*)"[^>]*>(.*?)<\/g>/g)) {
    const line = /<path class="line" d="([^"]*)"/.exec(m[2]!)![1]!;
    out.set(m[1]!, { line, band: m[2]!.includes('class="band"') });
  }
  return out;
}

/** A training run that logs every 200-step episode, with an eval row every 10 episodes. */
function fakeRun(episodes: number, successFrom: number): MetricsRow[] {
  return Array.from({ length: episodes }, (_, i): MetricsRow => {
    const success = i >= successFrom ? 1 : 0;
    const row: MetricsRow = { step: 200 * (i + 1), episode: i + 1, "train/return": success ? -50 : -200, "train/success": success };
    if ((i + 1) % 10 === 0) Object.assign(row, { "eval/return": success ? -40 : -200, "eval/success": success });
    return row;
  });
}

describe("plots", () => {
  it("draws each series as a labelled path, breaking lines at NaN", () => {
    const svg = renderLinePlotSvg({
      title: "A & B",
      xLabel: "Steps",
      yLabel: "Average Return",
      series: [
        { label: "flat", x: [0, 1, 2, 3], y: [-200, NaN, -150, -100] },
        { label: "horizon 5", x: [0, 3], y: [-200, -80], lower: [-210, -90], upper: [-190, -70] },
      ],
    });
    expect(svg.startsWith("<svg")).to.equal(true);
    expect(svg).to.include("A &amp; B");
    const series = seriesOf(svg);
    expect([...series.keys()]).to.deep.equal(["flat", "horizon 5"]);
    expect(series.get("flat")!.line.match(/M/g)).to.have.length(2);
    expect(series.get("flat")!.line.match(/L/g)).to.have.length(1);
    expect(series.get("flat")!.band).to.equal(false);
    expect(series.get("horizon 5")!.band).to.equal(true);
  });

  for (const [kind, title] of [
    [
      "long title, wrapped",
      "E7: Relay learning against BC, hierarchical and flat RL (PointMassPush-v0), 2 seeds, 200k env steps, evaluations averaged over the last 5",
    ],
    ["single word too wide for the figure, shrunk", `runs/${"relay-full-positional-state-".repeat(4)}seed0`],
  ] as const) {
    it(`keeps every word of a ${kind}, inside the figure and above the axes, as resvg lays it out`, () => {
      const series = [{ label: "a", x: [0, 1], y: [0, 1] }];
      const svg = renderLinePlotSvg({ title, xLabel: "x", yLabel: "y", series });
      const width = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
      const text = /<text class="title"[^>]*>.*?<\/text>/.exec(svg)![0];
      const lines = [...text.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]!);
      expect(lines.join(" ").split(" ")).to.deep.equal(title.split(" "));
      // The title alone, laid out with the real font by the renderer the PNGs come from.
      const alone = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="400" font-family="DejaVu Sans, Arial, sans-serif">${text}</svg>`;
      const box = new Resvg(alone, { font: { loadSystemFonts: true } }).getBBox()!;
      expect(box.x, `${lines.join(" / ")}: ${box.x}..${box.x + box.width} of ${width}`).to.be.at.least(0);
      expect(box.x + box.width).to.be.at.most(width);
      const shift = Number(/<g class="figure" transform="translate\(0 ([\d.]+)\)">/.exec(svg)![1]);
      expect(box.y + box.height).to.be.at.most(40 + shift);
      expect(Number(/<svg [^>]*height="(\d+(?:\.\d+)?)"/.exec(svg)![1])).to.equal(shift + 420 + 18 + 8 + 8);
    });
  }

  it("puts the legend below the axes, clear of every curve, and keeps curves off the frame", () => {
    const series = ["a", "b", "c"].map((label, i) => ({ label, x: [0, 4], y: [-200 + 50 * i, -100] }));
    const svg = renderLinePlotSvg({ title: "t", xLabel: "x", yLabel: "y", series });
    // The axes keep their 420 px; the legend adds 3 lines of 18 px, 8 px of padding and 8 of gap.
    expect(/<svg [^>]*height="(\d+)"/.exec(svg)![1]).to.equal(String(420 + 3 * 18 + 8 + 8));
    const frame = /<rect x="72" y="40" width="\d+" height="(\d+)" fill="none"/.exec(svg)!;
    const legendY = Number(/<g class="legend"><rect x="[^"]*" y="([^"]*)"/.exec(svg)![1]);
    expect(legendY).to.be.greaterThan(40 + Number(frame[1]));
    expect(svg.match(/<g class="legend">.*<\/g>/)![0].match(/<text /g)).to.have.length(3);
    // y from -200 to -100 gets 5% margins: -205 at the bottom edge, -95 at the top.
    const ys = [
      ...seriesOf(svg)
        .get("a")!
        .line.matchAll(/[ML][\d.]+,([\d.]+)/g),
    ].map((m) => Number(m[1]));
    expect(ys[0]).to.be.closeTo(40 + Number(frame[1]) * (1 - 5 / 110), 0.1);
  });

  it("puts ticks at round values and writes steps as the post does", () => {
    expect(niceTicks(0, 650_000, 7)).to.deep.equal([0, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000]);
    expect(niceTicks(-200, 0, 6)).to.deep.equal([-200, -150, -100, -50, 0]);
    expect([250_000, 1_500_000, 0.25, -200].map(formatTick)).to.deep.equal(["250k", "1.5M", "0.25", "-200"]);
  });

  it("smooths training curves over 100 episodes and leaves eval unsmoothed unless given an eval window", () => {
    const rows = fakeRun(300, 100);
    const train = metricCurve(rows, "train/success");
    expect(train.x[149]).to.equal(150 * 200);
    expect(train.y[149]).to.be.closeTo(0.5, 1e-12); // episodes 51..150: half succeeded
    expect(train.y[299]).to.equal(1);
    const evaluation = metricCurve(rows, "eval/success");
    expect(evaluation.x).to.have.length(30);
    expect(evaluation.y[10]).to.equal(1);
    // Over the last 5 evaluations: the first success among four failures, then five successes.
    const smoothed = metricCurve(rows, "eval/success", { evalWindow: 5 });
    expect(smoothed.y[10]).to.be.closeTo(0.2, 1e-12);
    expect(smoothed.y[14]).to.equal(1);
  });

  it("writes return and success plots of a run directory with its train and eval series", () => {
    const root = join(mkdtempSync(join(tmpdir(), "plots-")), "run");
    try {
      const { metrics } = createRunDir(root, {});
      const log = new MetricsLog(metrics);
      for (const row of fakeRun(120, 60)) log.append(row);
      const files = writeRunPlots(root, "PointMassReach-v0 seed 0");
      expect(files.map((f) => f.slice(root.length))).to.deep.equal(["/plots/return.svg", "/plots/success.svg"]);
      for (const file of files) {
        expect([...seriesOf(readFileSync(file, "utf8")).keys()]).to.deep.equal(["train (100-episode average)", "eval"]);
      }
      expect(runPlots(fakeRun(5, 0), "t").success.yRange).to.deep.equal([0, 1]);
    } finally {
      rmSync(join(root, ".."), { recursive: true, force: true });
    }
  });

  it("overlays conditions as mean curves with bands across seeds", () => {
    const plot = comparisonPlot(
      [
        { label: "HAC horizon 5", runs: [fakeRun(200, 50), fakeRun(200, 80), fakeRun(180, 60)] },
        { label: "flat SAC+HER", runs: [fakeRun(200, 150)] },
        { label: "never logged", runs: [[]] },
      ],
      "train/return",
      { title: "Performance over time horizons", points: 50 },
    );
    expect(plot.series.map((s) => s.label)).to.deep.equal(["HAC horizon 5 (n=3)", "flat SAC+HER (n=1)"]);
    expect(plot.series[0]!.y).to.have.length(50);
    const svg = seriesOf(renderLinePlotSvg(plot));
    expect(svg.get("HAC horizon 5 (n=3)")!.band).to.equal(true);
  });

  it("draws a hierarchy's subgoal metrics per condition, and none for a group judged by its shadow learner", () => {
    const hac = (reached: number) => fakeRun(150, 200).map((r) => ({ ...r, "hac/subgoal_reached": reached, "hac/windows": 40 }));
    const groups = [
      { label: "(a)", runs: [hac(0.5), hac(0.7)], returnMetric: "train/return" as const },
      { label: "flat", runs: [fakeRun(150, 200)] },
      { label: "shadow", runs: [hac(0.5)], returnMetric: "shadow/eval/return" as const },
    ];
    const plot = comparisonPlot(groups, "hac/subgoal_reached", { title: "t", yRange: [0, 1], points: 10 });
    expect(plot.series.map((s) => s.label)).to.deep.equal(["(a) (n=2)"]);
    expect(plot.yRange).to.deep.equal([0, 1]);
    expect(Array.from(plot.series[0]!.y).every((y) => Math.abs(y - 0.6) < 1e-12)).to.equal(true);
    // The shadow group's return and success are its learner's evaluations; a group judged by the
    // run's own evaluations shows those.
    const evaluated = { label: "(a) evaluated", runs: [hac(0.5)], returnMetric: "eval/return" as const };
    const evals = { "shadow/eval/return": -70, "shadow/eval/success": 0.3, "eval/return": -60, "eval/success": 0.8 };
    const withEvals = [...groups, evaluated].map((g) => ({ ...g, runs: g.runs.map((rows) => rows.map((r) => ({ ...r, ...evals }))) }));
    const returns = comparisonPlot(withEvals, "train/return", { title: "t", points: 10 });
    expect(returns.series.map((s) => s.label)).to.deep.equal(["(a) (n=2)", "flat (n=1)", "shadow (n=1)", "(a) evaluated (n=1)"]);
    expect(Array.from(returns.series[2]!.y).every((y) => y === -70)).to.equal(true);
    expect(Array.from(returns.series[3]!.y).every((y) => y === -60)).to.equal(true);
    const success = comparisonPlot(withEvals, "train/success", { title: "t", points: 10 });
    expect(Array.from(success.series[2]!.y).every((y) => y === 0.3)).to.equal(true);
    expect(Array.from(success.series[3]!.y).every((y) => y === 0.8)).to.equal(true);
  });
});
