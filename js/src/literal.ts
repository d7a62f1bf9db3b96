// The `value` parameter grammar: numbers, quoted strings, None/True/False and lists of
// those, as in Python source. Anything else is the plain (trimmed) string.

export type Literal = null | boolean | number | string | Literal[];

class Fail extends Error {}

const NUMBER = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_]*/;
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"' };

class Parser {
  pos = 0;
  constructor(readonly src: string) {}

  skip(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  value(): Literal {
    this.skip();
    const ch = this.src[this.pos];
    if (ch === undefined) throw new Fail();
    if (ch === "[") return this.list();
    if (ch === "'" || ch === '"') return this.string(ch);
    const rest = this.src.slice(this.pos);
    const num = NUMBER.exec(rest);
    if (num) {
      const text = num[0];
      const after = rest[text.length];
      if (after !== undefined && /[A-Za-z0-9_.]/.test(after)) throw new Fail();
      const digits = text.replace(/^[+-]/, "");
      // Python rejects integer literals with leading zeros ("007"): not a number.
      if (/^0\d/.test(digits.replace(/_/g, "")) && !/[.eE]/.test(digits)) throw new Fail();
      this.pos += text.length;
      return Number(text.replace(/_/g, ""));
    }
    const word = WORD.exec(rest);
    if (word) {
      this.pos += word[0].length;
      if (word[0] === "None") return null;
      if (word[0] === "True") return true;
      if (word[0] === "False") return false;
    }
    throw new Fail();
  }

  string(quote: string): string {
    this.pos++;
    let out = "";
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos++]!;
      if (ch === quote) return out;
      if (ch === "\\") {
        const next = this.src[this.pos++];
        if (next === undefined) throw new Fail();
        out += ESCAPES[next] ?? `\\${next}`;
      } else {
        out += ch;
      }
    }
    throw new Fail();
  }

  list(): Literal[] {
    this.pos++;
    const items: Literal[] = [];
    this.skip();
    if (this.src[this.pos] === "]") {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.skip();
      const ch = this.src[this.pos++];
      if (ch === "]") return items;
      if (ch !== ",") throw new Fail();
      this.skip();
      if (this.src[this.pos] === "]") {
        this.pos++;
        return items;
      }
    }
  }
}

/** Parse a typed-in value; `undefined` for an empty input. */
export function parseLiteral(text: string): Literal | undefined {
  const src = text.trim();
  if (src === "") return undefined;
  const p = new Parser(src);
  try {
    const v = p.value();
    p.skip();
    if (p.pos === src.length) return v;
  } catch (err) {
    if (!(err instanceof Fail)) throw err;
  }
  return src;
}

const quote = (s: string): string => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;

function formatItem(value: unknown): string {
  if (typeof value === "string") return quote(value);
  return formatLiteral(value);
}

/** Inverse of parseLiteral for prefilling inputs. */
export function formatLiteral(value: unknown): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return parseLiteral(value) === value ? value : quote(value);
  if (Array.isArray(value)) return `[${value.map(formatItem).join(", ")}]`;
  return value === undefined ? "" : String(value);
}
