/**
 * A small XML reader: elements, attributes, text, comments, CDATA, the declaration and the five
 * predefined entities plus numeric character references. It is written here rather than taken
 * from npm (fast-xml-parser is the well-kept choice) because a URDF needs only elements and
 * attributes, the loader runs in sim-free code that should add no dependency to every install,
 * and a DOCTYPE or entity definition (the usual XML attack surface) is refused outright.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {
  constructor(message: string, offset: number, source: string) {
    const line = source.slice(0, offset).split("\n").length;
    super(`XML line ${line}: ${message}`);
    this.name = "XmlError";
  }
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /\s*/y;

export function parseXml(source: string): XmlElement {
  let at = 0;
  const fail = (msg: string): never => {
    throw new XmlError(msg, at, source);
  };
  const skipSpace = () => {
    SPACE.lastIndex = at;
    SPACE.exec(source);
    at = SPACE.lastIndex;
  };
  const name = (): string => {
    NAME.lastIndex = at;
    const m = NAME.exec(source);
    if (!m) fail(`expected a name, found "${source.slice(at, at + 10)}"`);
    at = NAME.lastIndex;
    return m![0];
  };
  /** Skips comments, processing instructions and whitespace between elements. */
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (source.startsWith("<!--", at)) {
        const end = source.indexOf("-->", at + 4);
        if (end < 0) fail("unterminated comment");
        at = end + 3;
      } else if (source.startsWith("<?", at)) {
        const end = source.indexOf("?>", at + 2);
        if (end < 0) fail("unterminated processing instruction");
        at = end + 2;
      } else if (source.startsWith("<!DOCTYPE", at) || source.startsWith("<!ENTITY", at)) {
        fail("DOCTYPE and entity declarations are not supported");
      } else return;
    }
  };
  const element = (): XmlElement => {
    if (source[at] !== "<") fail("expected an element");
    at++;
    const el: XmlElement = { name: name(), attributes: {}, children: [], text: "" };
    for (;;) {
      skipSpace();
      if (source.startsWith("/>", at)) {
        at += 2;
        return el;
      }
      if (source[at] === ">") {
        at++;
        break;
      }
      const key = name();
      skipSpace();
      if (source[at] !== "=") fail(`attribute "${key}" of <${el.name}> has no value`);
      at++;
      skipSpace();
      const quote = source[at];
      if (quote !== '"' && quote !== "'") fail(`attribute "${key}" of <${el.name}> must be quoted`);
      const end = source.indexOf(quote!, at + 1);
      if (end < 0) fail(`unterminated value of attribute "${key}"`);
      if (key in el.attributes) fail(`<${el.name}> repeats attribute "${key}"`);
      el.attributes[key] = decode(source.slice(at + 1, end), () => fail(`bad entity in attribute "${key}"`));
      at = end + 1;
    }
    for (;;) {
      const next = source.indexOf("<", at);
      if (next < 0) fail(`<${el.name}> is never closed`);
      el.text += decode(source.slice(at, next), () => fail(`bad entity in <${el.name}>`));
      at = next;
      if (source.startsWith("</", at)) {
        at += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        if (source[at] !== ">") fail(`</${closing}> is not closed by ">"`);
        at++;
        el.text = el.text.trim();
        return el;
      }
      if (source.startsWith("<![CDATA[", at)) {
        const end = source.indexOf("]]>", at);
        if (end < 0) fail("unterminated CDATA section");
        el.text += source.slice(at + 9, end);
        at = end + 3;
      } else if (source.startsWith("<!--", at) || source.startsWith("<?", at) || source.startsWith("<!", at)) {
        skipMisc();
      } else {
        el.children.push(element());
      }
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (at < source.length) fail("content after the root element");
  return root;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(text: string, bad: () => never): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (_whole, ref: string | undefined) => {
    if (ref === undefined) return bad();
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? bad();
  });
}

/** Escapes text for an attribute value in double quotes. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
