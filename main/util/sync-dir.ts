import { promises as fs } from 'node:fs';

/**
 * Makes a file created or renamed in `dir` durable (fsync of the folder) on POSIX. Windows
 * cannot open folders, and NTFS journals renames.
 */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
