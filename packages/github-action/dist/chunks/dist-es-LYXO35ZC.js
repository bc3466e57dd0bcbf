// Built by packages/github-action/scripts/build.mjs from src/; do not edit.
import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-AIREH6UV.js";import"./chunk-CJKXRX5A.js";import"./chunk-IJHVZFZR.js";import"./chunk-PZAVJKRR.js";export{f as ENV_ACCOUNT_ID,e as ENV_CREDENTIAL_SCOPE,d as ENV_EXPIRATION,a as ENV_KEY,b as ENV_SECRET,c as ENV_SESSION,g as fromEnv};
