/**
 * Strict UTF-8. Node's decoders turn invalid bytes into U+FFFD without a word, so a Latin-1 or
 * binary file would load as plausible text with holes in it; readers check with these instead and
 * say where the first bad byte sits. A byte-order mark at the start of a file is accepted.
 */
import { isUtf8 } from "node:buffer";
import { Transform } from "node:stream";
import type { InputLocation } from "../../errors.js";
import { InvalidRecordError } from "../InvalidRecordError.js";

export function startsWithBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Offset of the first byte that does not begin a complete, valid UTF-8 sequence; -1 when none. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const extra = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (extra === 0 || i + extra >= bytes.length) return i;
    const next = bytes[i + 1]!;
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF show in the second byte.
    if ((b === 0xe0 && next < 0xa0) || (b === 0xed && next > 0x9f)) return i;
    if ((b === 0xf0 && next < 0x90) || (b === 0xf4 && next > 0x8f)) return i;
    for (let k = 1; k <= extra; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return -1;
}

/** The text of `bytes`, or undefined when they are not valid UTF-8. */
export function decodeUtf8(bytes: Buffer): string | undefined {
  return isUtf8(bytes) ? bytes.toString("utf8") : undefined;
}

/**
 * The error for invalid UTF-8: `found` starts at the first bad byte, which sits at 0-based
 * `position` of the line (or of the field, when `location` names one).
 */
export function invalidUtf8(
  location: Pick<InputLocation, "file" | "line" | "unit" | "field">,
  found: Uint8Array,
  position: number,
): InvalidRecordError {
  const shown = Array.from(found.subarray(0, 4), (b) => b.toString(16).padStart(2, "0"));
  const within = location.field !== undefined ? "of the field" : "of the line";
  return new InvalidRecordError(
    "invalid-encoding",
    `text is not valid UTF-8 at byte ${position + 1} ${within}`,
    { ...location, expected: "UTF-8 text", got: `bytes ${shown.join(" ")}` },
    { hint: "re-encode the file as UTF-8, e.g. iconv -f latin1 -t utf-8" },
  );
}

/**
 * Passes a byte stream through unchanged and fails it, naming the line, at the first invalid UTF-8
 * sequence. A sequence split between two chunks waits for the next one.
 */
export function utf8Guard(file: string): Transform {
  let carry: Buffer = Buffer.alloc(0);
  let line = 1;
  /** Bytes of the current line already passed in earlier chunks. */
  let column = 0;
  const fail = (body: Buffer, offset: number) => {
    const before = body.subarray(0, offset);
    const lastBreak = before.lastIndexOf(0x0a);
    const position = lastBreak >= 0 ? offset - lastBreak - 1 : column + offset;
    const at = { file, line: line + countNewlines(before), unit: "line" as const };
    return invalidUtf8(at, body.subarray(offset), position);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const body = data.subarray(0, completeLength(data));
      if (!isUtf8(body)) {
        done(fail(body, firstInvalidUtf8(body)));
        return;
      }
      const lastBreak = body.lastIndexOf(0x0a);
      line += countNewlines(body);
      column = lastBreak >= 0 ? body.length - lastBreak - 1 : column + body.length;
      carry = Buffer.from(data.subarray(body.length));
      done(null, body);
    },
    flush(done) {
      done(carry.length > 0 ? fail(carry, 0) : null);
    },
  });
}

/** Length of the prefix that does not end inside a multi-byte sequence. */
function completeLength(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const b = data[data.length - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return size > back ? data.length - back : data.length;
  }
  return data.length;
}

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}
