// Preloaded with `--import` (NODE_OPTIONS): appends the URL of every module the process loads, one a
// line, to the file named by TIMELY_TEST_LOADED_MODULES, so a test can see what a command loaded.
import { register } from "node:module";

register("./record-loads-hooks.mjs", import.meta.url, { data: { log: process.env.TIMELY_TEST_LOADED_MODULES } });
