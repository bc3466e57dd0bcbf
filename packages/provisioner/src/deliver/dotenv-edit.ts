/** A dotenv variable name as shells and dotenv loaders accept it. */
export const DOTENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Characters that need no quoting in any dotenv dialect. */
const BARE_VALUE = /^[A-Za-z0-9_\-.~+/=:@%,]*$/;

/** `NAME=value`, quoting the value only when it needs it; undefined when it cannot be written. */
export function dotenvLine(name: string, value: string): string | undefined {
  if (BARE_VALUE.test(value)) return `${name}=${value}`;
  if (!/[\r\n']/.test(value)) return `${name}='${value}'`;
  return undefined;
}

interface Assignment {
  /** Index of the first line of the assignment. */
  start: number;
  /** Index after its last line (a quoted value may span lines). */
  end: number;
  exported: boolean;
}

const ASSIGNMENT = /^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/** Finds the assignments of `name`, stepping over multi-line quoted values of other variables. */
function findAssignments(lines: string[], name: string): Assignment[] {
  const found: Assignment[] = [];
  let index = 0;
  while (index < lines.length) {
    const match = ASSIGNMENT.exec(lines[index] ?? "");
    const start = index;
    index += 1;
    if (!match) continue;
    const value = match[3] ?? "";
    const quote = value[0];
    if ((quote === '"' || quote === "'") && !closesQuote(value.slice(1), quote)) {
      while (index < lines.length && !closesQuote(lines[index] ?? "", quote)) index += 1;
      index = Math.min(index + 1, lines.length);
    }
    if (match[2] === name) found.push({ start, end: index, exported: match[1] !== undefined });
  }
  return found;
}

function closesQuote(text: string, quote: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === "\\" && quote === '"') i += 1;
    else if (text[i] === quote) return true;
  }
  return false;
}

/**
 * Sets `line` (a whole `NAME=value`) as the one assignment of `name` in a dotenv text: the first
 * existing assignment is replaced (keeping an `export ` prefix), later ones are dropped so the file
 * is unambiguous, every other line stays as it was. Line endings follow the file's own.
 */
export function setDotenvVariable(content: string, name: string, line: string): string {
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  const lines = content === "" ? [] : content.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const assignments = findAssignments(lines, name);
  const [first, ...rest] = assignments;
  if (first === undefined) {
    lines.push(line);
  } else {
    for (const later of rest.reverse()) lines.splice(later.start, later.end - later.start);
    lines.splice(first.start, first.end - first.start, first.exported ? `export ${line}` : line);
  }
  return lines.join(eol) + eol;
}
