// Random variants and the brute-force oracle shared by the variant tests (rules, Lua, computer).
import fc from 'fast-check';
import type { Mark } from '../../shared/rules.js';
import type { Variant } from '../../shared/variant.js';

const variantWithin = (maxSide: number, maxK: number): fc.Arbitrary<Variant> =>
  fc.record({ rows: fc.integer({ min: 3, max: maxSide }), cols: fc.integer({ min: 3, max: maxSide }), players: fc.integer({ min: 2, max: 4 }) })
    .chain(({ rows, cols, players }) => fc.integer({ min: 3, max: Math.min(maxK, Math.max(rows, cols)) }).map((k) => ({ rows, cols, k, players })));

/** Any variant of the contract, mostly small boards and short lines (where games end in wins). */
export const variantArb: fc.Arbitrary<Variant> = fc.oneof(
  { weight: 4, arbitrary: variantWithin(7, 4) },
  { weight: 1, arbitrary: variantWithin(19, 19) },
);

export interface OracleLine { mark: Mark; cells: number[] }

/** Every K in a row on the whole board: each start cell, each of the four directions. */
export function oracleLines(v: Variant, board: string): OracleLine[] {
  const found: OracleLine[] = [];
  for (let r = 0; r < v.rows; r++) {
    for (let c = 0; c < v.cols; c++) {
      for (const [dr, dc] of [[0, 1], [1, 0], [1, 1], [1, -1]]) {
        const cells: number[] = [];
        for (let i = 0; i < v.k; i++) {
          const [rr, cc] = [r + i * dr, c + i * dc];
          if (rr < 0 || rr >= v.rows || cc < 0 || cc >= v.cols) break;
          cells.push(rr * v.cols + cc);
        }
        const mark = board[r * v.cols + c];
        if (cells.length === v.k && mark !== '.' && cells.every((x) => board[x] === mark)) found.push({ mark: mark as Mark, cells });
      }
    }
  }
  return found;
}
