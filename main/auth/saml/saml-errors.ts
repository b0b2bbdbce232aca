/** Why a SAML response was refused: one code per check, each with what to tell the user. */
import { AppError } from '../../errors';

export const SAML_REFUSALS = {
  SAML_MALFORMED: 'The sign-in response from your identity provider could not be read.',
  SAML_TOO_LARGE: 'The sign-in response from your identity provider is too large.',
  SAML_DOCTYPE: 'The sign-in response contains a document type declaration, which Portico never accepts.',
  SAML_WEAK_ALGORITHM:
    'The identity provider signed with an algorithm Portico refuses (such as SHA-1). Ask IT to switch the SAML signing algorithm to SHA-256.',
  SAML_STATUS: 'Your identity provider did not complete the sign-in.',
  SAML_DESTINATION: 'The sign-in response was addressed to another application.',
  SAML_MULTIPLE_ASSERTIONS: 'The sign-in response contains more than one assertion.',
  SAML_SIGNATURE: 'The sign-in response is not correctly signed by your identity provider.',
  SAML_ISSUER: 'The sign-in response came from an identity provider Portico does not trust for this connection.',
  SAML_AUDIENCE: 'The sign-in response was issued for another application.',
  SAML_RECIPIENT: 'The sign-in response was issued for another address.',
  SAML_NOT_YET_VALID: 'The sign-in response is not valid yet. Check that this computer’s clock is right.',
  SAML_EXPIRED: 'The sign-in response has expired. Check this computer’s clock, then sign in again.',
  SAML_IN_RESPONSE_TO: 'The sign-in response does not answer a sign-in Portico started (or answers an old one).',
  SAML_REPLAYED: 'This sign-in response was already used.',
  SAML_NO_SUBJECT: 'The sign-in response does not say who signed in.',
  SAML_IDENTIFIER:
    'The sign-in response names you with an identifier that begins or ends with spaces, which Portico never accepts.',
  SAML_ENCRYPTION: 'The encrypted sign-in response could not be decrypted.',
  SAML_LOGOUT_FAILED: 'Your identity provider did not confirm that your session there has ended.',
} as const;
export type SamlRefusal = keyof typeof SAML_REFUSALS;

export class SamlError extends Error {
  constructor(
    readonly code: SamlRefusal,
    readonly detail: string = '',
  ) {
    super(`${code}: ${SAML_REFUSALS[code]}${detail ? ` (${detail})` : ''}`);
    this.name = 'SamlError';
  }

  /** What the renderer sees: a fixed sentence and what to do; the detail stays in main's log. */
  toAppError(): AppError {
    return new AppError(
      'SSO_REFUSED',
      `${SAML_REFUSALS[this.code]} Sign-in was refused; try again, and contact IT if it keeps happening. (${this.code})`,
    );
  }
}

/** Maps node-saml's error messages (its only error type) to our codes. */
export function fromNodeSamlError(error: unknown): SamlError {
  const message = error instanceof Error ? error.message : String(error);
  const rules: Array<[RegExp, SamlRefusal]> = [
    [/signature/i, 'SAML_SIGNATURE'],
    [/issuer/i, 'SAML_ISSUER'],
    [/audience/i, 'SAML_AUDIENCE'],
    [/not yet valid/i, 'SAML_NOT_YET_VALID'],
    [/expired/i, 'SAML_EXPIRED'],
    // node-saml drops a bearer SubjectConfirmation whose time window does not hold now, then says
    // only this: its NotOnOrAfter has passed (SAML forbids NotBefore on bearer confirmations).
    [/no valid subject confirmation/i, 'SAML_EXPIRED'],
    [/InResponseTo/i, 'SAML_IN_RESPONSE_TO'],
    [/EncryptedAssertion|decrypt/i, 'SAML_ENCRYPTION'],
    [/status|provider returned/i, 'SAML_STATUS'],
    [/Missing SAML assertion|NameID/i, 'SAML_NO_SUBJECT'],
  ];
  const code = rules.find(([pattern]) => pattern.test(message))?.[1] ?? 'SAML_MALFORMED';
  return new SamlError(code, message);
}
