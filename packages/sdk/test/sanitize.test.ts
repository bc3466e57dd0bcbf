import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  InvalidResponseError,
  RedirectError,
  TimelyClient,
  TimelyError,
  ValidationError,
  findSecretShape,
  guardTerminalOutput,
  isSecureOrigin,
  readCappedBody,
  redact,
  registerSecret,
  sanitize,
  sanitizeLines,
} from "../src/index.js";
import { API_KEY, SECRET } from "./helpers.js";

describe("guardTerminalOutput (the CLI's last guard on stdout and stderr)", () => {
  it("keeps the program's own colours as real escape sequences, around escaped text", () => {
    const painted = "\x1b[1mPlan:\x1b[0m \x1b[32m+ create\x1b[39m\tok\n\x1b[2mdim\x1b[22m\n";
    expect(guardTerminalOutput(painted)).toBe(painted);
    expect(guardTerminalOutput("\x1b[31mred\x1b[0m")).not.toContain("\\x1b");
  });

  it("removes every other sequence and shows lone controls and bidi characters escaped", () => {
    const hostile = "a\x1b[2Jb\x1b]0;title\x07c\x1b[8mhidden\x1b[0m\rd\x07e\u202ef\x1b";
    expect(guardTerminalOutput(hostile)).toBe("abchidden\x1b[0m\\rd\\x07e\\u202ef");
  });

  it("masks secrets, also between colours", () => {
    expect(guardTerminalOutput(`\x1b[1m${SECRET}\x1b[0m`)).not.toContain(SECRET);
  });
});

describe("sanitize", () => {
  const hostile = [
    "x\n::stop-commands::zz",
    "x%0A::stop-commands::zz",
    "x\r::add-mask::zz",
    "title\x1b]0;pwned\x07end",
    "clear\x1b[2Jscreen",
    "evil\u202Etxt.exe",
    "::warning::from a name",
    "  ::error::indented",
    "##[set-output name=x]y",
  ];

  it.each(hostile)("makes %j one inert line", (text) => {
    const out = sanitize(text);
    expect(out).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    expect(out).not.toMatch(/^\s*(::|##\[)/);
    // Whatever line the text lands on, no line of the output starts a workflow command.
    for (const line of `prefix ${out}\n${out}`.split("\n")) expect(line).not.toMatch(/^\s*::[a-z-]+::/);
  });

  it("shows control characters escaped and removes escape sequences", () => {
    expect(sanitize("a\nb\rc\td")).toBe("a\\nb\\rc\\td");
    expect(sanitize("t\x1b]0;pwned\x07end")).toBe("tend");
    expect(sanitize("c\x1b[2Js\x1b[31mred\x1b[0m")).toBe("csred");
    expect(sanitize("evil\u202Etxt")).toBe("evil\\u202etxt");
    expect(sanitize("::stop-commands::x")).toBe("\\x3a:stop-commands::x");
    expect(sanitize("plain name-1")).toBe("plain name-1");
  });

  it("redacts secret shapes inside words and registered secrets", () => {
    expect(sanitize(`KEY_${SECRET}`)).toBe("KEY_tml_***");
    const custom = "a-registered-credential-9f8e7d";
    registerSecret(custom);
    expect(redact(`value=${custom};`)).toBe("value=***;");
    expect(sanitizeLines(`one ${custom}\n::add-mask::two`)).toBe("one ***\n\\x3a:add-mask::two");
  });

  it("finds every Timely shape even glued to a word", () => {
    expect(findSecretShape(`KEY_${SECRET}`)?.kind).toBe("Timely API key");
    expect(findSecretShape(`x${API_KEY}`)?.kind).toBe("Timely management token");
  });
});

describe("SDK errors never carry secret-shaped input", () => {
  it("redacts message, field and code as the error is made", () => {
    const error = new ValidationError({ message: `bad ${SECRET}`, field: `name_${API_KEY}`, code: SECRET });
    const printed = JSON.stringify(error) + String(error);
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(API_KEY);
  });

  it("does not echo a secret given as baseUrl", () => {
    let caught: unknown;
    try {
      new TimelyClient({ apiKey: API_KEY, baseUrl: SECRET });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TimelyError);
    expect(JSON.stringify(caught) + String(caught)).not.toContain(SECRET);
  });
});

describe("origins", () => {
  it("allows https and loopback http only", () => {
    expect(isSecureOrigin("https://api.example.com")).toBe(true);
    expect(isSecureOrigin("http://127.0.0.1:8080")).toBe(true);
    expect(isSecureOrigin("http://[::1]:80")).toBe(true);
    expect(isSecureOrigin("http://localhost:1")).toBe(true);
    expect(isSecureOrigin("http://api.example.com")).toBe(false);
    expect(isSecureOrigin("http://127.0.0.1.evil.com")).toBe(false);
    expect(() => new TimelyClient({ apiKey: API_KEY, baseUrl: "http://api.example.com" })).toThrow(/https/);
  });
});

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

describe("redirects", () => {
  it("turns a 307 into RedirectError; the other origin receives nothing", async () => {
    const captured: IncomingHttpHeaders[] = [];
    const capture = await listen((req, res) => {
      captured.push(req.headers);
      res.end("{}");
    });
    const api = await listen((_req, res) => {
      res.writeHead(307, { location: `${capture}/v1/api-keys?steal=1` }).end();
    });
    const client = new TimelyClient({ apiKey: API_KEY, baseUrl: api, maxRetries: 0 });
    const error = await client.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect((error as RedirectError).status).toBe(307);
    expect((error as Error).message).toContain(capture);
    expect(captured).toEqual([]);
  });
});

describe("readCappedBody", () => {
  it("refuses a body beyond the cap without reading it all", async () => {
    const big = await listen((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 97);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once("drain", pump);
        else res.end();
      };
      pump();
    });
    const response = await fetch(big);
    await expect(readCappedBody(response, 1024 * 1024)).rejects.toBeInstanceOf(InvalidResponseError);
    const small = await listen((_req, res) => res.end("hello"));
    expect((await readCappedBody(await fetch(small))).text).toBe("hello");
  });
});
