/** A throw-away user-data folder and keychain entry for one benchmark. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KEYCHAIN_ACCOUNT } from '../host/test-host';
import { KeychainKeyProtector } from '../host/keychain-key-protector';

export async function withTempDir<T>(fn: (dir: string, service: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'portico-bench-'));
  const service = `portico-bench-${randomUUID()}`;
  try {
    return await fn(dir, service);
  } finally {
    await new KeychainKeyProtector(service, KEYCHAIN_ACCOUNT).deleteKey().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
