// Types of actions-core-builtins.mjs, for test/build.test.ts.
import type { Plugin } from "esbuild";

/** The functions @actions/core's summary.js takes from fs.promises. */
export declare const SUMMARY_FS_PROMISES: readonly string[];
export declare const actionsCoreBuiltins: Plugin;
