// validate and validateFile, as the library exports them (validate-core.ts), with the YAML parsers
// loaded (load.ts), so validate() works synchronously whatever the manifest holds.
import "./load.js";

export * from "./validate-core.js";
