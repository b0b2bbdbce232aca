/**
 * A diagnostics report goes to a help desk by email: it must never hold a secret. The report
 * is built from non-secret facts only (key names, provider ids, public URLs, statuses); this
 * module is the second line: it knows what the secrets are and removes any that slipped in.
 * Secrets: client secrets, tokens, passwords, cookies, private keys, proxy credentials.
 */

/** Key names whose values are secret, wherever they appear in the configuration. */
const SECRET_KEY =
  /secret|password|passphrase|passwd|token|cookie|credential|private.?key|api.?key|connection.?string|^dsn$|^key$|^pwd$/i;

export const REDACTED = '[redacted]';

/** Shorter values are not scrubbed from free text (they would match everywhere); none is secret-sized. */
const MIN_SECRET_LENGTH = 4;

/** The string values held under secret-looking keys, anywhere in a JSON-like value. */
export function secretValuesIn(value: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown, secret: boolean): void => {
    if (typeof node === 'string') {
      if (secret) found.add(node);
    } else if (Array.isArray(node)) {
      for (const item of node) walk(item, secret);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) walk(child, secret || SECRET_KEY.test(key));
    }
  };
  walk(value, false);
  return [...found];
}

/** Whether a key name denotes a secret (`clientSecret`, `privateKey`, `refresh_token`...). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** The user name and password in a URL (`http://user:pass@proxy:8080`), decoded and as written. */
export function urlCredentials(value: string): string[] {
  const out: string[] = [];
  const raw = /^[a-z][a-z0-9+.-]*:\/\/([^@/?#]*)@/i.exec(value.trim()) ?? /^([^@/?#:]*(?::[^@/?#]*)?)@/.exec(value.trim());
  if (!raw?.[1]) return out;
  const userinfo = raw[1];
  const colon = userinfo.indexOf(':');
  const parts = colon === -1 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1), userinfo];
  for (const part of parts) {
    if (!part) continue;
    out.push(part);
    try {
      out.push(decodeURIComponent(part));
    } catch {
      // Not percent-encoded: the raw form is enough.
    }
  }
  return [...new Set(out)];
}

/**
 * A URL without credentials, query or fragment (`http://[redacted]@proxy.corp:8080`).
 * A value that is not a URL keeps only what follows an `@`.
 */
export function redactUrl(value: string): string {
  const trimmed = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return trimmed.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@]*@/i, `$1${REDACTED}@`).replace(/[?#].*$/s, '');
  }
  const credentials = url.username || url.password ? `${REDACTED}@` : '';
  const scheme = withScheme === trimmed ? `${url.protocol}//` : '';
  const pathname = url.pathname === '/' && !trimmed.endsWith('/') ? '' : url.pathname;
  return `${scheme}${credentials}${url.host}${pathname}`;
}

/** Replaces every occurrence of the secrets in a text (as written, and as JSON-escaped). */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const form of secretForms(secrets)) out = out.split(form).join(REDACTED);
  return out;
}

/** A JSON-like value with every secret replaced in its strings and keys. */
export function scrubValue<T>(value: T, secrets: Iterable<string>): T {
  const forms = secretForms(secrets, false);
  const scrub = (text: string) => forms.reduce((out, form) => out.split(form).join(REDACTED), text);
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return scrub(node);
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [scrub(key), walk(child)]));
    }
    return node;
  };
  return walk(value) as T;
}

/** Throws (naming no secret) when any secret appears in the text; for tests and a last check. */
export function assertNoSecrets(text: string, secrets: Iterable<string>): void {
  const leaked = secretForms(secrets).filter((form) => text.includes(form)).length;
  if (leaked > 0) throw new Error(`The diagnostics report contains ${leaked} secret value(s).`);
}

/** Each secret as written (and, for JSON text, as escaped inside a JSON string); longest first. */
function secretForms(secrets: Iterable<string>, json = true): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    if (json) forms.add(JSON.stringify(secret).slice(1, -1));
    // A PEM key: its base64 lines too, should a part of it surface alone.
    for (const line of secret.split(/\r?\n/)) if (/^[A-Za-z0-9+/=]{16,}$/.test(line.trim())) forms.add(line.trim());
  }
  return [...forms].sort((a, b) => b.length - a.length);
}
