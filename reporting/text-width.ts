/**
 * How wide a line of text comes out, without a font engine: the SVG plots must break a long title
 * into lines before any renderer (a browser, or resvg in the tests) lays it out, or the
 * renderer clips it at both edges. Widths are DejaVu Sans's (the plots' first font, and wider than
 * Arial, their fallback) by class of character, rounded up, so that an estimate errs wide.
 */

/** Advance widths in em by character class, from DejaVu Sans's metrics. */
const NARROW = new Set([..."ijlI.,:;!'|()[]{} "]);
const SMALL = new Set([...'frt-/\\"`']);
const WIDE = new Set([..."mwMW@%"]);

function charWidthEm(c: string): number {
  if (NARROW.has(c)) return 0.34;
  if (SMALL.has(c)) return 0.44;
  if (WIDE.has(c)) return 1.0;
  if (c >= "A" && c <= "Z") return 0.78;
  return 0.66; // lower-case letters, digits, and anything unknown
}

/** The estimated width in pixels of `text` at `fontSize` pixels. */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const c of text) em += charWidthEm(c);
  return em * fontSize;
}

/**
 * `text` broken at spaces into lines no wider than `maxWidth` at `fontSize`; a single word wider
 * than that stands on a line of its own.
 */
export function wrapText(text: string, maxWidth: number, fontSize: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const joined = line === "" ? word : `${line} ${word}`;
    if (line !== "" && textWidth(joined, fontSize) > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = joined;
    }
  }
  return [...lines, line];
}
