// The test-manifest builder. It lives with the manifest's types in the provisioner package, whose
// own tests use it too without leaving their package.
export * from "../../packages/provisioner/test/support/manifest.js";
