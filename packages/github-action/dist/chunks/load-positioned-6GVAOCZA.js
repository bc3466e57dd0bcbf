// Built by packages/github-action/scripts/build.mjs from src/; do not edit.
let requireHere; const require = (id) => (requireHere ??= process.getBuiltinModule("node:module").createRequire(import.meta.url))(id);
import{g as a,h as b}from"./chunk-DYXZJIYT.js";import"./chunk-6IAEJCHT.js";import"./chunk-XT37FXLS.js";import"./chunk-KNBR2R4J.js";import"./chunk-3BQVZE3P.js";import"./chunk-UH7YPFS4.js";export{b as MAX_YAML_DEPTH,a as parseWithPositions};
