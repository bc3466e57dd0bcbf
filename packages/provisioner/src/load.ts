// Loading a manifest, as the library exports it (load-core.ts): the YAML parsers are imported here and
// registered, so parseManifest() and validate() work synchronously whatever the manifest holds.
import { parseWithPositions } from "./load-positioned.js";
import { parseWithJsYaml } from "./validate/js-yaml-subset.js";
import { scanNodesForSecrets } from "./validate/secret-scan-nodes.js";
import { registerYamlParsers } from "./yaml-parsers.js";

registerYamlParsers({ parseWithPositions, parseWithJsYaml, scanNodesForSecrets });

export * from "./load-core.js";
export { MAX_YAML_DEPTH, parseWithPositions } from "./load-positioned.js";
