// Python syntax highlighting for the Code tab, built as DOM nodes from Prism's token stream.
//
// Prism only splits the text into typed tokens here (`Prism.tokenize`); every piece of code
// goes into the page through text nodes, never through an HTML string. A top-level token
// (a whole string literal, a number, an operator, a name) is kept on one line by CSS, and a
// <wbr> between two touching tokens lets a long line wrap there: lines wrap only between
// tokens, and the text (what a selection copies) is exactly the code.
import { restorePrism } from "./prismguard";
import Prism from "prismjs/components/prism-core";
import "prismjs/components/prism-python";

restorePrism();

const PYTHON = Prism.languages.python!;
/** Token types are Prism's grammar names; only these characters reach a class name. */
const TYPE_CHARS = /[^a-z0-9-]/g;

type Stream = string | Prism.Token | (string | Prism.Token)[];

function classesOf(token: Prism.Token): string[] {
  const aliases = token.alias === undefined ? [] : Array.isArray(token.alias) ? token.alias : [token.alias];
  return [token.type, ...aliases].map((t) => `hydroml-tok-${t.toLowerCase().replace(TYPE_CHARS, "")}`);
}

/** Append `stream` to `parent`: strings as text nodes, tokens as spans with type classes. */
function appendStream(parent: Node, stream: Stream): void {
  if (typeof stream === "string") {
    parent.appendChild(document.createTextNode(stream));
  } else if (Array.isArray(stream)) {
    for (const part of stream) appendStream(parent, part);
  } else {
    const span = document.createElement("span");
    span.classList.add(...classesOf(stream));
    appendStream(span, stream.content as Stream);
    parent.appendChild(span);
  }
}

/** A piece of the first level: a token, a run of plain text without spaces, or white space. */
export interface Piece {
  /** The text (all pieces joined give back the code). */
  text: string;
  /** Prism's token, or null for plain text. */
  token: Prism.Token | null;
  space: boolean;
}

function textOf(stream: Stream): string {
  if (typeof stream === "string") return stream;
  if (Array.isArray(stream)) return stream.map(textOf).join("");
  return textOf(stream.content as Stream);
}

/** Split Python `code` into the pieces a line may wrap between. */
export function pieces(code: string): Piece[] {
  const out: Piece[] = [];
  for (const part of Prism.tokenize(code, PYTHON)) {
    if (typeof part !== "string") {
      out.push({ text: textOf(part), token: part, space: false });
      continue;
    }
    for (const run of part.split(/(\s+)/)) {
      if (run) out.push({ text: run, token: null, space: /^\s/.test(run) });
    }
  }
  return out;
}

/** Replace the children of `target` with `code`, highlighted. */
export function renderCode(target: HTMLElement, code: string): void {
  const frag = document.createDocumentFragment();
  let previousWord = false;
  for (const piece of pieces(code)) {
    if (piece.space) {
      frag.appendChild(document.createTextNode(piece.text));
      previousWord = false;
      continue;
    }
    if (previousWord) frag.appendChild(document.createElement("wbr"));
    const span = document.createElement("span");
    span.className = "hydroml-tok";
    if (piece.token) {
      span.classList.add(...classesOf(piece.token));
      appendStream(span, piece.token.content as Stream);
    } else {
      span.textContent = piece.text;
    }
    frag.appendChild(span);
    previousWord = true;
  }
  target.replaceChildren(frag);
}
