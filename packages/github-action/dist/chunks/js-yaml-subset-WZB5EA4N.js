// Built by packages/github-action/scripts/build.mjs from src/; do not edit.
let requireHere; const require = (id) => (requireHere ??= process.getBuiltinModule("node:module").createRequire(import.meta.url))(id);
import{a}from"./chunk-HBBGZM73.js";import"./chunk-XT37FXLS.js";import"./chunk-UH7YPFS4.js";export{a as parseWithJsYaml};
