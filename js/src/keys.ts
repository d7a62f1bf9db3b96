// Keyboard movement of the selected cell.

export interface Cell {
  row: number;
  col: number;
}

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
}

/** New selection for a navigation key, or null when the key is not a navigation key. */
export function moveSelection(e: KeyInput, from: Cell, rows: number, cols: number, pageRows: number): Cell | null {
  if (rows <= 0 || cols <= 0) return null;
  const ctrl = e.ctrlKey || e.metaKey;
  let { row, col } = from;
  switch (e.key) {
    case "ArrowUp":
      row = ctrl ? 0 : row - 1;
      break;
    case "ArrowDown":
      row = ctrl ? rows - 1 : row + 1;
      break;
    case "ArrowLeft":
      col = ctrl ? 0 : col - 1;
      break;
    case "ArrowRight":
      col = ctrl ? cols - 1 : col + 1;
      break;
    case "PageUp":
      row -= Math.max(1, pageRows);
      break;
    case "PageDown":
      row += Math.max(1, pageRows);
      break;
    case "Home":
      if (ctrl) row = 0;
      else col = 0;
      break;
    case "End":
      if (ctrl) row = rows - 1;
      else col = cols - 1;
      break;
    default:
      return null;
  }
  return { row: Math.min(rows - 1, Math.max(0, row)), col: Math.min(cols - 1, Math.max(0, col)) };
}
