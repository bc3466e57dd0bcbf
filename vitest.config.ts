import { defineConfig } from "vitest/config";

// Workspace packages export their TypeScript sources under the "@timely-keys/source" condition (their
// "import" condition is the built dist/): tests run against the sources, with no build step after an edit.
// (Vite's server conditions follow, less "module": it would hand Node a bundler-only ESM build, e.g. the
// AWS SDK's dist-es with extensionless imports. Setting the list replaces the defaults.)
const conditions = ["@timely-keys/source", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/chaos/long-run.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file starts its own emulators on port 0; two workers fit the 2-core machine.
    pool: "forks",
    maxWorkers: 2,
  },
});
