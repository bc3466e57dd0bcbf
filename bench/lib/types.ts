// What every benchmark hands back: its printed lines and the notes RESULTS.md carries for it.

export type Verdict = "PASS" | "MISS" | "INFO" | "NOT MEASURED";

export interface BenchLine {
  /** What is measured, e.g. "plan e2e / raw fetch @ 1,000 keys". */
  label: string;
  /** The figure, with its unit and the raw numbers behind a ratio. */
  figure: string;
  /** The target as written in the issue, or "(reported)" when there is none. */
  target: string;
  verdict: Verdict;
}

export interface BenchOutcome {
  lines: BenchLine[];
  /** Markdown paragraphs: how it was measured, and for a missed target what dominates the time. */
  notes: string[];
}

export interface BenchContext {
  /** Absolute path of the repository root. */
  root: string;
  /** Prints a line as soon as it is known. */
  print(line: BenchLine): void;
  /** Progress on stderr (not part of the results). */
  progress(message: string): void;
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchOutcome>;
}

export function verdict(pass: boolean): Verdict {
  return pass ? "PASS" : "MISS";
}
