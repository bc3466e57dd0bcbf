// @timely-keys/provisioner/cli: the commands of the `timely-keys` CLI, which the `timely-keys` package
// (packages/cli) runs. A separate entry so the library's main entry (and the GitHub Action that
// bundles it) carries no command-line code.
export { runCli, type CliCommand, type CliIO } from "./cli/run.js";
export { HELP } from "./cli/help.js";
