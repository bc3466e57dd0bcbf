// The parsers a manifest needs only off the fast path: js-yaml (the plain YAML that line-yaml.ts does
// not read) and `yaml` (positions, the secret scan over its nodes, and the messages of a file the fast
// parsers refuse). Together they are a third of what the CLI would load for every command, and a plain
// manifest with nothing to report uses neither, so the CLI loads each with import() when it needs it
// (load-core.ts, validate-core.ts, check/run.ts), and esbuild leaves them out of its start-up chunks.
// The library's modules (load.ts, and through it index.ts and validate.ts) import them statically and
// register them here, so synchronous callers such as parseManifest() always find them loaded.
import type { Diagnostic } from "./diagnostics.js";
import type { LoadedDocument, LoadOptions } from "./load-core.js";

/** What `yaml` brings. */
export interface PositionedParsers {
  parseWithPositions(text: string, file: string, options?: LoadOptions): LoadedDocument;
  /** The secret scan over the positioned document (validate/secret-scan-nodes.ts). */
  scanNodesForSecrets(loaded: LoadedDocument): Diagnostic[];
}

export interface YamlParsers extends PositionedParsers {
  /** The fast parse of what line-yaml.ts leaves to js-yaml (validate/js-yaml-subset.ts). */
  parseWithJsYaml(text: string): Record<string, unknown> | undefined;
}

let jsYaml: YamlParsers["parseWithJsYaml"] | undefined;
let positioned: PositionedParsers | undefined;

export function registerYamlParsers(parsers: YamlParsers): void {
  jsYaml = parsers.parseWithJsYaml;
  positioned = parsers;
}

/**
 * Thrown by a synchronous step that needs a parser before anything loaded it; the asynchronous entry
 * points catch it, load the parsers, and run the (pure) step again. A library user never sees it.
 */
export class YamlParsersNotLoaded extends Error {
  constructor() {
    super("internal: a YAML parser was needed before it was loaded (see yaml-parsers.ts)");
    this.name = "YamlParsersNotLoaded";
  }
}

export function parseWithJsYaml(text: string): Record<string, unknown> | undefined {
  if (jsYaml === undefined) throw new YamlParsersNotLoaded();
  return jsYaml(text);
}

export function positionedParsers(): PositionedParsers {
  if (positioned === undefined) throw new YamlParsersNotLoaded();
  return positioned;
}

/** Loads (once) js-yaml's fast parse. */
export async function loadJsYaml(): Promise<void> {
  jsYaml ??= (await import("./validate/js-yaml-subset.js")).parseWithJsYaml;
}

/** Loads (once) the parsers that need `yaml`. */
export async function loadPositionedParsers(): Promise<void> {
  if (positioned !== undefined) return;
  const [{ parseWithPositions }, { scanNodesForSecrets }] = await Promise.all([
    import("./load-positioned.js"),
    import("./validate/secret-scan-nodes.js"),
  ]);
  positioned = { parseWithPositions, scanNodesForSecrets };
}
