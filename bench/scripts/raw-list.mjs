// The baseline of `plan` at scale: a bare loop that lists every key of a workspace with the
// platform's fetch, 100 per page, as a separate node process (start-up included, as for the CLI).
// Usage: TIMELY_API_URL=... TIMELY_BENCH_TOKEN=... node raw-list.mjs
const base = process.env.TIMELY_API_URL;
const token = process.env.TIMELY_BENCH_TOKEN;
if (!base || !token) {
  process.stderr.write("raw-list: TIMELY_API_URL and TIMELY_BENCH_TOKEN are required\n");
  process.exit(1);
}
const keys = [];
for (let page = 1; ; page++) {
  const response = await fetch(`${base}/v1/api-keys?page=${page}&per_page=100`, { headers: { "x-api-key": token } });
  if (!response.ok) {
    process.stderr.write(`raw-list: page ${page} answered ${response.status}\n`);
    process.exit(1);
  }
  const body = await response.json();
  keys.push(...body.data);
  if (page >= body.meta.total_pages || body.data.length === 0) break;
}
process.stdout.write(`${keys.length}\n`);
