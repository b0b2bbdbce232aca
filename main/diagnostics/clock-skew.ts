/**
 * Clock skew from an HTTP `Date` header (RFC 9110 6.6.1: the time the server made the
 * response, to the second). SAML assertions (NotBefore / NotOnOrAfter) and OIDC ID tokens
 * (iat / exp) are time-bound, so a local clock several minutes off makes every sign-in fail
 * with an error that does not say "clock". Pure: times are passed in.
 */

/** Beyond this, SAML and OIDC sign-ins fail whatever the IdP's tolerance. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export interface ClockSkew {
  /** The server's time as it said, ISO 8601. */
  serverTime: string;
  /**
   * Server time minus local time, in whole seconds: positive when this computer's clock is
   * behind the server's, negative when it is ahead. Good to about a second (the header's
   * resolution) plus half the round trip.
   */
  skewSeconds: number;
  /** |skew| above MAX_CLOCK_SKEW_MS: sign-ins will fail. */
  tooLarge: boolean;
}

/**
 * Compares the server's `Date` with the local time halfway through the exchange (the server
 * wrote the header somewhere between `sentAt` and `receivedAt`, local epoch ms). Null when
 * the header is absent or not a date.
 */
export function clockSkew(
  dateHeader: string | null | undefined,
  sentAt: number,
  receivedAt: number,
  maxSkewMs = MAX_CLOCK_SKEW_MS,
): ClockSkew | null {
  if (!dateHeader) return null;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return null;
  const local = sentAt + Math.max(0, receivedAt - sentAt) / 2;
  // The header drops the milliseconds: the result is good to about a second, which is plenty.
  const skewMs = server - local;
  const skewSeconds = Math.round(skewMs / 1000);
  return {
    serverTime: new Date(server).toISOString(),
    skewSeconds: skewSeconds === 0 ? 0 : skewSeconds,
    tooLarge: Math.abs(skewMs) > maxSkewMs,
  };
}

/** "3 min 20 s behind" / "ahead" / "in step", for messages. */
export function describeSkew(skewSeconds: number): string {
  const abs = Math.abs(skewSeconds);
  if (abs <= 1) return 'in step with';
  const hours = Math.floor(abs / 3600);
  const minutes = Math.floor((abs % 3600) / 60);
  const seconds = abs % 60;
  const parts = [hours ? `${hours} h` : '', minutes ? `${minutes} min` : '', seconds ? `${seconds} s` : ''].filter(Boolean);
  return `${parts.join(' ')} ${skewSeconds > 0 ? 'behind' : 'ahead of'}`;
}
