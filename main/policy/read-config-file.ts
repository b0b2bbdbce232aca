/**
 * Reads a configuration or policy file as text, safely:
 * - only a regular file (a symlink to one is followed: IT may deploy the policy as a link).
 *   A folder, named pipe (FIFO), socket or device is refused from its `lstat`/`stat`, before
 *   it is opened: opening a FIFO would wait for a writer and stall the start, and reading a
 *   device may never end. The opened handle is checked again (the path may have been swapped
 *   in between) and was opened non-blocking, so even a swap cannot stall;
 * - at most MAX_CONFIG_BYTES, never buffering beyond that;
 * - UTF-8, with or without a byte order mark, or UTF-16 (LE or BE) with one: PowerShell's
 *   `Set-Content -Encoding utf8` writes a BOM (Windows PowerShell 5.1), `-Encoding Unicode` and
 *   `Out-File` write UTF-16LE. Anything else is refused rather than guessed.
 * Throws ConfigFileUnreadable with a sentence a person can act on; the caller adds the file.
 */
import { constants, promises as fs, type Stats } from 'node:fs';

/** Larger than any real policy (20 providers with certificates is well under 200 KiB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export class ConfigFileUnreadable extends Error {
  constructor(
    /** Completes "… could not be read: <reason>." */
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'ConfigFileUnreadable';
  }
}

/** The file's text, or null when nothing exists at the path (not even a dangling link). */
export async function readConfigText(file: string, maxBytes = MAX_CONFIG_BYTES): Promise<string | null> {
  let entry: Stats;
  try {
    entry = await fs.lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigFileUnreadable(describeErrno(error));
  }
  if (entry.isSymbolicLink()) {
    try {
      entry = await fs.stat(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        // A link is there, so the file was meant to apply: refuse rather than run without it.
        throw new ConfigFileUnreadable('it is a link to a file that does not exist');
      }
      throw new ConfigFileUnreadable(describeErrno(error));
    }
  }
  assertRegularFile(entry, maxBytes);
  const bytes = await readCapped(file, maxBytes);
  return decodeConfigBytes(bytes);
}

async function readCapped(file: string, maxBytes: number): Promise<Buffer> {
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: a FIFO swapped in after the check opens at once instead of waiting for a writer.
    handle = await fs.open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new ConfigFileUnreadable(describeErrno(error));
  }
  try {
    assertRegularFile(await handle.stat(), maxBytes);
    // One byte more than allowed: a file that grew past the cap since fstat is caught too.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw new ConfigFileUnreadable(tooLarge(maxBytes));
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof ConfigFileUnreadable) throw error;
    throw new ConfigFileUnreadable(describeErrno(error));
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function assertRegularFile(stats: Stats, maxBytes: number): void {
  if (stats.isFile()) {
    if (stats.size > maxBytes) throw new ConfigFileUnreadable(tooLarge(maxBytes));
    return;
  }
  const what = stats.isDirectory()
    ? 'a folder'
    : stats.isFIFO()
      ? 'a named pipe (FIFO)'
      : stats.isSocket()
        ? 'a socket'
        : stats.isCharacterDevice() || stats.isBlockDevice()
          ? 'a device'
          : 'not a regular file';
  throw new ConfigFileUnreadable(what === 'not a regular file' ? 'it is not a regular file' : `it is ${what}, not a file`);
}

function tooLarge(maxBytes: number): string {
  return `it is larger than ${maxBytes / 1024} KiB, far more than any Portico configuration`;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Bytes to text: UTF-8 (a BOM is dropped), or UTF-16 LE/BE when a BOM says so. */
export function decodeConfigBytes(bytes: Uint8Array): string {
  const startsWith = (prefix: number[]) => prefix.every((byte, i) => bytes[i] === byte);
  if (startsWith([0xff, 0xfe])) return decodeUtf16(bytes.subarray(2), 'le');
  if (startsWith([0xfe, 0xff])) return decodeUtf16(bytes.subarray(2), 'be');
  const body = startsWith(UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw new ConfigFileUnreadable('it is not UTF-8 text. Save it as UTF-8 (or UTF-16 with a byte order mark)');
  }
}

function decodeUtf16(body: Uint8Array, order: 'le' | 'be'): string {
  if (body.length % 2 !== 0) throw new ConfigFileUnreadable('it is not valid UTF-16 text (an odd number of bytes)');
  const little = Buffer.from(body);
  if (order === 'be') little.swap16();
  try {
    return new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }).decode(little);
  } catch {
    throw new ConfigFileUnreadable('it is not valid UTF-16 text. Save it as UTF-8');
  }
}

function describeErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  if (code === 'ELOOP') return 'it is a loop of links (ELOOP)';
  return code ?? String(error);
}
