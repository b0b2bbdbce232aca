import type { ErrorCode } from '../../../../preload/contract';

/** What a local sign-in asks for after a right password (main's pending sign-in). */
export type SignInStep = 'second-factor' | 'change-password' | 'enrol-second-factor';

const STEPS: Partial<Record<ErrorCode, SignInStep>> = {
  SECOND_FACTOR_REQUIRED: 'second-factor',
  PASSWORD_CHANGE_REQUIRED: 'change-password',
  SECOND_FACTOR_ENROLMENT_REQUIRED: 'enrol-second-factor',
};

/** The step an answer asks for, or null when it is an ordinary failure. */
export function stepOf(code: ErrorCode): SignInStep | null {
  return STEPS[code] ?? null;
}
