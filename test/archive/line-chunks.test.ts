import { LineChunks } from '../../src/archive/line-chunks.js';

function chunksOf(lines: string[]): { chunks: Buffer[]; records: number[] } {
  const chunks: Buffer[] = [];
  const records: number[] = [];
  const writer = new LineChunks((chunk, n) => {
    chunks.push(Buffer.from(chunk));
    records.push(n);
  });
  for (const line of lines) writer.add(line);
  writer.flush();
  return { chunks, records };
}

describe('LineChunks', () => {
  it('writes every line as UTF-8 ended by a newline, split only between lines', () => {
    // Multi-byte characters, a line longer than a chunk, and lines that end near a chunk's end.
    const lines = [
      ...Array.from({ length: 3000 }, (_, n) => `{"n":${n},"text":"${'é€😀'.repeat(n % 50)}"}`),
      'x'.repeat(600 * 1024),
      ...Array.from({ length: 3000 }, (_, n) => `{"n":${n}}`),
    ];
    const { chunks, records } = chunksOf(lines);
    expect(chunks.length).toBeGreaterThan(2);
    expect(Buffer.concat(chunks).equals(Buffer.from(lines.join('\n') + '\n'))).toBe(true);
    expect(chunks.every((chunk) => chunk.at(-1) === 0x0a)).toBe(true);
    expect(records.reduce((a, b) => a + b, 0)).toBe(lines.length);
    expect(chunks.map((chunk) => chunk.toString().split('\n').length - 1)).toEqual(records);
  });

  it('hands on nothing when no line was added', () => {
    expect(chunksOf([])).toEqual({ chunks: [], records: [] });
  });

  it('writes a lone surrogate as Buffer.from does', () => {
    const lines = ['{"a":"\ud800"}', '{"b":"\udfff x"}'];
    expect(Buffer.concat(chunksOf(lines).chunks).equals(Buffer.from(lines.join('\n') + '\n'))).toBe(true);
  });
});
