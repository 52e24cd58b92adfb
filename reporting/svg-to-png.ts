/**
 * SVG to PNG with resvg (a Rust renderer shipped prebuilt inside its npm package), so that every
 * plot exists in both forms without a browser.
 */
import { Resvg } from "@resvg/resvg-js";

export function svgToPng(svg: string, width = 1200): Uint8Array {
  const resvg = new Resvg(svg, { fitTo: { mode: "width", value: width }, background: "white", font: { loadSystemFonts: true } });
  return resvg.render().asPng();
}
