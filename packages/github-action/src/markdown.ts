// Small markdown pieces for the job summary: escaped table cells and tables that fold in
// <details> when long and never exceed a byte budget.

/** Tables longer than this are folded in <details>. */
export const FOLD_AFTER_ROWS = 15;

export function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Text safe inside a table cell: the same escaping as the provisioner's markdown plan. */
export { markdownCell as cell } from "@timely-keys/provisioner";

export interface TableOptions {
  /** What the rows are, for the fold and the truncation note ("keys", "actions"). */
  what: string;
  maxBytes: number;
  foldAfter?: number;
}

/**
 * A markdown table of already-escaped cells; folded when it has more than `foldAfter` rows, and cut
 * (with a note saying how many rows are not shown) to stay within `maxBytes`. "" when even the
 * header does not fit.
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions): string {
  const fold = rows.length > (options.foldAfter ?? FOLD_AFTER_ROWS);
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const head = [
    ...(fold ? [`<details><summary>${rows.length} ${options.what}</summary>`, ""] : []),
    line(headers),
    line(headers.map(() => "---")),
  ];
  const foot = fold ? ["", "</details>"] : [];
  const note = (left: number) =>
    line([`_${left} more ${options.what} not shown (summary size limit)_`, ...headers.slice(1).map(() => "")]);
  let budget = options.maxBytes - bytes([...head, ...foot].join("\n")) - bytes(note(rows.length)) - 2;
  if (budget < 0) return "";
  const kept: string[] = [];
  for (const row of rows) {
    const text = line(row);
    if (bytes(text) + 1 > budget) break;
    kept.push(text);
    budget -= bytes(text) + 1;
  }
  const body = kept.length < rows.length ? [...kept, note(rows.length - kept.length)] : kept;
  return [...head, ...body, ...foot].join("\n");
}
