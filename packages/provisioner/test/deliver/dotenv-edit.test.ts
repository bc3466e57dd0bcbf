import { describe, expect, it } from "vitest";
import { dotenvLine, setDotenvVariable } from "../../src/deliver/dotenv-edit.js";

describe("setDotenvVariable", () => {
  it("appends to an empty text", () => {
    expect(setDotenvVariable("", "KEY", "KEY=v")).toBe("KEY=v\n");
  });

  it("replaces the variable's line and keeps every other line, comments and blanks included", () => {
    const before = "# comment\nA=1\n\nKEY=old\nB='two words'\n";
    expect(setDotenvVariable(before, "KEY", "KEY=new")).toBe("# comment\nA=1\n\nKEY=new\nB='two words'\n");
  });

  it("keeps an export prefix and tolerates spaces around =", () => {
    expect(setDotenvVariable("export KEY = old\n", "KEY", "KEY=new")).toBe("export KEY=new\n");
  });

  it("drops later duplicate assignments so the file is unambiguous", () => {
    expect(setDotenvVariable("KEY=a\nX=1\nKEY=b\n", "KEY", "KEY=new")).toBe("KEY=new\nX=1\n");
  });

  it("does not touch a similarly named variable", () => {
    expect(setDotenvVariable("KEY_OLD=a\nMYKEY=b\n", "KEY", "KEY=new")).toBe("KEY_OLD=a\nMYKEY=b\nKEY=new\n");
  });

  it("steps over a multi-line quoted value of another variable", () => {
    const before = 'CERT="-----BEGIN\nKEY=not-a-variable\n-----END"\nKEY=old\n';
    expect(setDotenvVariable(before, "KEY", "KEY=new")).toBe(
      'CERT="-----BEGIN\nKEY=not-a-variable\n-----END"\nKEY=new\n',
    );
  });

  it("keeps CRLF line endings and adds a final newline when missing", () => {
    expect(setDotenvVariable("A=1\r\nKEY=old\r\nB=2", "KEY", "KEY=new")).toBe("A=1\r\nKEY=new\r\nB=2\r\n");
  });
});

describe("dotenvLine", () => {
  it("writes a plain value bare", () => {
    expect(dotenvLine("KEY", "tml_abc123")).toBe("KEY=tml_abc123");
  });

  it("single-quotes a value with spaces or a hash", () => {
    expect(dotenvLine("KEY", "a b#c")).toBe("KEY='a b#c'");
  });

  it("refuses a value with a newline", () => {
    expect(dotenvLine("KEY", "a\nb")).toBeUndefined();
  });
});
