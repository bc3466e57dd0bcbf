// Built by packages/github-action/scripts/build.mjs from src/; do not edit.
let requireHere; const require = (id) => (requireHere ??= process.getBuiltinModule("node:module").createRequire(import.meta.url))(id);
import{a,b,c,d,e,f,g}from"./chunk-AWY642AX.js";import"./chunk-7OWPZ6AZ.js";import"./chunk-N5XXZQPN.js";import"./chunk-UH7YPFS4.js";export{f as ENV_ACCOUNT_ID,e as ENV_CREDENTIAL_SCOPE,d as ENV_EXPIRATION,a as ENV_KEY,b as ENV_SECRET,c as ENV_SESSION,g as fromEnv};
