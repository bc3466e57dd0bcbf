import { execFileSync } from "node:child_process";
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FileSinkConfig } from "../../src/deliver/config.js";
import { createFileSink } from "../../src/deliver/file.js";
import { sinkDestination } from "../../src/deliver/destination.js";
import { DeliveryError } from "../../src/deliver/index.js";
import { expectNoLeak, makeContext, makeSecret, rejectionOf } from "./helpers.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tk-file-sink-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sink(config: Omit<FileSinkConfig, "type">) {
  return createFileSink({ type: "file", ...config }, dir);
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", args, { cwd, stdio: "ignore" });
}

describe("file sink", () => {
  it("writes a new dotenv file with mode 0600 and names itself like sinkDestination", async () => {
    const { value, secret } = makeSecret();
    const config: FileSinkConfig = { type: "file", path: ".env" };
    const fileSink = createFileSink(config, dir);
    expect(fileSink.type).toBe("file");
    expect(fileSink.destination).toBe(sinkDestination(config, dir));
    const ctx = makeContext({ manifestDir: dir });
    await fileSink.deliver(secret, ctx);
    expect(await readFile(join(dir, ".env"), "utf8")).toBe(`TIMELY_API_KEY=${value}\n`);
    expect(await modeOf(join(dir, ".env"))).toBe(0o600);
    expect(ctx.logs.join("\n")).toContain(".env");
    expectNoLeak([value], ctx.logs);
  });

  it("replaces only its variable in an existing dotenv file and tightens its mode to 0600", async () => {
    const path = join(dir, "app.env");
    await writeFile(path, "# app settings\nDATABASE_URL=postgres://db\nBILLING_KEY=tml_old\nLOG_LEVEL=debug\n");
    await chmod(path, 0o644);
    const { value, secret } = makeSecret();
    await sink({ path: "app.env", variable: "BILLING_KEY" }).deliver(secret, makeContext());
    expect(await readFile(path, "utf8")).toBe(
      `# app settings\nDATABASE_URL=postgres://db\nBILLING_KEY=${value}\nLOG_LEVEL=debug\n`,
    );
    expect(await modeOf(path)).toBe(0o600);
  });

  it("replaces the file atomically (a new inode) and leaves no temp file behind", async () => {
    const path = join(dir, ".env");
    await writeFile(path, "OTHER=1\n");
    const before = (await stat(path)).ino;
    await sink({ path: ".env" }).deliver(makeSecret().secret, makeContext());
    expect((await stat(path)).ino).not.toBe(before);
    expect(await readdir(dir)).toEqual([".env"]);
  });

  it("sets a JSON property and keeps the others and the file's indentation", async () => {
    const path = join(dir, "config.json");
    await writeFile(path, '{\n    "endpoint": "https://api.timely.ai",\n    "apiKey": "tml_old"\n}\n');
    const { value, secret } = makeSecret();
    await sink({ path: "config.json", format: "json", variable: "apiKey" }).deliver(secret, makeContext());
    const text = await readFile(path, "utf8");
    expect(JSON.parse(text)).toEqual({ endpoint: "https://api.timely.ai", apiKey: value });
    expect(text).toContain('\n    "apiKey"');
    expect(await modeOf(path)).toBe(0o600);
  });

  it("creates a new JSON file with the default property", async () => {
    const { value, secret } = makeSecret();
    await sink({ path: "secrets.json", format: "json" }).deliver(secret, makeContext());
    expect(JSON.parse(await readFile(join(dir, "secrets.json"), "utf8"))).toEqual({ TIMELY_API_KEY: value });
  });

  it("refuses to overwrite a file that is not a JSON object, and leaves it untouched", async () => {
    const path = join(dir, "list.json");
    await writeFile(path, "[1, 2]\n");
    const { value, secret } = makeSecret();
    const error = await rejectionOf(sink({ path: "list.json", format: "json" }).deliver(secret, makeContext()));
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toContain("not a JSON object");
    expect((error as DeliveryError).retryable).toBe(false);
    expect(await readFile(path, "utf8")).toBe("[1, 2]\n");
    expectNoLeak([value], error);

    await writeFile(path, "{ broken");
    const broken = await rejectionOf(sink({ path: "list.json", format: "json" }).deliver(secret, makeContext()));
    expect((broken as DeliveryError).message).toContain("not valid JSON");
    expect(await readFile(path, "utf8")).toBe("{ broken");
  });

  it("writes a raw file as the secret and a newline, replacing what was there", async () => {
    const path = join(dir, "key.txt");
    await writeFile(path, "old content\nmore\n");
    const { value, secret } = makeSecret();
    await sink({ path: "key.txt", format: "raw" }).deliver(secret, makeContext());
    expect(await readFile(path, "utf8")).toBe(`${value}\n`);
    expect(await modeOf(path)).toBe(0o600);
  });

  it("creates missing parent folders with mode 0700", async () => {
    await sink({ path: "run/secrets/app/.env" }).deliver(makeSecret().secret, makeContext());
    expect(await modeOf(join(dir, "run"))).toBe(0o700);
    expect(await modeOf(join(dir, "run/secrets/app"))).toBe(0o700);
    expect(await modeOf(join(dir, "run/secrets/app/.env"))).toBe(0o600);
  });

  it("refuses a symbolic link and a folder", async () => {
    await writeFile(join(dir, "real.env"), "A=1\n");
    await symlink(join(dir, "real.env"), join(dir, "link.env"));
    const link = await rejectionOf(sink({ path: "link.env" }).deliver(makeSecret().secret, makeContext()));
    expect((link as Error).message).toContain("symbolic link");
    expect((await lstat(join(dir, "link.env"))).isSymbolicLink()).toBe(true);

    await mkdir(join(dir, "folder.env"));
    const folder = await rejectionOf(sink({ path: "folder.env" }).deliver(makeSecret().secret, makeContext()));
    expect((folder as Error).message).toContain("not a regular file");
  });

  it("rejects an invalid dotenv variable name", async () => {
    const error = await rejectionOf(
      sink({ path: ".env", variable: "BAD-NAME" }).deliver(makeSecret().secret, makeContext()),
    );
    expect((error as Error).message).toContain("BAD-NAME");
    expect(await readdir(dir)).toEqual([]);
  });

  it("names the sink, the key and the path in an error, never the secret", async () => {
    await writeFile(join(dir, "blocker"), "a file where a folder should be");
    const { value, secret } = makeSecret();
    const ctx = makeContext();
    const error = await rejectionOf(sink({ path: "blocker/.env" }).deliver(secret, ctx));
    expect(error).toBeInstanceOf(DeliveryError);
    const delivery = error as DeliveryError;
    expect(delivery.sinkType).toBe("file");
    expect(delivery.entryId).toBe(ctx.entryId);
    expect(delivery.keyId).toBe(ctx.keyId);
    expect(delivery.message).toContain(join(dir, "blocker/.env"));
    expect(delivery.message).toContain(ctx.keyId);
    expect(delivery.maybeDelivered).toBe(false);
    expectNoLeak([value], delivery, ctx.logs);
  });

  describe("git protection", () => {
    beforeEach(() => {
      git(dir, "init", "-q");
    });

    it("refuses a path tracked by git, without writing it", async () => {
      await writeFile(join(dir, ".env"), "A=1\n");
      git(dir, "add", ".env");
      const { value, secret } = makeSecret();
      const error = await rejectionOf(sink({ path: ".env" }).deliver(secret, makeContext()));
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).message).toContain("tracked by git");
      expect((error as DeliveryError).message).toContain(join(dir, ".env"));
      expect((error as DeliveryError).retryable).toBe(false);
      expect(await readFile(join(dir, ".env"), "utf8")).toBe("A=1\n");
      expectNoLeak([value], error);
    });

    it("refuses a tracked path even when .gitignore lists it", async () => {
      await mkdir(join(dir, "config"));
      await writeFile(join(dir, "config/app.env"), "A=1\n");
      git(dir, "add", "config/app.env");
      await writeFile(join(dir, ".gitignore"), "*.env\n");
      const error = await rejectionOf(sink({ path: "config/app.env" }).deliver(makeSecret().secret, makeContext()));
      expect((error as Error).message).toContain("tracked by git");
    });

    it("refuses an untracked path inside a work tree that git does not ignore", async () => {
      const error = await rejectionOf(sink({ path: "deploy/.env" }).deliver(makeSecret().secret, makeContext()));
      expect((error as Error).message).toContain("not ignored by git");
      expect(await readdir(dir)).toEqual([".git"]);
    });

    it("writes an ignored path, also in a folder that does not exist yet", async () => {
      await writeFile(join(dir, ".gitignore"), ".env\nsecrets/\n");
      const { value, secret } = makeSecret();
      await sink({ path: ".env" }).deliver(secret, makeContext());
      await sink({ path: "secrets/app/key.txt", format: "raw" }).deliver(secret, makeContext());
      expect(await readFile(join(dir, ".env"), "utf8")).toBe(`TIMELY_API_KEY=${value}\n`);
      expect(await readFile(join(dir, "secrets/app/key.txt"), "utf8")).toBe(`${value}\n`);
    });

    it("allows any path outside a git work tree", async () => {
      const outside = await mkdtemp(join(tmpdir(), "tk-no-git-"));
      try {
        await createFileSink({ type: "file", path: ".env" }, outside).deliver(makeSecret().secret, makeContext());
        expect(await readdir(outside)).toEqual([".env"]);
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });

    it("allows the write when git is not installed", async () => {
      const savedPath = process.env.PATH;
      process.env.PATH = join(dir, "no-such-bin");
      try {
        await sink({ path: ".env" }).deliver(makeSecret().secret, makeContext());
      } finally {
        process.env.PATH = savedPath;
      }
      expect(await readdir(dir)).toContain(".env");
    });
  });
});

describe("file sink: where it refuses to write", () => {
  it("refuses a folder that group or others may write to, writing nothing", async () => {
    const shared = join(dir, "shared");
    await mkdir(shared);
    await chmod(shared, 0o777);
    const { value, secret } = makeSecret();
    const error = await rejectionOf(sink({ path: "shared/.env" }).deliver(secret, makeContext({ manifestDir: dir })));
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toContain("group or others may write to it");
    expect(await readdir(shared)).toEqual([]);
    expectNoLeak([value], error);
  });

  it("refuses a target inside a .git folder", async () => {
    await mkdir(join(dir, ".git", "hooks"), { recursive: true });
    const error = await rejectionOf(
      sink({ path: ".git/hooks/post-checkout", format: "raw" }).deliver(
        makeSecret().secret,
        makeContext({ manifestDir: dir }),
      ),
    );
    expect((error as Error).message).toContain("inside a .git folder");
    expect(await readdir(join(dir, ".git", "hooks"))).toEqual([]);
  });

  it("sets 0600 on the handle even under a permissive umask", async () => {
    const previous = process.umask(0o000);
    try {
      await sink({ path: "out.env" }).deliver(makeSecret().secret, makeContext({ manifestDir: dir }));
    } finally {
      process.umask(previous);
    }
    expect(await modeOf(join(dir, "out.env"))).toBe(0o600);
  });
});
