// ANSI colours, only when asked for: the CLI decides from NO_COLOR and whether stdout is a TTY.
import type { Tone } from "./symbols.js";

const CODES = {
  bold: "1",
  dim: "2",
  red: "31",
  green: "32",
  yellow: "33",
  magenta: "35",
  cyan: "36",
} as const;

export type Style = keyof typeof CODES;

export type Paint = (style: Style, text: string) => string;

export function painter(color: boolean): Paint {
  return (style, text) => (color && text.length > 0 ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
}

export const TONE_STYLE: Record<Tone, Style> = {
  create: "green",
  update: "yellow",
  replace: "magenta",
  rotate: "cyan",
  remove: "red",
  drift: "yellow",
  info: "dim",
};
