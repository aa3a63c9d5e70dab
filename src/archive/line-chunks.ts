/** Bytes a chunk holds at most, unless a single line is longer. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Lines written as UTF-8 straight into fixed-size byte chunks, each line ended by a newline, and
 * handed on a chunk at a time. Encoding line by line into a buffer is far cheaper than joining a
 * page of lines into one string first, and a chunk's memory can be moved to another thread as it
 * is, where a string would be copied.
 */
export class LineChunks {
  #chunk: Buffer<ArrayBuffer> | undefined;
  #used = 0;
  #records = 0;

  constructor(private readonly emit: (chunk: Buffer<ArrayBuffer>, records: number) => void) {}

  add(line: string): void {
    // A UTF-16 code unit takes at most three bytes of UTF-8; only a line near the end is measured.
    const room = (this.#chunk?.length ?? 0) - this.#used;
    if (line.length * 3 + 1 > room) {
      const bytes = Buffer.byteLength(line) + 1;
      if (bytes > room) {
        this.flush();
        this.#chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, bytes));
      }
    }
    const chunk = this.#chunk!;
    this.#used += chunk.write(line, this.#used);
    chunk[this.#used++] = 0x0a;
    this.#records++;
  }

  /** Hands on the lines added since the last chunk, if any. */
  flush(): void {
    if (this.#chunk === undefined || this.#used === 0) return;
    const full = this.#chunk.subarray(0, this.#used);
    const records = this.#records;
    this.#chunk = undefined;
    this.#used = 0;
    this.#records = 0;
    this.emit(full, records);
  }
}
