/**
 * Small helpers shared by the unit tests. Everything here is real (temp folders, the OS
 * keychain through KeychainKeyProtector); only the clock is a stand-in, as an injected port.
 * Each helper registers its own clean-up with `onTestFinished`, so a test cannot forget it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, onTestFinished } from 'vitest';
import type { Clock, KeyProtector } from '../../main/platform';
import { AppError } from '../../main/errors';
import { KeychainKeyProtector } from '../host/keychain-key-protector';
import { Vault } from '../../main/vault/vault';
import type { IpcSender } from '../../main/ipc/sender';
import type { ErrorCode } from '../../preload/contract';

/** A fresh folder under the OS temp dir, removed when the test ends. */
export async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portico-unit-'));
  onTestFinished(async () => {
    // A test may have made parts read-only or swapped folders for files: undo before removing.
    await fs.chmod(dir, 0o700).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A real OS-keychain protector under a service name no other test uses; the entry is deleted afterwards. */
export function testKeychain(): KeychainKeyProtector {
  const protector = new KeychainKeyProtector(`portico-unit-${randomUUID()}`, 'vault-key');
  onTestFinished(() => protector.deleteKey().catch(() => undefined));
  return protector;
}

/** A temp folder (the vault's `userData`), a keychain entry, and a vault opened on them. */
export async function openTestVault(): Promise<{ vault: Vault; dir: string; protector: KeychainKeyProtector }> {
  const dir = path.join(await tempDir(), 'userData');
  const protector = testKeychain();
  const vault = await Vault.open({ dir, protector });
  return { vault, dir, protector };
}

/** The injected clock, moved by hand. */
export class FakeClock implements Clock {
  constructor(public t = Date.UTC(2026, 0, 5, 9, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Wraps a protector under another backend name (as if the key storage had changed), counting key reads. */
export class RenamedBackend implements KeyProtector {
  loadKeyCalls = 0;
  storeKeyCalls = 0;
  constructor(
    private readonly inner: KeyProtector,
    readonly backend: string,
  ) {}
  assertAvailable(): Promise<void> {
    return this.inner.assertAvailable();
  }
  loadKey(): Promise<Buffer | null> {
    this.loadKeyCalls += 1;
    return this.inner.loadKey();
  }
  storeKey(key: Buffer): Promise<void> {
    this.storeKeyCalls += 1;
    return this.inner.storeKey(key);
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A copy of `bytes` with every bit of one byte flipped. */
export function flipByte(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = copy[index]! ^ 0xff;
  return copy;
}

/** Bytes, mode and mtime of every file in a folder and its subfolders: to show that nothing was written. */
export async function snapshotDir(dir: string): Promise<Record<string, { sha256: string; mtimeMs: number; mode: number }>> {
  const out: Record<string, { sha256: string; mtimeMs: number; mode: number }> = {};
  for (const name of (await fs.readdir(dir, { recursive: true })).sort()) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file);
    if (stat.isDirectory()) continue;
    out[name] = { sha256: sha256(await fs.readFile(file)), mtimeMs: stat.mtimeMs, mode: stat.mode };
  }
  return out;
}

/** Awaits `promise` and returns what it rejected with; fails the test if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject, but it resolved.');
}

/** Asserts an AppError with `code` and returns it for further checks. */
export async function expectAppError(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

export const APP_ORIGIN = 'https://portico.test';

/** The app window's top frame at the app origin: the only sender the registry trusts. */
export const trustedSender: IpcSender = { url: `${APP_ORIGIN}/index.html`, isMainFrame: true, isAppWindow: true };

/** A password that passes the password rules (length 12+, not common, no repeats). */
export const GOOD_PASSWORD = 'lumber-violet-canal-otter';
export const OTHER_GOOD_PASSWORD = 'quartz-meadow-lantern-fig';
