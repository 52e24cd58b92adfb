import { expect } from "chai";
import { packArrays, unpackArrays } from "../../../agents/buffers/array-pack.js";

describe("packArrays / unpackArrays", () => {
  it("round-trips typed arrays of every dtype and the JSON meta, bit for bit", () => {
    const arrays = {
      f32: Float32Array.from([1.5, -0, NaN, 3.4e38]),
      f64: Float64Array.from([Math.PI, -Infinity]),
      i32: Int32Array.from([-7, 2 ** 31 - 1]),
      u32: Uint32Array.from([0xffffffff]),
      u8: Uint8Array.from([1, 2, 3]),
      empty: new Float32Array(0),
    };
    const { meta, arrays: out } = unpackArrays(packArrays({ step: 3, name: "x" }, arrays));
    expect(meta).to.deep.equal({ step: 3, name: "x" });
    expect([...out.keys()]).to.deep.equal(Object.keys(arrays));
    for (const [name, a] of Object.entries(arrays)) {
      const b = out.get(name)!;
      expect(b.constructor).to.equal(a.constructor);
      expect(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).to.deep.equal(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
  });

  it("reads a pack that sits at an unaligned offset (as inside a larger file buffer)", () => {
    const packed = packArrays(null, { x: Float64Array.from([1, 2]) });
    const host = new Uint8Array(packed.length + 3);
    host.set(packed, 3);
    expect(Array.from(unpackArrays(host.subarray(3)).arrays.get("x")!)).to.deep.equal([1, 2]);
  });

  it("refuses foreign or truncated bytes", () => {
    const packed = packArrays(null, { x: new Float32Array(16) });
    expect(() => unpackArrays(new TextEncoder().encode("not a pack at all"))).to.throw(/bad magic/);
    expect(() => unpackArrays(packed.subarray(0, packed.length - 8))).to.throw(/truncated/);
  });
});
