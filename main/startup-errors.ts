/** Turns a startup failure into the error screen's text: what happened and what to do. */
import type { AppStatus } from '../preload/contract';
import { KeyStorageError } from './platform';
import { ConfigError } from './policy/load-config';
import { VaultError } from './vault/vault';

export function describeStartupError(error: unknown): Extract<AppStatus, { state: 'error' }> {
  if (error instanceof ConfigError && error.isPolicy) {
    // IT's file: the user cannot fix it, and Portico must not run without it (no fallback).
    return {
      state: 'error',
      code: 'POLICY_INVALID',
      title: 'Your administrator’s policy for Portico is invalid',
      message:
        `${error.message} This file is set by your administrator (IT); Portico will not start without a valid ` +
        'policy. Contact your IT department and give them the details below; there is nothing to change on your side.',
      detail: [`Policy file: ${error.source}`, ...error.issues].join('\n'),
    };
  }
  if (error instanceof ConfigError) {
    return {
      state: 'error',
      code: 'CONFIG_INVALID',
      title: 'Portico’s configuration is invalid',
      message: `${error.message} Portico will not start with a configuration it cannot trust. Fix the file or contact your IT department.`,
      detail: [`${error.origin === 'combined' ? 'Files' : 'Configuration file'}: ${error.source}`, ...error.issues].join('\n'),
    };
  }
  if (error instanceof KeyStorageError) {
    return { state: 'error', code: error.code, title: 'Secure storage is not available', message: error.message };
  }
  if (error instanceof VaultError) {
    const where = error.file ? `The file is ${error.file}. ` : '';
    const keep = 'Portico has not changed or deleted it.';
    const texts: Record<VaultError['code'], [string, string]> = {
      VAULT_UNREADABLE: [
        'Portico’s vault failed its integrity check',
        `${error.message} ${keep} ${where}Restore it from a backup (vault.bin.bak beside it holds the previous version) or contact your IT department.`,
      ],
      VAULT_CORRUPT: [
        'Portico’s vault is damaged',
        `${error.message} ${keep} ${where}Restore it from a backup or contact your IT department.`,
      ],
      VAULT_KEY_MISSING: [
        'Portico’s vault key is missing',
        `${error.message} This happens when the vault was copied from another account or machine, or the keychain was reset. ${keep} ${where}`,
      ],
      VAULT_BACKEND_CHANGED: ['Secure storage changed', `${error.message} ${keep} ${where}Contact your IT department.`],
      VAULT_NEWER_FORMAT: ['Portico is out of date', `${error.message} Install the latest Portico version. ${keep}`],
      VAULT_WRITE_FAILED: ['Portico cannot save its data', `${error.message} Check free disk space and folder permissions.`],
    };
    const [title, message] = texts[error.code];
    return { state: 'error', code: error.code, title, message: message.trim() };
  }
  return {
    state: 'error',
    code: 'STARTUP_FAILED',
    title: 'Portico could not start',
    message:
      'An unexpected error stopped Portico from starting. Restart the app; if it happens again, contact your IT department.',
    detail: error instanceof Error ? error.message : String(error),
  };
}
