/**
 * Progress of long work (training, collection, benchmarks): steps, steps/s, return, success and
 * ETA. On a TTY it is one line on stderr redrawn in place, at most ten times a second so that
 * drawing never costs steps; elsewhere (CI logs, files) it is a plain line every `logEveryMs`,
 * since carriage returns would pile up into one unreadable line.
 *
 * The clock is injectable so tests can drive it; the rate is taken over the whole run since the
 * bar started (from `startStep` on a resumed run), which is what an ETA needs.
 */
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

/** What the bar shows next to the step count; absent fields are left out. */
export interface ProgressStats {
  return?: number;
  success?: number;
}

export interface ProgressState extends ProgressStats {
  label: string;
  step: number;
  total: number;
  /** Steps per second since the start; NaN before any time has passed. */
  stepsPerSec: number;
  /** Seconds left at that rate; NaN when unknown. */
  etaSec: number;
}

const REDRAW_MS = 100;

export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly tty: boolean;
  private startMs: number;
  private startStep: number;
  private readonly logEveryMs: number;
  private lastDrawMs = -Infinity;
  /** Whether the state changed since it was last drawn: a plain log then ends without a repeat. */
  private dirty = true;
  private state: ProgressState;

  constructor(options: ProgressBarOptions) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.tty = this.stream.isTTY === true;
    this.startMs = this.now();
    this.startStep = options.startStep ?? 0;
    this.logEveryMs = options.logEveryMs ?? 10_000;
    this.state = { label: options.label ?? "", step: this.startStep, total: options.total, stepsPerSec: NaN, etaSec: NaN };
  }

  /** Records progress; draws only when the last draw is old enough. */
  update(step: number, stats: ProgressStats = {}): void {
    const t = this.now();
    // Work can lose counted steps (an experiment's run resumed from its last checkpoint drops the
    // steps it had logged since): the rate then counts from there, never below zero.
    if (step < this.startStep) [this.startStep, this.startMs] = [step, t];
    const elapsedSec = (t - this.startMs) / 1000;
    const stepsPerSec = elapsedSec > 0 ? (step - this.startStep) / elapsedSec : NaN;
    this.state = {
      ...this.state,
      ...stats,
      step,
      stepsPerSec,
      etaSec: stepsPerSec > 0 ? Math.max(0, this.state.total - step) / stepsPerSec : NaN,
    };
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
  const fields = [
    `${s.step}/${s.total}`,
    `${(fraction * 100).toFixed(0)}%`,
    `${Number.isFinite(s.stepsPerSec) ? s.stepsPerSec.toFixed(0) : "-"} steps/s`,
    ...(s.return !== undefined ? [`return ${s.return.toFixed(1)}`] : []),
    ...(s.success !== undefined ? [`success ${s.success.toFixed(2)}`] : []),
    `ETA ${formatDuration(s.etaSec)}`,
  ];
  const text = fields.join("  ");
  const head = s.label ? `${s.label} ` : "";
  const barWidth = Math.min(30, columns - head.length - text.length - 4);
  if (barWidth < 5) return `${head}${text}`;
  const filled = Math.round(fraction * barWidth);
  return `${head}[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${text}`;
}

/** 75 -> "1m15s", 3700 -> "1h01m"; "-" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "-";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
