import { describe, expect, it } from "vitest";
import { parseCommandArgs, positiveInt, stringList } from "../../src/cli/args.js";
import { UsageError } from "../../src/errors.js";

describe("parseCommandArgs", () => {
  const flags = { file: { type: "string", short: "f" }, json: { type: "boolean" } } as const;

  it("parses known flags", () => {
    expect(parseCommandArgs("plan", ["-f", "x.yaml", "--json"], flags, { min: 0, max: 0 }).values).toMatchObject({
      file: "x.yaml",
      json: true,
    });
  });

  it.each([
    [["--nope"], /Unknown option '--nope'/],
    [["-f"], /argument missing/],
    [["extra"], /unexpected argument 'extra'/],
  ])("rejects %j with a usage error naming the command", (argv, message) => {
    const call = () => parseCommandArgs("plan", argv, flags, { min: 0, max: 0 });
    expect(call).toThrow(UsageError);
    expect(call).toThrow(message);
    // The message is the one line; where to read the usage is the hint the CLI prints after it.
    expect(call).toThrow(expect.objectContaining({ hint: "Run 'timely-keys plan --help' for usage." }));
    expect(call).not.toThrow(/--help/);
  });
});

describe("stringList and positiveInt", () => {
  it("splits repeated and comma-separated values", () => {
    expect(stringList(["a,b", " c ", ""])).toEqual(["a", "b", "c"]);
    expect(stringList(undefined)).toEqual([]);
  });

  it("accepts 1..9999 only", () => {
    expect(positiveInt("apply", "concurrency", "8", 4)).toBe(8);
    expect(positiveInt("apply", "concurrency", undefined, 4)).toBe(4);
    for (const bad of ["0", "-1", "1.5", "x", "10000"])
      expect(() => positiveInt("apply", "concurrency", bad, 4)).toThrow(/--concurrency/);
  });
});
