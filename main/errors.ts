import type { ErrorCode, IpcError } from '../preload/contract';

/**
 * An expected failure with a message fit for the user (what happened, what to do).
 * Anything else thrown in a handler becomes INTERNAL and its text stays in main.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Pick<IpcError, 'fields' | 'retryAt'> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  toResult(): IpcError {
    return { ok: false, code: this.code, message: this.message, ...this.extra };
  }
}
