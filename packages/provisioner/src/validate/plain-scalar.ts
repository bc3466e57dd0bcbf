// Plain scalars as the YAML 1.2 core schema reads them, the way the `yaml` package resolves them (its
// schema/core/*.js): null, booleans, integers and floats, every other text a string. Shared by both
// parsers of the fast path (fast-yaml.ts, line-yaml.ts).

export const NULL_PLAIN = /^(?:~|[Nn]ull|NULL)?$/;
export const BOOL_PLAIN = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
export const INT_PLAIN = /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/;
// .inf/.nan in their three spellings, exponent forms, decimals.
export const FLOAT_PLAIN = new RegExp(
  String.raw`^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|` +
    String.raw`[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$`,
);

export function boolValue(text: string): boolean {
  return text[0] === "t" || text[0] === "T";
}

export function intValue(text: string): number {
  if (text.startsWith("0o")) return parseInt(text.slice(2), 8);
  if (text.startsWith("0x")) return parseInt(text.slice(2), 16);
  return parseInt(text, 10);
}

export function floatValue(text: string): number {
  if (/nan$/i.test(text)) return Number.NaN;
  if (/inf$/i.test(text)) return text[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return parseFloat(text);
}

/** The value of a plain scalar written `text` (null, a boolean, a number or the text itself). */
export function plainScalarValue(text: string): unknown {
  // Only texts that start like one can be a number, a null or a boolean.
  const first = text.charCodeAt(0);
  if ((first >= 0x30 && first <= 0x39) || first === 0x2b || first === 0x2d || first === 0x2e) {
    if (INT_PLAIN.test(text)) return intValue(text);
    if (FLOAT_PLAIN.test(text)) return floatValue(text);
    return text;
  }
  if (text.length > 5 || !NULL_OR_BOOL_START.test(text)) return text;
  if (NULL_PLAIN.test(text)) return null;
  if (BOOL_PLAIN.test(text)) return boolValue(text);
  return text;
}

const NULL_OR_BOOL_START = /^(?:$|[~nNtTfF])/;
