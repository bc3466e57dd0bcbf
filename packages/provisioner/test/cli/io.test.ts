// writePieces: a long text goes out piece by piece, each write waiting while the stream's buffer is full.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { writePieces, type Output } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/run.js";

/** A stream that takes one chunk per macrotask, recording how much was buffered at each write. */
function slowSink(highWaterMark: number) {
  const received: string[] = [];
  const bufferedAtWrite: number[] = [];
  const stream = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      received.push(chunk);
      setImmediate(callback);
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string) => {
    bufferedAtWrite.push(stream.writableLength);
    return write(chunk);
  }) as typeof stream.write;
  return { stream, received, bufferedAtWrite };
}

describe("writePieces", () => {
  it("writes every piece in order and waits for drain, so at most one piece is ever buffered", async () => {
    const pieces = Array.from({ length: 50 }, (_, i) => `${String(i).padStart(3, "0")}${"x".repeat(997)}`);
    const sink = slowSink(100);
    await writePieces(sink.stream, pieces);
    await new Promise<void>((resolve) => sink.stream.end(resolve));
    expect(sink.received.join("")).toBe(pieces.join(""));
    expect(Math.max(...sink.bufferedAtWrite)).toBe(0);
  });

  it("does not wait on an output without events (a test's collector), nor on a closed stream", async () => {
    const collected: string[] = [];
    const output: Output = { write: (text) => void collected.push(text) };
    await writePieces(output, ["a", "b"]);
    expect(collected).toEqual(["a", "b"]);

    const closing = slowSink(1);
    const done = writePieces(closing.stream, ["first piece", "never drained"]);
    closing.stream.destroy();
    await done;
    expect(closing.received).toEqual(["first piece"]);
  });

  it("waits on the CLI's guarded stdout too: runCli passes the stream's events through", async () => {
    const sink = slowSink(10);
    const seen: Output[] = [];
    const code = await runCli(
      ["capture"],
      { env: {}, cwd: process.cwd(), stdout: sink.stream, stderr: sink.stream },
      {
        capture: async (_argv, io) => {
          seen.push(io.stdout);
          await writePieces(io.stdout, ["one piece of text\n", "another piece\n", "the last\n"]);
          return 0;
        },
      },
    );
    expect(code).toBe(0);
    expect(seen[0]?.once).toBeTypeOf("function");
    expect(sink.bufferedAtWrite).toEqual([0, 0, 0]);
    expect(sink.received.join("")).toBe("one piece of text\nanother piece\nthe last\n");
  });
});
