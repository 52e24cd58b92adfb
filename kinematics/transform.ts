/**
 * Rigid transforms as 12 numbers: a row-major 3x3 rotation then a translation. Plain typed
 * arrays rather than a matrix library, because FK and IK run inside every env step of the arm
 * and allocation-free composition is what keeps them a small fraction of the physics time.
 */

/** [r00 r01 r02 r10 r11 r12 r20 r21 r22 px py pz] */
export type Transform = Float64Array;
export type Vec3 = [number, number, number];
/** Quaternion [x, y, z, w], as Rapier and the scene description use. */
export type Quat = [number, number, number, number];

export function identity(): Transform {
  return Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0);
}

/** out = a · b (out may alias neither). */
export function compose(a: Transform, b: Transform, out: Transform = new Float64Array(12)): Transform {
  for (let i = 0; i < 3; i++) {
    const a0 = a[3 * i]!;
    const a1 = a[3 * i + 1]!;
    const a2 = a[3 * i + 2]!;
    out[3 * i] = a0 * b[0]! + a1 * b[3]! + a2 * b[6]!;
    out[3 * i + 1] = a0 * b[1]! + a1 * b[4]! + a2 * b[7]!;
    out[3 * i + 2] = a0 * b[2]! + a1 * b[5]! + a2 * b[8]!;
    out[9 + i] = a0 * b[9]! + a1 * b[10]! + a2 * b[11]! + a[9 + i]!;
  }
  return out;
}

export function invert(t: Transform): Transform {
  const out = new Float64Array(12);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[3 * i + j] = t[3 * j + i]!;
  for (let i = 0; i < 3; i++) out[9 + i] = -(out[3 * i]! * t[9]! + out[3 * i + 1]! * t[10]! + out[3 * i + 2]! * t[11]!);
  return out;
}

/** URDF's convention: R = Rz(yaw) · Ry(pitch) · Rx(roll), then the translation. */
export function fromXyzRpy(xyz: readonly number[], rpy: readonly number[]): Transform {
  const [r, p, y] = [rpy[0]!, rpy[1]!, rpy[2]!];
  const [cr, sr, cp, sp, cy, sy] = [Math.cos(r), Math.sin(r), Math.cos(p), Math.sin(p), Math.cos(y), Math.sin(y)];
  return Float64Array.of(
    cy * cp,
    cy * sp * sr - sy * cr,
    cy * sp * cr + sy * sr,
    sy * cp,
    sy * sp * sr + cy * cr,
    sy * sp * cr - cy * sr,
    -sp,
    cp * sr,
    cp * cr,
    xyz[0]!,
    xyz[1]!,
    xyz[2]!,
  );
}

/** Rotation by `angle` about the unit `axis` (Rodrigues), no translation. */
export function rotation(axis: readonly number[], angle: number, out: Transform = new Float64Array(12)): Transform {
  const [x, y, z] = [axis[0]!, axis[1]!, axis[2]!];
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const k = 1 - c;
  out[0] = c + x * x * k;
  out[1] = x * y * k - z * s;
  out[2] = x * z * k + y * s;
  out[3] = y * x * k + z * s;
  out[4] = c + y * y * k;
  out[5] = y * z * k - x * s;
  out[6] = z * x * k - y * s;
  out[7] = z * y * k + x * s;
  out[8] = c + z * z * k;
  out[9] = out[10] = out[11] = 0;
  return out;
}

export function translation(v: readonly number[], out: Transform = identity()): Transform {
  out.set([1, 0, 0, 0, 1, 0, 0, 0, 1, v[0]!, v[1]!, v[2]!]);
  return out;
}

/** The rotation part as a unit quaternion [x, y, z, w] (Shepperd's method: stable for every angle). */
export function toQuat(t: Transform): Quat {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = [t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, t[5]!, t[6]!, t[7]!, t[8]!];
  const tr = m00 + m11 + m22;
  let q: Quat;
  if (tr > 0) {
    const s = 2 * Math.sqrt(tr + 1);
    q = [(m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s, s / 4];
  } else if (m00 > m11 && m00 > m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    q = [s / 4, (m01 + m10) / s, (m02 + m20) / s, (m21 - m12) / s];
  } else if (m11 > m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    q = [(m01 + m10) / s, s / 4, (m12 + m21) / s, (m02 - m20) / s];
  } else {
    const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
    q = [(m02 + m20) / s, (m12 + m21) / s, s / 4, (m10 - m01) / s];
  }
  return q;
}

/** Roll, pitch, yaw of the rotation part (the inverse of {@link fromXyzRpy}'s rotation). */
export function toRpy(t: Transform): Vec3 {
  const pitch = Math.asin(Math.max(-1, Math.min(1, -t[6]!)));
  if (Math.abs(t[6]!) < 1 - 1e-12) return [Math.atan2(t[7]!, t[8]!), pitch, Math.atan2(t[3]!, t[0]!)];
  // Gimbal lock: only roll - yaw (or roll + yaw) is defined; put it all in yaw.
  return [0, pitch, Math.atan2(-t[1]!, t[4]!)];
}

const ERROR_SCRATCH = new Float64Array(9);

/**
 * The rotation error that takes `current` to `target`, as an axis·angle vector in the base frame
 * (the log of target·currentᵀ): what IK drives to zero.
 */
export function rotationError(current: Transform, target: Transform, out: Float64Array, offset: number): void {
  // E = Rt · Rcᵀ
  const e = ERROR_SCRATCH;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++)
      e[3 * i + j] = target[3 * i]! * current[3 * j]! + target[3 * i + 1]! * current[3 * j + 1]! + target[3 * i + 2]! * current[3 * j + 2]!;
  }
  const cos = Math.max(-1, Math.min(1, (e[0]! + e[4]! + e[8]! - 1) / 2));
  const angle = Math.acos(cos);
  const vx = e[7]! - e[5]!;
  const vy = e[2]! - e[6]!;
  const vz = e[3]! - e[1]!;
  if (angle < 1e-9) {
    out[offset] = out[offset + 1] = out[offset + 2] = 0;
    return;
  }
  if (Math.PI - angle < 1e-6) {
    // Near π the antisymmetric part vanishes: take the axis from the symmetric part.
    const ax = Math.sqrt(Math.max(0, (e[0]! + 1) / 2));
    const ay = Math.sqrt(Math.max(0, (e[4]! + 1) / 2)) * (e[1]! >= 0 ? 1 : -1);
    const az = Math.sqrt(Math.max(0, (e[8]! + 1) / 2)) * (e[2]! >= 0 ? 1 : -1);
    out[offset] = ax * angle;
    out[offset + 1] = ay * angle;
    out[offset + 2] = az * angle;
    return;
  }
  const k = angle / (2 * Math.sin(angle));
  out[offset] = vx * k;
  out[offset + 1] = vy * k;
  out[offset + 2] = vz * k;
}
