// Built by packages/github-action/scripts/build.mjs from src/; do not edit.
let requireHere; const require = (id) => (requireHere ??= process.getBuiltinModule("node:module").createRequire(import.meta.url))(id);
import{c as a}from"./chunk-WBCJNWOL.js";import"./chunk-KNBR2R4J.js";import"./chunk-3BQVZE3P.js";import"./chunk-UH7YPFS4.js";export{a as scanNodesForSecrets};
