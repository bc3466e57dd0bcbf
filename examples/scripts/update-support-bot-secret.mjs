#!/usr/bin/env node
// An `exec` sink target: receives the new key on stdin and stores it where the support bot reads
// its configuration (here a 0600 file next to the manifest; in real life, e.g. `kubectl create
// secret` or your deploy tool). It never prints the key.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";

let secret = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) secret += chunk;
if (!/^tml_[A-Za-z0-9]{32,}$/.test(secret.trim())) {
  console.error("update-support-bot-secret: stdin is not a Timely.ai API key");
  process.exit(1);
}
mkdirSync("secrets", { recursive: true, mode: 0o700 });
writeFileSync("secrets/support-bot.env.tmp", `SUPPORT_BOT_TIMELY_KEY=${secret.trim()}\n`, { mode: 0o600 });
renameSync("secrets/support-bot.env.tmp", "secrets/support-bot.env");
console.log("support bot configuration updated");
