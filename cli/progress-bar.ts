/**
 * Progress of long work (training, collection, benchmarks): steps, steps/s, return, success and
 * ETA. On a TTY it is one line on stderr redrawn in place, at most ten times a second so that
 * drawing never costs steps; elsewhere (CI logs, files) it is a plain line every `logEveryMs`,
 * since carriage returns would pile up into one unreadable line.
 *
 * The clock is injectable so tests can drive it; the rate is taken over the whole run since the
 * bar started (from `startStep` on a resumed run), which is what an ETA needs.
 *
 * Work counted in other units beside the main count (an experiment's relay runs pretraining, in
 * gradient steps, while other runs take env steps) is shown as a phase after the main fields,
 * with its own count, rate and ETA, while it is under way.
 */
import type { Progress, ProgressStats } from "../agents/run/progress.js";

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarOptions {
  /** Steps at which the work is done. */
  total: number;
  /** @defaultValue "" */
  label?: string;
  /** Steps already done (a resumed run). @defaultValue 0 */
  startStep?: number;
  /** @defaultValue process.stderr */
  stream?: ProgressStream;
  /** Milliseconds since an arbitrary origin. @defaultValue performance.now */
  now?: () => number;
  /** Plain-mode interval between lines. @defaultValue 10000 */
  logEveryMs?: number;
}

/** A count of work with its rate and what is left at that rate. */
export interface ProgressCount {
  step: number;
  total: number;
  /** Steps per second since the start; NaN before any time has passed. */
  stepsPerSec: number;
  /** Seconds left at that rate; NaN when unknown. */
  etaSec: number;
}

export interface ProgressState extends ProgressStats, ProgressCount {
  label: string;
  /** Phases under way beside the main count, by name, in the order they began. */
  phases?: Readonly<Record<string, ProgressCount>>;
}

const REDRAW_MS = 100;

/** The rate of one count since it started, and the time left at that rate. */
class RateClock {
  constructor(
    private startMs: number,
    private startStep: number,
  ) {}

  count(step: number, total: number, t: number): ProgressCount {
    // Work can lose counted steps (an experiment's run resumed from its last checkpoint drops the
    // steps it had logged since): the rate then counts from there, never below zero.
    if (step < this.startStep) [this.startStep, this.startMs] = [step, t];
    const elapsedSec = (t - this.startMs) / 1000;
    const stepsPerSec = elapsedSec > 0 ? (step - this.startStep) / elapsedSec : NaN;
    return { step, total, stepsPerSec, etaSec: stepsPerSec > 0 ? Math.max(0, total - step) / stepsPerSec : NaN };
  }
}

export class ProgressBar implements Progress {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly tty: boolean;
  private readonly clock: RateClock;
  /** The phases' clocks, by name: each starts at the phase's first update. */
  private readonly phaseClocks = new Map<string, RateClock>();
  private readonly logEveryMs: number;
  private lastDrawMs = -Infinity;
  /** Whether the state changed since it was last drawn: a plain log then ends without a repeat. */
  private dirty = true;
  private state: ProgressState;

  constructor(options: ProgressBarOptions) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.tty = this.stream.isTTY === true;
    const startStep = options.startStep ?? 0;
    this.clock = new RateClock(this.now(), startStep);
    this.logEveryMs = options.logEveryMs ?? 10_000;
    this.state = { label: options.label ?? "", step: startStep, total: options.total, stepsPerSec: NaN, etaSec: NaN };
  }

  /** Records progress; draws only when the last draw is old enough. */
  update(step: number, stats: ProgressStats = {}): void {
    const t = this.now();
    this.state = { ...this.state, ...stats, ...this.clock.count(step, this.state.total, t) };
    this.changed(t);
  }

  /**
   * Records a phase's progress: shown after the main fields while `step < total`, and left out
   * once it is done. Its rate counts from its first update.
   */
  updatePhase(name: string, step: number, total: number): void {
    const t = this.now();
    let clock = this.phaseClocks.get(name);
    if (clock === undefined) this.phaseClocks.set(name, (clock = new RateClock(t, step)));
    const { [name]: _done, ...others } = this.state.phases ?? {};
    this.state = { ...this.state, phases: step < total ? { ...others, [name]: clock.count(step, total, t) } : others };
    this.changed(t);
  }

  private changed(t: number): void {
    this.dirty = true;
    if (t - this.lastDrawMs >= (this.tty ? REDRAW_MS : this.logEveryMs)) this.draw(t);
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (this.dirty) this.draw(this.now());
    if (this.tty) this.stream.write("\n");
  }

  private draw(t: number): void {
    this.lastDrawMs = t;
    this.dirty = false;
    if (this.tty) this.stream.write(`\r\x1b[2K${formatProgress(this.state, this.stream.columns ?? 100)}`);
    else this.stream.write(`${formatProgress(this.state, 0)}\n`);
  }
}

/** The progress line; a bar of `#` is drawn when `columns` leaves room for one. */
export function formatProgress(s: ProgressState, columns: number): string {
  const fraction = s.total > 0 ? Math.min(1, s.step / s.total) : 0;
  const [count, percent, rate] = countFields(s);
  const fields = [
    count,
    percent,
    rate,
    ...(s.return !== undefined ? [`return ${s.return.toFixed(1)}`] : []),
    ...(s.success !== undefined ? [`success ${s.success.toFixed(2)}`] : []),
    `ETA ${formatDuration(s.etaSec)}`,
    ...Object.entries(s.phases ?? {}).map(([name, p]) => `| ${name} ${[...countFields(p), `ETA ${formatDuration(p.etaSec)}`].join("  ")}`),
  ];
  const text = fields.join("  ");
  const head = s.label ? `${s.label} ` : "";
  const barWidth = Math.min(30, columns - head.length - text.length - 4);
  if (barWidth < 5) return `${head}${text}`;
  const filled = Math.round(fraction * barWidth);
  return `${head}[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${text}`;
}

/** "step/total", "percent%" and "rate steps/s" of a count. */
function countFields(c: ProgressCount): [string, string, string] {
  const fraction = c.total > 0 ? Math.min(1, c.step / c.total) : 0;
  return [
    `${c.step}/${c.total}`,
    `${(fraction * 100).toFixed(0)}%`,
    `${Number.isFinite(c.stepsPerSec) ? c.stepsPerSec.toFixed(0) : "-"} steps/s`,
  ];
}

/**
 * The main count of a progress line as {@link formatProgress} writes it, read back: how a parent
 * process follows a child whose progress goes to a log file. Null for any other line.
 */
export function parseProgress(line: string): { step: number; total: number } | null {
  const m = /(?:^|[ \]])(\d+)\/(\d+) {2}\d+% {2}(?:\d+|-) steps\/s/.exec(line);
  return m === null ? null : { step: Number(m[1]), total: Number(m[2]) };
}

/** 75 -> "1m15s", 3700 -> "1h01m"; "-" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "-";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
