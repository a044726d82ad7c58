// Moving around a board of R rows and C columns with the keyboard (no DOM): the arrow keys move one
// cell and stop at the edges, Home and End go to the ends of the row, Ctrl+Home and Ctrl+End to the
// first and last cell of the board.

export interface Size { rows: number; cols: number }

/** The cell the focus starts on: the middle one (the centre of a 3x3 board, as before). */
export const middleCell = ({ rows, cols }: Size): number => Math.floor(rows / 2) * cols + Math.floor(cols / 2);

/** The cell a key moves the focus to from `at`, or null when the key does not move it (not a grid key). */
export function stepFocus(at: number, key: string, { rows, cols }: Size, ctrl = false): number | null {
  const row = Math.floor(at / cols);
  const col = at % cols;
  switch (key) {
    case 'ArrowLeft': return col > 0 ? at - 1 : at;
    case 'ArrowRight': return col < cols - 1 ? at + 1 : at;
    case 'ArrowUp': return row > 0 ? at - cols : at;
    case 'ArrowDown': return row < rows - 1 ? at + cols : at;
    case 'Home': return ctrl ? 0 : row * cols;
    case 'End': return ctrl ? rows * cols - 1 : row * cols + cols - 1;
    default: return null;
  }
}
