import type { IpcError } from '../../../preload/contract';

/** Errors after which the user is no longer signed in: back to the sign-in screen. */
export function isSessionLost(error: IpcError): boolean {
  return error.code === 'SESSION_EXPIRED' || error.code === 'NOT_SIGNED_IN';
}

/** A failed form submission: the message for the alert and messages per field name. */
export interface FormFailure {
  /** Increases with every attempt, so the alert is announced again even with the same text. */
  attempt: number;
  message: string;
  fields: Partial<Record<string, string>>;
}

export function formFailure(error: IpcError, previous: FormFailure | null): FormFailure {
  return { attempt: (previous?.attempt ?? 0) + 1, message: error.message, fields: { ...(error.fields ?? {}) } };
}

/**
 * How a field shows its error: its own text next to it, or (when the alert already says
 * exactly that) a reference to the alert, so the same sentence is not on screen twice.
 */
export type FieldProblem = { text: string; describedBy?: undefined } | { text?: undefined; describedBy: string };

export function fieldProblem(failure: FormFailure | null, field: string, alertId: string): FieldProblem | undefined {
  const text = failure?.fields[field];
  if (!failure || !text) return undefined;
  return text === failure.message ? { describedBy: alertId } : { text };
}

/** Shown when the session ends without a message from main (a null current session). */
export const SESSION_ENDED_MESSAGE = 'Your session has ended. Sign in again to continue.';

export const SIGNED_OUT_MESSAGE = 'You have signed out.';
