import type { Diagnostic } from "@timely-keys/provisioner";
import { describe, expect, it } from "vitest";
import { diagnosticAnnotation, locationOf, redactTokens } from "../src/annotations.js";

const WS = "/home/runner/work/app/app";

const diagnostic = (over: Partial<Diagnostic>): Diagnostic => ({
  severity: "error",
  rule: "write-without-expiry",
  message: "key crm has the write scope but no expiresInDays",
  file: `${WS}/infra/timely-keys.yaml`,
  line: 12,
  col: 9,
  path: "workspaces[0].keys[0]",
  ...over,
});

describe("diagnosticAnnotation", () => {
  it("puts the finding on the manifest's file (relative to the workspace) and line", () => {
    expect(diagnosticAnnotation(diagnostic({}), WS)).toEqual({
      level: "error",
      message: "key crm has the write scope but no expiresInDays [write-without-expiry]",
      properties: {
        title: "timely-keys write-without-expiry",
        file: "infra/timely-keys.yaml",
        startLine: 12,
        startColumn: 9,
      },
    });
  });

  it("keeps warnings as warnings and a finding without position on the file alone", () => {
    const a = diagnosticAnnotation(
      diagnostic({ severity: "warning", rule: "file-unreadable", line: 0, col: 0, message: "is a directory" }),
      WS,
    );
    expect(a.level).toBe("warning");
    expect(a.properties).toEqual({ title: "timely-keys file-unreadable", file: "infra/timely-keys.yaml" });
  });

  it("never carries a token, and keeps the message on one line", () => {
    const a = diagnosticAnnotation(
      diagnostic({
        rule: "secret-in-manifest",
        message: "a secret\n tkm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 is here",
      }),
      WS,
    );
    expect(a.message).toBe("a secret tkm_*** is here [secret-in-manifest]");
  });
});

describe("locationOf / redactTokens", () => {
  it("drops the column when only the line is known", () => {
    expect(locationOf({ file: `${WS}/k.yaml`, line: 3, col: 0 }, WS)).toEqual({ file: "k.yaml", startLine: 3 });
  });

  it("cuts API keys and management tokens to their prefix", () => {
    expect(redactTokens("x tml_0123456789abcdefghijABCDEFGHIJ0123 y tkm_0123456789abcdefghijABCDEFGHIJ0123")).toBe(
      "x tml_*** y tkm_***",
    );
    expect(redactTokens("tml_short stays")).toBe("tml_short stays");
  });
});
