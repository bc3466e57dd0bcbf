import type { Redactor } from "@timely-keys/sdk";

/**
 * Keeps the tail of a program's output, at most `cap` characters, with every sensitive value
 * masked as it arrives. Masking happens on the whole buffer before its front is cut, so an
 * occurrence split across chunks is still seen whole; after a cut, the first characters (which
 * could be the end of a value cut in two) are dropped as well.
 */
export class OutputCapture {
  private buffer = "";
  private truncated = false;

  constructor(
    private readonly redactor: Redactor,
    private readonly cap = 64 * 1024,
  ) {}

  push(chunk: string): void {
    this.buffer = this.redactor.redact(this.buffer + chunk);
    if (this.buffer.length > this.cap) {
      this.buffer = this.buffer.slice(-this.cap);
      this.truncated = true;
    }
  }

  /** The captured text, masked; never the start of a value cut at the buffer's edge. */
  text(): string {
    const masked = this.redactor.redact(this.buffer);
    return this.truncated ? masked.slice(Math.min(masked.length, this.redactor.longest)) : masked;
  }

  /** The last `count` non-empty lines, for an error message. */
  lastLines(count: number, maxChars = 1000): string {
    const lines = this.text()
      .split(/\r?\n/)
      .filter((line) => line.trim() !== "");
    const tail = lines.slice(-count).join("\n");
    return tail.length <= maxChars ? tail : `...${tail.slice(-maxChars)}`;
  }
}
