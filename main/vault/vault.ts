/**
 * The encrypted store: one AES-256-GCM file with a random data key protected by a
 * KeyProtector (OS keychain / safeStorage). Writes are atomic (temp file + fsync + rename)
 * and keep one backup generation; a file that fails to open is reported and never written
 * over (fail closed: the user or IT decides what to do with it).
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { hkdfSync, randomBytes } from 'node:crypto';
import type { KeyProtector } from '../platform';
import { decodeVault, encodeVault, newDataKey, readVaultHeader, VaultFormatError } from './vault-format';
import { z } from 'zod';
import {
  auditHeadRecord,
  draftOf,
  emptyVaultDocument,
  localUserRecord,
  serializeDocument,
  throttleRecord,
  type VaultDocument,
} from './vault-document';
import { syncDir } from '../util/sync-dir';
import { parseVaultDocument } from './vault-validate';

export const VAULT_FILE = 'vault.bin';
export const VAULT_BACKUP_FILE = 'vault.bin.bak';

/**
 * The names `writeAtomically` gives its temp file (`.vault.bin.<pid>.<12 hex>.tmp`) and the
 * next backup it prepares (the same with `.bak`). Only these are ever deleted as leftovers.
 */
const TEMP_FILE = /^\.vault\.bin\.\d+\.[0-9a-f]{12}\.tmp(?:\.bak)?$/;
/** Temp files this process is writing now: a Vault opened meanwhile must not delete them. */
const inFlight = new Set<string>();

export type VaultErrorCode =
  | 'VAULT_KEY_MISSING'
  | 'VAULT_UNREADABLE'
  | 'VAULT_CORRUPT'
  | 'VAULT_NEWER_FORMAT'
  | 'VAULT_BACKEND_CHANGED'
  | 'VAULT_WRITE_FAILED';

export class VaultError extends Error {
  constructor(
    readonly code: VaultErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

export interface VaultOpenOptions {
  dir: string;
  protector: KeyProtector;
}

export class Vault {
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    private doc: VaultDocument,
    private readonly key: Buffer,
    private readonly backend: string,
    readonly file: string,
  ) {}

  static async open({ dir, protector }: VaultOpenOptions): Promise<Vault> {
    await protector.assertAvailable();
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, VAULT_FILE);
    const backup = path.join(dir, VAULT_BACKUP_FILE);

    const bytes = (await readIfExists(file)) ?? (await readIfExists(backup));
    if (bytes === null) {
      // First run: a fresh data key. Any older keychain entry has no file left to open.
      const key = newDataKey();
      await protector.storeKey(key);
      const vault = new Vault(emptyVaultDocument(), key, protector.backend, file);
      await vault.persist(vault.doc);
      await removeLeftoverTempFiles(dir);
      return vault;
    }

    const { header } = wrapFormat(() => readVaultHeader(bytes), file);
    if (header.backend !== protector.backend) {
      // Signal's lesson: never silently switch key storage (e.g. keychain -> basic_text).
      throw new VaultError(
        'VAULT_BACKEND_CHANGED',
        `The vault key was stored with "${header.backend}" but Portico now has "${protector.backend}". ` +
          'Portico will not switch key storage silently.',
        file,
      );
    }
    const key = await protector.loadKey();
    if (!key) {
      throw new VaultError(
        'VAULT_KEY_MISSING',
        'The key that unlocks the vault is missing from the OS keychain, so the vault cannot be opened.',
        file,
      );
    }
    const { plaintext } = wrapFormat(() => decodeVault(bytes, key), file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(plaintext.toString('utf8'));
    } catch {
      throw new VaultError('VAULT_CORRUPT', 'The vault decrypted but its contents are not valid.', file);
    }
    // Validated in full on open, as the zod schema decides but without copying every record
    // (vault-validate.ts); updates then check only the records they change.
    const doc = parseVaultDocument(parsed);
    if (!doc) throw new VaultError('VAULT_CORRUPT', 'The vault decrypted but its contents are not valid.', file);
    // Only once the vault opened: a vault that fails to open is left exactly as it was.
    await removeLeftoverTempFiles(dir);
    return new Vault(doc, key, header.backend, file);
  }

  /** The current document. Treat as read-only: change it through `update`. */
  read(): Readonly<VaultDocument> {
    return this.doc;
  }

  /**
   * A 32-byte key for one purpose (HKDF-SHA256 of the data key, `label` as info), e.g. the audit
   * log's MAC key. The data key itself never leaves this class; different labels give unrelated keys.
   */
  deriveKey(label: string): Buffer {
    if (label.length === 0) throw new Error('A derived key needs a purpose label.');
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), Buffer.from(label, 'utf8'), 32));
  }

  /**
   * Applies `mutate` to a draft of the document and writes it. The in-memory state changes
   * only once the write succeeded, so a failed write loses nothing and leaves no half state.
   * Calls are serialised. Records are immutable: replace them, never change them in place
   * (the types say so).
   */
  update<T>(mutate: (draft: VaultDocument) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const draft = draftOf(this.doc);
      const result = mutate(draft);
      // A write never stores what the next open would refuse: the records this update
      // added or replaced are checked against the schema (unchanged ones were checked before).
      assertChangedRecordsValid(this.doc, draft);
      await this.persist(draft);
      this.doc = draft;
      return result;
    };
    const next = this.writing.then(run, run);
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async persist(doc: VaultDocument): Promise<void> {
    const bytes = encodeVault(Buffer.from(serializeDocument(doc), 'utf8'), this.key, this.backend);
    try {
      await writeAtomically(this.file, bytes, path.join(path.dirname(this.file), VAULT_BACKUP_FILE));
    } catch (error) {
      throw new VaultError(
        'VAULT_WRITE_FAILED',
        `Portico could not save its vault (${(error as NodeJS.ErrnoException).code ?? 'I/O error'}). Nothing was changed.`,
        this.file,
      );
    }
  }
}

function assertChangedRecordsValid(before: Readonly<VaultDocument>, after: VaultDocument): void {
  const maps = [
    [before.users, after.users, localUserRecord],
    [before.throttle, after.throttle, throttleRecord],
    [before.secrets, after.secrets, z.string()],
  ] as const;
  for (const [old, next, schema] of maps) {
    for (const key of Object.keys(next)) {
      const value = (next as Record<string, unknown>)[key];
      if ((old as Record<string, unknown>)[key] === value) continue;
      if (!schema.safeParse(value).success) throw new Error(`Refusing to write an invalid vault record (${key}).`);
    }
  }
  if (after.auditHead !== before.auditHead && !auditHeadRecord.optional().safeParse(after.auditHead).success) {
    throw new Error('Refusing to write an invalid audit head.');
  }
}

/**
 * temp file (0600) -> write -> fsync -> current file becomes the backup (hard link, or copy
 * where links are unsupported) -> rename temp over current -> fsync the folder. A crash at
 * any point leaves either the old or the new file in place, never a partial one.
 */
async function writeAtomically(file: string, bytes: Buffer, backup: string): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  inFlight.add(temp);
  try {
    const handle = await fs.open(temp, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY, 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      // The new backup is complete before it replaces the old one.
      const nextBackup = `${temp}.bak`;
      if (await copyCurrent(file, nextBackup)) await fs.rename(nextBackup, backup);
      await fs.rename(temp, file);
    } catch (error) {
      await fs.rm(temp, { force: true });
      await fs.rm(`${temp}.bak`, { force: true });
      throw error;
    }
  } finally {
    inFlight.delete(temp);
  }
  await syncDir(dir);
}

/**
 * A write killed between its temp file and the rename (a crash, a forced quit, power loss)
 * leaves its temp file, and possibly the next backup, behind: each a full copy of the secrets
 * under an older state, piling up with every kill. Deleted at open, best effort (a file that
 * cannot be deleted now is tried again at the next open). Another Portico process cannot be
 * writing here: the single-instance lock is taken before the vault opens; this process's own
 * writes in progress are skipped.
 */
async function removeLeftoverTempFiles(dir: string): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!TEMP_FILE.test(entry.name) || !(entry.isFile() || entry.isSymbolicLink())) continue;
    const name = path.join(dir, entry.name);
    if (inFlight.has(name) || inFlight.has(name.replace(/\.bak$/, ''))) continue;
    await fs.rm(name, { force: true }).catch(() => undefined);
  }
}

async function readIfExists(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Hard-links (or, where links are unsupported, copies) `file` to `to`; false when there is no file yet. */
async function copyCurrent(file: string, to: string): Promise<boolean> {
  try {
    await fs.link(file, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    await fs.copyFile(file, to);
    return true;
  }
}

function wrapFormat<T>(fn: () => T, file: string): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof VaultFormatError) throw new VaultError(error.code, error.message, file);
    throw error;
  }
}
