/**
 * Splits a byte stream into lines without decoding it, so each line can be checked as UTF-8 on its
 * own (a bad line is one bad record, not a bad file) and a line longer than the record limit is
 * reported the moment it crosses the limit, without buffering the rest of it. Splitting bytes on LF
 * is safe: 0x0A never occurs inside a multi-byte UTF-8 sequence.
 */

export interface RawLine {
  /** 1-based; every line counts, blank ones too. */
  line: number;
  /** The line's bytes without its LF (a CR before it is kept); undefined when over the limit. */
  bytes: Buffer | undefined;
}

/**
 * Yields every line. A line over `maxBytes` is yielded once, with `bytes` undefined, as soon as it
 * crosses the limit; the rest of it is then read and dropped, and the next line follows.
 */
export async function* splitLines(chunks: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<RawLine> {
  let line = 1;
  let parts: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of chunks) {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline;
      if (!over && end > start) {
        size += end - start;
        if (size > maxBytes) {
          over = true;
          parts = [];
          yield { line, bytes: undefined };
        } else {
          parts.push(chunk.subarray(start, end));
        }
      }
      if (newline < 0) break;
      if (!over) yield { line, bytes: join(parts, size) };
      line++;
      parts = [];
      size = 0;
      over = false;
      start = newline + 1;
    }
  }
  if (!over && size > 0) yield { line, bytes: join(parts, size) };
}

function join(parts: Buffer[], size: number): Buffer {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
}
