/**
 * What a PostgreSQL or network failure means for the person, as an AppError: a refused
 * login, a server that does not answer, a privilege the database withholds, a time limit.
 * The server's own message goes to the log only (with its SQLSTATE), never a password:
 * node-postgres errors do not carry the connection's settings.
 */
import { AppError } from '../../errors';

/** SQLSTATE classes and codes (https://www.postgresql.org/docs/15/errcodes-appendix.html). */
const LOGIN_REFUSED = new Set(['28P01', '28000']);
const PRIVILEGE = new Set(['42501']);
const CANCELED = '57014';
const SERVER_GOING = new Set(['57P01', '57P02', '57P03', '53300']);
const BAD_VALUE = new Set(['22P02', '22003', '22007', '22008', '22023']);

/** Node's network and TLS error codes that mean "the server could not be reached safely". */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export interface PgFailure {
  code: string | null;
  message: string;
}

/** The parts of an error that may be logged. */
export function describePgError(error: unknown): PgFailure {
  const e = error as { code?: unknown; message?: unknown } | null;
  return {
    code: typeof e?.code === 'string' ? e.code : null,
    message: typeof e?.message === 'string' ? e.message : String(error),
  };
}

export function isNetworkFailure(error: unknown): boolean {
  const { code, message } = describePgError(error);
  if (code && (NETWORK.has(code) || SERVER_GOING.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|timeout expired|does not support SSL|socket hang up|Client has encountered a connection error/i.test(
    message,
  );
}

export function isLoginRefused(error: unknown): boolean {
  const code = describePgError(error).code;
  return code !== null && LOGIN_REFUSED.has(code);
}

export function isStatementTimeout(error: unknown): boolean {
  return describePgError(error).code === CANCELED;
}

/** The person-facing error for a failure on `datasetName`. */
export function pgAppError(error: unknown, datasetName: string, limits: { timeoutWords: string }): AppError {
  if (error instanceof AppError) return error;
  const { code } = describePgError(error);
  if (isLoginRefused(error)) {
    return new AppError(
      'DATA_CREDENTIAL_REJECTED',
      `The database refused your login for ${datasetName}: the password is wrong or has expired. Choose Replace and enter it again.`,
    );
  }
  if (isNetworkFailure(error)) {
    return new AppError(
      'DATA_SOURCE_UNREACHABLE',
      `The database behind ${datasetName} does not answer just now. Try again in a moment; if it keeps failing, tell IT.`,
    );
  }
  if (code !== null && PRIVILEGE.has(code)) {
    return new AppError(
      'DATA_ACCESS_DENIED',
      `The database does not allow you this part of ${datasetName}. Ask IT for access if you need it.`,
    );
  }
  if (code === CANCELED) {
    return new AppError(
      'DATA_UNAVAILABLE',
      `The query took too long (over ${limits.timeoutWords}) and was stopped. Narrow the filters or the search, then try again.`,
    );
  }
  if (code !== null && BAD_VALUE.has(code)) {
    return new AppError('INVALID_PAYLOAD', 'A filter value does not fit this column. Check the filters.');
  }
  return new AppError(
    'DATA_UNAVAILABLE',
    `Portico could not read ${datasetName} just now. Try again; if it keeps failing, tell IT.`,
  );
}
