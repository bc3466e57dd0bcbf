// How the manifest's JSON Schema is compiled: one place for the ajv options, used by the generator
// of the standalone validator (scripts/generate-validator.ts).
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { _ } from "ajv/dist/compile/codegen/index.js";

// ajv-formats is CommonJS: under NodeNext its default import is the module object, whose
// `default` is the plugin (at run time either may be the plugin, depending on the loader).
const addFormats = (addFormatsModule.default ?? addFormatsModule) as typeof addFormatsModule.default;

/** An ajv that emits standalone CommonJS code for the manifest schema. */
export function manifestAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    discriminator: true,
    allowUnionTypes: true,
    code: { source: true, esm: false, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  addFormats(ajv, ["uri", "uuid"]);
  // A message hint for editors (VS Code shows it); ajv only needs to accept it.
  ajv.addKeyword({ keyword: "errorMessage", schemaType: "string" });
  return ajv;
}
