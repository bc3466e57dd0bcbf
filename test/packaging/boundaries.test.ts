// The lines between the packages: no file reaches into another package's folder by a relative path,
// the workspace's dependencies have no cycle (pnpm warns on install otherwise), and the GitHub Action's
// bundle carries the library, not the CLI.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support.js";

const packagesDir = join(repoRoot, "packages");
const packageDirs = readdirSync(packagesDir).filter((dir) => existsSync(join(packagesDir, dir, "package.json")));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(m?[jt]s|cts)$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.split(sep).some((part) => part === "node_modules" || part === "dist"));
}

/** Relative specifiers of imports, exports, import() and new URL(..., import.meta.url). */
function relativeSpecifiers(code: string): string[] {
  const patterns = [
    /\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s+["'](\.{1,2}\/[^"']+)["']/g,
    /new URL\(\s*["'](\.{1,2}\/[^"']+)["']\s*,\s*import\.meta\.url/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1]!));
}

describe("package boundaries", () => {
  it.each(packageDirs)("packages/%s reaches no other package's folder by a relative path", (dir) => {
    const own = join(packagesDir, dir);
    const crossings: string[] = [];
    for (const file of sourceFiles(own)) {
      for (const specifier of relativeSpecifiers(readFileSync(file, "utf8"))) {
        const target = resolve(dirname(file), specifier);
        const inPackages = relative(packagesDir, target);
        if (!inPackages.startsWith("..") && inPackages.split(sep)[0] !== dir)
          crossings.push(`${relative(repoRoot, file)}: ${specifier}`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it("the workspace's package dependencies have no cycle", () => {
    const manifests = packageDirs.map(
      (dir) =>
        JSON.parse(readFileSync(join(packagesDir, dir, "package.json"), "utf8")) as {
          name: string;
          dependencies?: Record<string, string>;
          devDependencies?: Record<string, string>;
        },
    );
    const names = new Set(manifests.map((m) => m.name));
    const edges = new Map(
      manifests.map((m) => [
        m.name,
        Object.keys({ ...m.dependencies, ...m.devDependencies }).filter((d) => names.has(d)),
      ]),
    );
    const cycles: string[] = [];
    const visit = (name: string, path: string[]): void => {
      if (path.includes(name)) {
        cycles.push([...path.slice(path.indexOf(name)), name].join(" -> "));
        return;
      }
      for (const next of edges.get(name) ?? []) visit(next, [...path, name]);
    };
    for (const name of names) visit(name, []);
    expect(cycles).toEqual([]);
  });

  it("the GitHub Action's committed bundle holds none of the CLI's command-line code", () => {
    const dist = join(packagesDir, "github-action", "dist");
    const bundle = readdirSync(dist, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"))
      .join("\n");
    expect(bundle.length).toBeGreaterThan(100_000);
    // Strings only the CLI's modules hold: the main help text, the dispatcher's error, the emulator command.
    for (const cliOnly of ["Usage: timely-keys <command>", "Run 'timely-keys --help' for the list", "runEmulatorCli"]) {
      expect(bundle, cliOnly).not.toContain(cliOnly);
    }
  });
});
