/**
 * Special files for the configuration-reading tests: a real named pipe (`mkfifo`), as someone
 * could leave in place of config.json. Removed with the test's temp folder; a reader left
 * blocked on it (the behaviour these tests guard against) is released at the end, so that a
 * failing test fails instead of keeping the worker's thread pool busy for ever.
 */
import { execFile } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { onTestFinished } from 'vitest';

export async function makeFifo(file: string): Promise<void> {
  await promisify(execFile)('mkfifo', [file]);
  onTestFinished(async () => {
    // Opening the write end (non-blocking: fails at once when nobody reads) gives a blocked reader EOF.
    const writer = await fs.open(file, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null);
    await writer?.close();
  });
}
