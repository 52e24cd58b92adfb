/**
 * Damped-least-squares inverse kinematics on the project's own FK and Jacobian (Rapier has
 * none). Each iteration solves dq = Jᵀ(JJᵀ + λ²I)⁻¹e, adds a pull toward a rest pose projected
 * into the null space of the task (so a redundant arm keeps a natural elbow instead of drifting),
 * caps the step, and clamps to the joint limits: the answer is always a legal configuration, and
 * the closest the arm can get when the target is out of reach.
 */
import type { KinematicChain } from "./kinematics.js";
import { identity, rotationError, type Transform } from "./transform.js";

export interface IkTarget {
  /** Tip position in the chain's base frame. */
  position: ArrayLike<number>;
  /** Tip orientation (a transform whose rotation part counts); omitted: position only. */
  orientation?: Transform;
}

export interface IkOptions {
  /** Damping λ: larger is steadier near singularities, slower elsewhere. @defaultValue 0.05 */
  damping: number;
  /** @defaultValue 100 */
  maxIterations: number;
  /** Stop once the position error is below this many metres. @defaultValue 1e-4 */
  positionTolerance: number;
  /** ...and the orientation error below this many radians. @defaultValue 1e-3 */
  orientationTolerance: number;
  /** Metres of position error one radian of orientation error counts as. @defaultValue 0.2 */
  orientationWeight: number;
  /** The null-space pull's target; omitted: no pull. */
  rest?: ArrayLike<number>;
  /** Gain of the null-space pull per iteration. @defaultValue 0.1 */
  restGain: number;
  /** Largest joint step (L∞, rad) per iteration. @defaultValue 0.3 */
  maxStep: number;
}

export interface IkResult {
  q: Float64Array;
  positionError: number;
  orientationError: number;
  iterations: number;
}

/** Damping of the null-space projector (see the pull below). */
const NULLSPACE_DAMPING = 1e-3;

const DEFAULTS: IkOptions = {
  damping: 0.05,
  maxIterations: 100,
  positionTolerance: 1e-4,
  orientationTolerance: 1e-3,
  orientationWeight: 0.2,
  restGain: 0.1,
  maxStep: 0.3,
};

/**
 * Scratch arrays of one solve, kept per degree of freedom: an arm's env step runs IK once, and
 * nine fresh arrays per step only fed the garbage collector.
 */
interface Workspace {
  jac: Float64Array;
  tip: Transform;
  e: Float64Array;
  a: Float64Array;
  y: Float64Array;
  dq: Float64Array;
  z: Float64Array;
  jz: Float64Array;
  l: Float64Array;
}

const workspaces = new Map<number, Workspace>();

function workspace(n: number): Workspace {
  let w = workspaces.get(n);
  if (!w) {
    const f = (size: number) => new Float64Array(size);
    w = { jac: f(6 * n), tip: identity(), e: f(6), a: f(36), y: f(6), dq: f(n), z: f(n), jz: f(6), l: f(36) };
    workspaces.set(n, w);
  }
  return w;
}

/**
 * The options with their defaults, field by field: V8 builds `{ ...DEFAULTS, ...options }`
 * on its slow path here (measured 1.6 µs, a tenth of a whole solve).
 */
function withDefaults(options: Partial<IkOptions>): IkOptions {
  return {
    damping: options.damping ?? DEFAULTS.damping,
    maxIterations: options.maxIterations ?? DEFAULTS.maxIterations,
    positionTolerance: options.positionTolerance ?? DEFAULTS.positionTolerance,
    orientationTolerance: options.orientationTolerance ?? DEFAULTS.orientationTolerance,
    orientationWeight: options.orientationWeight ?? DEFAULTS.orientationWeight,
    rest: options.rest,
    restGain: options.restGain ?? DEFAULTS.restGain,
    maxStep: options.maxStep ?? DEFAULTS.maxStep,
  };
}

/** Solves for joint positions near `q0` that put the chain's tip at `target`. */
export function solveIk(chain: KinematicChain, target: IkTarget, q0: ArrayLike<number>, options: Partial<IkOptions> = {}): IkResult {
  const o = withDefaults(options);
  const n = chain.dof;
  const m = target.orientation ? 6 : 3;
  const w = workspace(n);
  const { jac, e } = w;
  const q = Float64Array.from(q0);
  for (let i = 0; i < n; i++) q[i] = Math.min(chain.upper[i]!, Math.max(chain.lower[i]!, q[i]!));
  let positionError = Infinity;
  let orientationError = 0;
  let iterations = 0;
  for (; ; iterations++) {
    const tip = chain.jacobian(q, jac, w.tip);
    e[0] = target.position[0]! - tip[9]!;
    e[1] = target.position[1]! - tip[10]!;
    e[2] = target.position[2]! - tip[11]!;
    positionError = Math.hypot(e[0], e[1], e[2]);
    if (target.orientation) {
      rotationError(tip, target.orientation, e, 3);
      orientationError = Math.hypot(e[3]!, e[4]!, e[5]!);
      for (let r = 3; r < 6; r++) e[r] = e[r]! * o.orientationWeight;
    }
    const done = positionError < o.positionTolerance && orientationError < o.orientationTolerance;
    if (done || iterations >= o.maxIterations) break;
    // The weighted task rows: J's angular rows scale with the error they answer for.
    if (m === 6) for (let k = 3 * n; k < 6 * n; k++) jac[k] = jac[k]! * o.orientationWeight;
    taskStep(w, n, m, o.damping);
    if (o.rest) nullspacePull(w, n, m, o.damping, o.restGain, o.rest, q);
    const dq = w.dq;
    let largest = 0;
    for (let k = 0; k < n; k++) largest = Math.max(largest, Math.abs(dq[k]!));
    const scale = largest > o.maxStep ? o.maxStep / largest : 1;
    for (let k = 0; k < n; k++) q[k] = Math.min(chain.upper[k]!, Math.max(chain.lower[k]!, q[k]! + scale * dq[k]!));
  }
  return { q, positionError, orientationError, iterations };
}

/** dq = Jᵀ(JJᵀ + λ²I)⁻¹e, leaving A = JJᵀ + λ²I in the workspace. */
function taskStep(w: Workspace, n: number, m: number, damping: number): void {
  const { jac, a, e, y, dq, l } = w;
  for (let r = 0; r < m; r++) {
    for (let c = 0; c <= r; c++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += jac[r * n + k]! * jac[c * n + k]!;
      a[r * m + c] = a[c * m + r] = s + (r === c ? damping * damping : 0);
    }
  }
  choleskySolve(a, e, y, m, l);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let r = 0; r < m; r++) s += jac[r * n + k]! * y[r]!;
    dq[k] = s;
  }
}

/**
 * Adds the null-space pull toward `rest` to dq: z - J⁺Jz. The projector uses a far smaller
 * damping than the task step: with λ it would leak λ²/σ² of the pull into the tip and stall IK
 * millimetres short, while I - J⁺J stays bounded (eigenvalues in [0, 1]) however small the damping.
 */
function nullspacePull(w: Workspace, n: number, m: number, damping: number, gain: number, rest: ArrayLike<number>, q: Float64Array): void {
  const { jac, a, y, dq, z, jz, l } = w;
  for (let r = 0; r < m; r++) a[r * m + r] = a[r * m + r]! - damping * damping + NULLSPACE_DAMPING ** 2;
  for (let k = 0; k < n; k++) z[k] = gain * (rest[k]! - q[k]!);
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += jac[r * n + k]! * z[k]!;
    jz[r] = s;
  }
  choleskySolve(a, jz, y, m, l);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let r = 0; r < m; r++) s += jac[r * n + k]! * y[r]!;
    dq[k] = dq[k]! + z[k]! - s;
  }
}

/** Solves A x = b for a symmetric positive-definite m×m A (row-major); `l` is scratch for the factor. */
function choleskySolve(a: Float64Array, b: Float64Array, x: Float64Array, m: number, l: Float64Array): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * m + j]!;
      for (let k = 0; k < j; k++) s -= l[i * m + k]! * l[j * m + k]!;
      l[i * m + j] = i === j ? Math.sqrt(s) : s / l[j * m + j]!;
    }
  }
  for (let i = 0; i < m; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * m + k]! * x[k]!;
    x[i] = s / l[i * m + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < m; k++) s -= l[k * m + i]! * x[k]!;
    x[i] = s / l[i * m + i]!;
  }
}
