// The static placeholder a widget's output is followed by (see hydroml_jupyter/widgets/
// placeholder.py): what a saved notebook shows once the kernel is gone. A live widget hides
// it. In JupyterLab and Notebook 7 the placeholder's own CSS already does; this covers front
// ends whose page has other classes (VS Code).

const MARK = "[data-hydroml-static]";
const OUTPUT = "jp-OutputArea-child";
const MAX_LEVELS = 8;

/** The element holding the placeholder output that follows the output `el` renders into. */
export function findPlaceholder(el: HTMLElement): HTMLElement | null {
  let node: HTMLElement | null = el;
  for (let level = 0; node && level < MAX_LEVELS; level++, node = node.parentElement) {
    const next = node.nextElementSibling;
    // An output's container: the next output is the only candidate, whatever it holds.
    const last = node.classList.contains(OUTPUT);
    if (next instanceof HTMLElement && (next.matches(MARK) || next.querySelector(MARK))) {
      return next;
    }
    if (last || node === document.body) return null;
  }
  return null;
}

/**
 * Hide the placeholder after `el`'s output; the returned function shows it again. A view is
 * often rendered before it is put in the page, and the placeholder output arrives after the
 * widget's, so one not found yet is looked for again for a while.
 */
export function hidePlaceholder(el: HTMLElement, tries = 20, every = 100): () => void {
  let found: HTMLElement | null = null;
  let before = "";
  let timer: ReturnType<typeof setTimeout> | null = null;
  const attempt = (left: number): void => {
    timer = null;
    found = findPlaceholder(el);
    if (found) {
      before = found.style.display;
      found.style.display = "none";
    } else if (left > 0) {
      timer = setTimeout(() => attempt(left - 1), every);
    }
  };
  attempt(tries);
  return () => {
    if (timer !== null) clearTimeout(timer);
    if (found) found.style.display = before;
  };
}
