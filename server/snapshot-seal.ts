/**
 * Snapshots leave the server sealed with an HMAC under a key that never leaves it, and only sealed
 * snapshots are restored. Restoring hands the bytes to Rapier's deserialiser inside the shared
 * WASM module; a forged snapshot must never reach it, since a panic there would take every
 * session down with it.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ProtocolError } from "../protocol/protocol-error.js";

const TAG_BYTES = 32;

export class SnapshotSeal {
  /** @param key A per-process random key by default: snapshots restore on the server that made them. */
  constructor(private readonly key: Uint8Array = randomBytes(32)) {}

  seal(bytes: Uint8Array): Uint8Array {
    const out = new Uint8Array(bytes.length + TAG_BYTES);
    out.set(bytes);
    out.set(this.tag(bytes), bytes.length);
    return out;
  }

  unseal(sealed: Uint8Array): Uint8Array {
    if (sealed.length <= TAG_BYTES)
      throw new ProtocolError("BAD_SNAPSHOT", `snapshot is ${sealed.length} bytes: too short to be one this server made`);
    const bytes = sealed.subarray(0, sealed.length - TAG_BYTES);
    if (!timingSafeEqual(this.tag(bytes), sealed.subarray(sealed.length - TAG_BYTES))) {
      throw new ProtocolError("BAD_SNAPSHOT", "snapshot was not made by this server, or was altered: its seal does not match");
    }
    return bytes;
  }

  private tag(bytes: Uint8Array): Buffer {
    return createHmac("sha256", this.key).update(bytes).digest();
  }
}
