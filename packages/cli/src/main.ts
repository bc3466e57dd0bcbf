// Entry of the `timely-keys` bundle. `--version` answers before anything heavy is loaded, so the
// command starts about as fast as Node itself.
import packageJson from "../package.json" with { type: "json" };

// A reader that stops early (`timely-keys plan | head`) closes the pipe: the rest of the output has
// nowhere to go, which is no failure of the command, so it runs to its end (an apply is never cut
// short by its reader) and exits with its own code, without a stack trace about the pipe.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V" || argv[0] === "version")) {
  process.stdout.write(`timely-keys ${packageJson.version}\n`);
} else {
  const [{ runCli }, { emulatorCommand }] = await Promise.all([
    import("@timely-keys/provisioner/cli"),
    import("./emulator-command.js"),
  ]);
  process.exitCode = await runCli(
    argv,
    { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
    { emulator: emulatorCommand },
  );
}
