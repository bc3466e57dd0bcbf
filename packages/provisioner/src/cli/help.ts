// --help text of every command.
export const HELP: Record<string, string> = {
  main: `Usage: timely-keys <command> [options]

Timely.ai API keys as code: declare keys in a YAML manifest, see what would change, make it so,
and rotate them with zero downtime.

Commands:
  validate    Check the manifest (schema, policy, secrets) without calling the API
  plan        Show what apply would change against the live workspaces
  apply       Make the live workspaces match the manifest (rotations included)
  rotate      Start a zero-downtime rotation of the given keys now
  rollback    Re-activate a key's previous secret during its quarantine
  init        Start from zero: a manifest from a live workspace, plus rotation workflows
  import      Write a manifest from the keys live in a workspace
  usage       Show status, age, last use, requests and success rate of managed keys
  check       Report overdue, expiring, stuck, unused and anomalous keys (exit 1 on --fail-on)
  report      Write a self-contained HTML report of every key
  emulator    Run the local Timely.ai API emulator
  workspaces  List the manifest's workspaces (--json: GitHub Actions matrices, one job per workspace)

Global options:
  -h, --help     Help for a command ('timely-keys help CMD' is the same as 'timely-keys CMD --help')
  -V, --version  Print the version

Environment:
  TIMELY_API_URL      Overrides the API base URL of every workspace
  TIMELY_KEYS_ALLOWED_API_URLS  Comma-separated manifest apiUrl values this run may use
  TIMELY_API_TIMEOUT  Seconds one HTTP attempt may take (default 30; 3 retries)
  TIMELY_KEYS_HTTP_CLIENT  http (node:http; the default) or fetch (Node's fetch; the default when a
                   *_PROXY variable or NODE_USE_ENV_PROXY is set)
  TIMELY_MANIFEST_MAX_MIB  Size cap of the manifest in MiB (default 8)
  NO_COLOR         Disables colour

Exit codes: 0 success (with --detailed-exitcode: no changes), 1 error, 2 changes pending.`,
  validate: `Usage: timely-keys validate [-f FILE] [--require-env]

Checks the manifest: YAML syntax, JSON Schema, policy lint, secrets in the file. Calls no API.

Options:
  -f, --file FILE   The manifest (default timely-keys.yaml)
  --require-env     Also check that every token env var the manifest names is set`,
  plan:
    `Usage: timely-keys plan [-f FILE] [--out PLAN.json] [--json | --markdown] [--detailed-exitcode] ` +
    `[--workspace W]... [--target ID]...

Reads the live workspaces and shows what apply would do. Changes nothing.

Options:
  -f, --file FILE         The manifest (default timely-keys.yaml)
  --out PLAN.json         Save the plan; 'timely-keys apply PLAN.json' applies exactly it
  --json                  Print the plan as JSON (docs/plan-format.md) instead of text
  --markdown              Print the plan as a markdown table (for job summaries)
  --detailed-exitcode     Exit 0 when there are no changes, 2 when there are, 1 on error
  --workspace W           Only this workspace (repeatable or comma-separated)
  --target ID             Only this key id (repeatable or comma-separated)`,
  apply:
    `Usage: timely-keys apply [-f FILE | PLAN.json] [--auto-approve] [--workspace W]... [--target ID]... ` +
    `[--concurrency N] [--quiet]

Plans, shows the plan, asks for confirmation, then makes the changes. With PLAN.json, applies that
saved plan exactly, and refuses it when the live state moved since it was made.

Options:
  -f, --file FILE     The manifest (default timely-keys.yaml)
  --auto-approve      Do not ask (required when not run in a terminal)
  --workspace W       Only this workspace (repeatable or comma-separated)
  --target ID         Only this key id (repeatable or comma-separated)
  --concurrency N     Keys worked on at once per workspace (default 4)
  -q, --quiet         Print only the changes made and the errors`,
  rotate:
    `Usage: timely-keys rotate ID... | --exposed-to WHO [--compromised [--revoke-first]] [-f FILE] ` +
    `[--auto-approve] [--quiet]

Starts a zero-downtime rotation of these keys now: a successor is created, delivered to every sink
and verified; the previous key drains and retires on later runs.

Arguments:
  ID                  A key's id in the manifest (keys[].id); several, or comma-separated

Options:
  -f, --file FILE     The manifest (default timely-keys.yaml)
  --exposed-to WHO    Rotate every key whose access lists WHO (an e-mail, or team:NAME) or a team of
                      theirs, across all workspaces (repeatable); they are listed first
  --compromised       An emergency: the old key is deactivated and revoked in this run, as soon as the
                      new key is delivered and verified (no drain); if that fails, it stays active
  --revoke-first      With --compromised: deactivate the old key before anything else (downtime
                      until the new key reaches its consumers)
  --auto-approve      Do not ask (required when not run in a terminal)
  --workspace W       Only this workspace (repeatable or comma-separated)
  --concurrency N     Keys worked on at once per workspace (default 4)
  -q, --quiet         Print only the changes made and the errors`,
  rollback: `Usage: timely-keys rollback ID [-f FILE] [--auto-approve] [--quiet]

Re-activates the previous key of ID during its quarantine and holds it (not revoked) until the
next rotation.

Arguments:
  ID                  The key's id in the manifest (keys[].id)

Options:
  -f, --file FILE     The manifest (default timely-keys.yaml)
  --auto-approve      Do not ask (required when not run in a terminal)
  --workspace W       Only this workspace (repeatable or comma-separated)
  -q, --quiet         Print only the changes made and the errors`,
  import: `Usage: timely-keys import --workspace W [-f FILE | --token-env VAR] [--api-url URL] [--out FILE]

Writes a manifest from the keys live in workspace W (ids derived from names). The next apply adds
the markers, and the plan after it is empty.

Options:
  --workspace W      The workspace to import
  -f, --file FILE    A manifest that already names W (its tokenEnv and apiUrl are used)
  --token-env VAR    Env var holding W's management token (when W is not in a manifest)
  --api-url URL      API base URL (default https://api.timelyai.com.br; TIMELY_API_URL overrides)
  --out FILE         Write the manifest here (refuses to overwrite) instead of stdout`,
  usage: `Usage: timely-keys usage [ID...] [-f FILE] [--workspace W]... [--json]

A table of every managed key: status, age, last used, requests, success rate. The requests
timely-keys makes itself to verify a new key are counted apart (SELF), not as the integration's
use: a key only timely-keys has called shows LAST USED never and REQUESTS 0.

Arguments:
  ID                  Only these keys (keys[].id in the manifest); several, or comma-separated

Options:
  -f, --file FILE     The manifest (default timely-keys.yaml)
  --workspace W       Only this workspace (repeatable or comma-separated)
  --json              Print the rows as JSON`,
  check:
    `Usage: timely-keys check [-f FILE] [--json | --markdown] [--workspace W]... [--target ID]... [--fail-on ` +
    `LEVEL] [--max-overdue-days N]

Reads the live keys and their usage and reports, each with its evidence and its fix: rotations
overdue, keys expiring or expired, rotations stuck, previous keys still used after their drain
window, unused keys, 403s, low success rates, request spikes, endpoints never used before, entries
that cannot rotate, unmanaged keys. Sends check.finding notifications (notify: in the manifest).
Changes nothing.

Options:
  -f, --file FILE          The manifest (default timely-keys.yaml)
  --json                   Print the findings as JSON (format_version 1)
  --markdown               Print the findings as a markdown table
  --workspace W            Only this workspace (repeatable or comma-separated)
  --target ID              Only this key id (repeatable or comma-separated)
  --fail-on LEVEL          Exit 1 when a finding is at least LEVEL: error (default), warning, info, never
  --max-overdue-days N     Days past maxAgeDays before a rotation is overdue (default 7)`,
  report: `Usage: timely-keys report --html FILE [-f FILE] [--workspace W]...

Writes one self-contained HTML page (no network needed, opens from file://): per workspace, every
key with its age against the policy, its rotation timeline, an expiry calendar for the next 90
days, a usage sparkline and the check findings. Changes nothing.

Options:
  --html FILE         Write the report here (required)
  -f, --file FILE     The manifest (default timely-keys.yaml)
  --workspace W       Only this workspace (repeatable or comma-separated)`,
  init: `Usage: timely-keys init --workspace W [--token-env VAR] [--api-url URL]

From zero to scheduled rotation: writes timely-keys.yaml from the keys live in workspace W (as
import does, with the workspace id pinned and a commented sink example per key), and the GitHub
workflows .github/workflows/rotate.yml and plan-on-pr.yml. Refuses to overwrite any of them.

Options:
  --workspace W      The workspace to start from
  --token-env VAR    Env var holding W's management token (default TIMELY_MANAGEMENT_TOKEN)
  --api-url URL      API base URL (default https://api.timelyai.com.br; TIMELY_API_URL overrides)`,
  emulator: `Usage: timely-keys emulator [--port N] [--host H] [--state FILE] [--seed FILE] [--rate-limit N]

Runs the local Timely.ai API emulator (the same as timely-keys-emulator).

Options:
  --port N           TCP port (default 8787; 0 picks a free one)
  --host H           Interface to listen on (default 127.0.0.1)
  --seed FILE        YAML seed: workspaces, members and their management tokens, keys
  --state FILE       JSON state file, loaded if present and rewritten after every change
  --rate-limit N     Requests per 60 s per credential (default 100)`,
  workspaces: `Usage: timely-keys workspaces [-f FILE] [--json] [--shards N]

Lists the manifest's workspaces and the env var each reads its management token from. Calls no API.

Options:
  -f, --file FILE   The manifest (default timely-keys.yaml)
  --json            Print a GitHub Actions matrix: {"include":[{"workspace":...,"tokenEnv":...}]}
  --shards N        Split into N matrices (a JSON list), for more than 256 workspaces (GitHub's limit
                    of jobs per matrix); examples/workflows/matrix.yml shows the workflow`,
};
