// Flag parsing for every command (node:util parseArgs, strict): an unknown flag, a missing value or
// a stray argument is one clear usage error.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.js";

/** A usage error of one command: the CLI prints where to read its usage on the next line. */
export function usageError(command: string, message: string): UsageError {
  return new UsageError(message, { hint: `Run 'timely-keys ${command} --help' for usage.` });
}

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** `missing`: what to say when fewer than `min` positionals are given (default "missing argument"). */
export function parseCommandArgs(
  command: string,
  argv: string[],
  options: Options,
  positionals: { min: number; max: number; missing?: string },
): Parsed {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError(command, cleanParseError((error as Error).message));
  }
  const { values, positionals: rest } = parsed;
  if (!values.help) {
    if (rest.length < positionals.min) {
      throw usageError(command, positionals.missing ?? `missing argument${positionals.min > 1 ? "s" : ""}`);
    }
    if (rest.length > positionals.max) throw usageError(command, `unexpected argument '${rest[positionals.max]}'`);
  }
  return { values: values as Parsed["values"], positionals: rest };
}

function cleanParseError(message: string): string {
  // parseArgs messages carry a hint about '--' that does not apply here.
  return message
    .replace(/\. To specify a positional argument starting with a '-'.*$/s, "")
    .replace(/^TypeError \[[A-Z_]+\]: /, "");
}

export function stringList(value: string | boolean | string[] | undefined): string[] {
  if (value === undefined || typeof value === "boolean") return [];
  const list = Array.isArray(value) ? value : [value];
  return list
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

type FlagValue = string | boolean | string[] | undefined;

/** A flag holding a whole number: `pattern` bounds its digits, `what` says the bounds in the error. */
function wholeNumber(command: string, flag: string, value: FlagValue, fallback: number, pattern: RegExp, what: string) {
  if (value === undefined) return fallback;
  const text = String(value);
  if (!pattern.test(text)) throw usageError(command, `--${flag} must be ${what}, got '${text}'`);
  return Number(text);
}

export function positiveInt(command: string, flag: string, value: FlagValue, fallback: number): number {
  return wholeNumber(command, flag, value, fallback, /^[1-9][0-9]{0,3}$/, "a whole number from 1 to 9999");
}

export function wholeDays(command: string, flag: string, value: FlagValue, fallback: number): number {
  return wholeNumber(command, flag, value, fallback, /^\d{1,5}$/, "a whole number of days (0 or more)");
}
