// How the bundle binds @actions/core's imports of Node built-ins (an esbuild plugin for build.mjs).
//
// @actions/core is on every step's start path (it reads the inputs and writes `::add-mask::` and
// `::error::`), and its modules import built-ins that a step stopping at a bad input never uses:
// - node:crypto, for the random delimiter of a value written to GITHUB_OUTPUT or GITHUB_STATE,
//   is a large part of a step's start;
// - node:fs, imported as an ES module, makes Node build its ES module facade, which reads every
//   export, the lazy ones too: node:fs/promises, the fs streams and readline load with it;
// - summary.js takes access, appendFile and writeFile from fs.promises as it loads, though a step
//   writes its job summary at its end.
// So they are bound here to stand-ins that load those built-ins when first used, and the code of
// @actions/core is bundled unchanged (what it writes to the runner stays its own). The stand-ins
// export only what @actions/core uses: should it use anything else, the build fails (build.mjs
// makes esbuild's import-is-undefined an error; a missing named export is one already), and
// test/build.test.ts checks the functions summary.js takes from fs.promises.

/** The functions @actions/core's summary.js takes from fs.promises. */
export const SUMMARY_FS_PROMISES = ["access", "appendFile", "writeFile"];

const standIns = {
  crypto: 'export function randomUUID(options) { return process.getBuiltinModule("node:crypto").randomUUID(options); }',
  // node:fs itself is loaded with Node; what costs is its facade, and fs.promises.
  fs: [
    'const fs = process.getBuiltinModule("node:fs");',
    "export const { appendFileSync, constants, existsSync } = fs;",
    "export const promises = {",
    ...SUMMARY_FS_PROMISES.map((name) => `  ${name}: (...args) => fs.promises.${name}(...args),`),
    "};",
  ].join("\n"),
};

export const actionsCoreBuiltins = {
  name: "actions-core-builtins",
  setup(b) {
    b.onResolve({ filter: /^(node:)?(crypto|fs)$/ }, (args) =>
      /[\\/]@actions[\\/]core[\\/]/.test(args.importer) && args.kind === "import-statement"
        ? { path: args.path.replace(/^node:/, ""), namespace: "actions-core-builtins" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "actions-core-builtins" }, (args) => ({
      contents: standIns[args.path],
      loader: "js",
    }));
  },
};
