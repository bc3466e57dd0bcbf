import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { isScalar } from "yaml";
import { describe, expect, it } from "vitest";
import { ManifestLoadError, type Diagnostic } from "../src/diagnostics.js";
import { MAX_MANIFEST_BYTES, load, parseManifest } from "../src/load.js";

const scratch = mkdtempSync(join(tmpdir(), "timely-keys-load-"));
const fixtures = join(import.meta.dirname, "fixtures/manifests");

function write(name: string, content: string | Buffer): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

async function loadError(file: string, options = {}): Promise<Diagnostic[]> {
  try {
    await load(file, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestLoadError);
    return (error as ManifestLoadError).diagnostics;
  }
  throw new Error(`expected ${file} to fail to load`);
}

function parseError(text: string): Diagnostic[] {
  try {
    parseManifest(text, "m.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestLoadError);
    return (error as ManifestLoadError).diagnostics;
  }
  throw new Error("expected the text to fail to parse");
}

const manifest = `version: 1
workspaces:
  - name: acme-prod
    tokenEnv: TIMELY_ACME_PROD_TOKEN
    keys:
      - id: crm
        name: CRM
        scopes: [read, conversations]
`;

describe("load", () => {
  it("returns the absolute path, the text, the document and the plain value", async () => {
    const file = write("ok.yaml", manifest);
    const loaded = await load(file);
    expect(loaded.file).toBe(resolve(file));
    expect(loaded.displayPath).toBe(file);
    expect(loaded.text).toBe(manifest);
    expect(loaded.value).toEqual({
      version: 1,
      workspaces: [
        {
          name: "acme-prod",
          tokenEnv: "TIMELY_ACME_PROD_TOKEN",
          keys: [{ id: "crm", name: "CRM", scopes: ["read", "conversations"] }],
        },
      ],
    });
    expect(loaded.doc.errors).toEqual([]);
  });

  it("resolves a relative path against the working directory but reports it as given", async () => {
    const given = relative(process.cwd(), join(fixtures, "good/minimal.yaml"));
    const loaded = await load(given);
    expect(loaded.file).toBe(join(fixtures, "good/minimal.yaml"));
    expect(loaded.displayPath).toBe(given);
    expect(loaded.positionOf([]).file).toBe(given);
  });

  it("knows where every value and key is (1-based line:col)", () => {
    const loaded = parseManifest(manifest, "m.yaml");
    expect(loaded.positionOf([])).toEqual({ file: "m.yaml", line: 1, col: 1 });
    expect(loaded.positionOf(["workspaces", 0])).toEqual({ file: "m.yaml", line: 3, col: 5 });
    expect(loaded.positionOf(["workspaces", 0, "tokenEnv"])).toEqual({ file: "m.yaml", line: 4, col: 15 });
    expect(loaded.positionOf(["workspaces", 0, "keys", 0, "scopes", 1])).toEqual({ file: "m.yaml", line: 8, col: 24 });
    expect(loaded.positionOfKey(["workspaces", 0, "keys", 0, "scopes"])).toEqual({ file: "m.yaml", line: 8, col: 9 });
    expect(loaded.positionAtOffset(manifest.indexOf("crm"))).toEqual({ file: "m.yaml", line: 6, col: 13 });
  });

  it("falls back to the nearest existing ancestor for a path that does not exist", () => {
    const loaded = parseManifest(manifest, "m.yaml");
    expect(loaded.positionOf(["workspaces", 0, "keys", 0, "expiresInDays"])).toEqual(
      loaded.positionOf(["workspaces", 0, "keys", 0]),
    );
    expect(loaded.positionOfKey(["workspaces", 0, "apiUrl"])).toEqual(loaded.positionOf(["workspaces", 0]));
    expect(loaded.positionOf(["workspaces", 7])).toEqual(loaded.positionOf(["workspaces"]));
  });

  it("follows aliases when locating nodes", () => {
    const loaded = parseManifest("a: &shared { maxAgeDays: 30 }\nb: *shared\n", "m.yaml");
    expect(loaded.value).toEqual({ a: { maxAgeDays: 30 }, b: { maxAgeDays: 30 } });
    expect(loaded.positionOf(["b", "maxAgeDays"])).toEqual({ file: "m.yaml", line: 1, col: 26 });
    const node = loaded.nodeAt(["b", "maxAgeDays"]);
    expect(isScalar(node) && node.value).toBe(30);
  });

  it("drops a UTF-8 byte order mark", async () => {
    const loaded = await load(
      write("bom.yaml", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(manifest)])),
    );
    expect(loaded.value.version).toBe(1);
    expect(loaded.positionOfKey(["version"])).toMatchObject({ line: 1, col: 1 });
  });

  describe("refuses", () => {
    it("a missing file", async () => {
      const [d] = await loadError(join(scratch, "nope.yaml"));
      expect(d).toMatchObject({ rule: "file-unreadable", message: "no such file", line: 0, col: 0 });
    });

    it("a directory", async () => {
      const [d] = await loadError(scratch);
      expect(d).toMatchObject({ rule: "file-unreadable", message: "is a directory, not a manifest file" });
    });

    it("something that is not a regular file", async () => {
      const [d] = await loadError("/dev/null");
      expect(d).toMatchObject({ rule: "file-unreadable", message: "is not a regular file" });
    });

    it("a file whose read fails", async () => {
      // A regular file that no one can read, even as root.
      const [d] = await loadError("/proc/self/mem");
      expect(d).toMatchObject({ rule: "file-unreadable", message: "cannot be read (EIO)" });
    });

    it("a file over the size cap (8 MiB), without reading it", async () => {
      const file = write("big.yaml", `version: 1\n# ${"x".repeat(MAX_MANIFEST_BYTES)}\n`);
      const [d] = await loadError(file);
      expect(d).toMatchObject({
        rule: "file-too-large",
        message: "is 8.0 MiB; a manifest may be at most 8 MiB (TIMELY_MANIFEST_MAX_MIB sets the limit)",
      });
      const [small] = await loadError(write("small-limit.yaml", manifest), { maxBytes: 100 });
      expect(small?.rule).toBe("file-too-large");
    });

    it("bytes that are not UTF-8, naming the line and column", async () => {
      const file = write(
        "latin1.yaml",
        Buffer.concat([Buffer.from("version: 1\nworkspaces:\n  - name: caf"), Buffer.from([0xe9]), Buffer.from("\n")]),
      );
      const [d] = await loadError(file);
      expect(d).toMatchObject({ rule: "file-encoding", line: 3, col: 14 });
    });

    it("a YAML syntax error with its position and without echoing the source line", () => {
      const diagnostics = parseError("version: 1\nworkspaces: [\n  {name: 'acme'\n");
      expect(diagnostics[0]).toMatchObject({ rule: "yaml-syntax", file: "m.yaml" });
      expect(diagnostics[0]!.line).toBeGreaterThan(0);
      for (const d of diagnostics) expect(d.message).not.toMatch(/\n|\^/);
    });

    it("duplicate keys", () => {
      const [d] = parseError("version: 1\nversion: 2\n");
      expect(d).toMatchObject({
        rule: "duplicate-key",
        line: 2,
        col: 1,
        message: 'duplicate key "version" in this mapping',
      });
    });

    it("more than one document", () => {
      const [d] = parseError("version: 1\n---\nversion: 1\n");
      expect(d).toMatchObject({ rule: "multi-document", line: 2, col: 1 });
    });

    it.each([
      ["", "the manifest is empty"],
      ["# just a comment\n", "the manifest is empty"],
      ["---\n", "the manifest is empty"],
      ["~\n", "the manifest is empty"],
      ["- a\n- b\n", "not a list"],
      ["42\n", "not a single value"],
    ])("a document that is not a mapping: %j", (text, message) => {
      const [d] = parseError(text);
      expect(d?.rule).toBe("root-not-mapping");
      expect(d?.message).toContain(message);
    });

    it("custom tags", () => {
      const [d] = parseError("version: !!binary aGVsbG8=\nname: !env HOME\n");
      expect(d).toMatchObject({ rule: "yaml-syntax", line: 2, col: 7 });
    });

    it("an alias bomb (billion laughs) at the first alias, without expanding it", async () => {
      const [d] = await loadError(join(fixtures, "bad/yaml-billion-laughs.yaml"));
      expect(d).toMatchObject({ rule: "yaml-aliases", line: 3, col: 8 });
      // A far bigger bomb is refused the same way: expansion stops at the limit.
      let text = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n';
      for (let i = 1; i < 30; i++)
        text += `a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(", ")}]\n`;
      expect(parseError(text)[0]?.rule).toBe("yaml-aliases");
    });

    it("a secret in a file with broken syntax: both are reported, the secret is not echoed", () => {
      const token = ["tkm", "Zq9".repeat(12)].join("_");
      const diagnostics = parseError(`version: [1\n# token ${token}\n`);
      expect(diagnostics.map((d) => d.rule)).toContain("secret-in-manifest");
      const error = new ManifestLoadError(diagnostics);
      expect(error.message).not.toContain(token);
      expect(JSON.stringify(diagnostics)).not.toContain(token);
    });
  });
});
