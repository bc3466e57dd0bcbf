#!/usr/bin/env node
// The `timely-keys` command: runs the bundle that scripts/build.mjs makes from src/main.ts.
import "../dist/cli.js";
