import { EnvError, Wrapper, type DictObs, type ResetArgs, type ResetResult, type StepResult } from "../core/env.js";
import type { Frame } from "../physics/scene.js";
import { packSnapshot, unpackSnapshot } from "../core/snapshot-codec.js";

/** Refuses step (and frame) before the first reset, with an error that says so. */
export class OrderEnforcing<O = DictObs> extends Wrapper<O> {
  private hasReset = false;

  override reset(args?: ResetArgs): ResetResult<O> {
    const result = this.env.reset(args);
    this.hasReset = true;
    return result;
  }

  override step(action: ArrayLike<number>): StepResult<O> {
    if (!this.hasReset) throw new EnvError("RESET_NEEDED", `${this.unwrapped.toString()}: cannot call step() before reset()`);
    return this.env.step(action);
  }

  override frame(): Frame {
    if (!this.hasReset) throw new EnvError("RESET_NEEDED", `${this.unwrapped.toString()}: cannot draw a frame before reset()`);
    return this.env.frame();
  }

  override snapshot(): Uint8Array {
    return packSnapshot({ hasReset: this.hasReset }, this.env.snapshot());
  }

  override restore(bytes: Uint8Array): void {
    const { header, body } = unpackSnapshot(bytes);
    this.env.restore(body);
    this.hasReset = header["hasReset"] === true;
  }
}
