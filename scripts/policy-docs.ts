/**
 * Renders docs/policy-reference.md and docs/policy.schema.json from the configuration schema
 * (main/policy/config-schema.ts), so that the reference can never drift from what Portico
 * accepts. `npm run docs:policy` writes them; test/unit/docs checks they are up to date.
 *
 * Types, defaults and limits come from the schema (zod's JSON Schema, input side). The
 * sentence for each key comes from the schema's own `.meta({ description })` when it has one,
 * else from DESCRIPTIONS below; a key with neither is listed without one (and reported).
 */
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { porticoConfig } from '../main/policy/config-schema';
import { USER_SETTABLE, type Stricter } from '../main/policy/user-settable';

export const REFERENCE_FILE = 'docs/policy-reference.md';
export const SCHEMA_FILE = 'docs/policy.schema.json';

/** Dot paths; `[]` stands for "each item of the list". */
const DESCRIPTIONS: Record<string, string> = {
  session: 'How long a sign-in lasts.',
  'session.lockAfterMinutes':
    'Lock the window after this long without keyboard or pointer input (a warning with a countdown comes 60 s before). Unlocking needs the password, or a new sign-in at the IdP, as the same person; locked, no data call answers.',
  'session.idleMinutes':
    'Sign out after this long without activity, locked or not. When it is not longer than `lockAfterMinutes`, the session signs out then instead of locking.',
  'session.absoluteHours': 'Sign out this long after sign-in, active or not.',
  'session.persistSession': 'Keep a session across restarts (used by SSO sign-ins).',
  'session.recentSignInMinutes':
    'Admin actions (create, disable, reset users) need the password (or IdP) confirmed within this many minutes.',
  'session.rememberLastSignIn':
    'The sign-in screen fills in the last username or SSO provider used on this computer (kept in the encrypted vault; never a password).',
  'session.keepIdpSignIn':
    'The SSO sign-in window keeps the IdP’s cookies on disk (encrypted with the OS-protected key), so the next launch does not ask for the IdP password while the IdP’s own session lasts. Cleared at sign-out.',
  localAccounts: 'Accounts kept by Portico itself (argon2id hashes in the encrypted vault).',
  'localAccounts.enabled': 'Allow local-account sign-in.',
  'localAccounts.allowBootstrapAdmin':
    'With single sign-on configured, allow one local first-run administrator anyway (off: administrators come from the IdP’s groups).',
  'localAccounts.minPasswordLength': 'Minimum password length. Common and padded-common passwords are always refused.',
  'localAccounts.maxFailures': 'Failed sign-ins before the account locks.',
  'localAccounts.lockoutMinutes': 'How long a lock lasts; an admin’s password reset lifts it at once.',
  'localAccounts.backoffBaseMs': 'Wait after the first failure; it doubles with each further one (cap 30 s).',
  'localAccounts.maxAttemptsPerMinute':
    'Local sign-in attempts per minute on this computer, across all usernames (against trying one password on many names); further attempts wait, answered THROTTLED.',
  'localAccounts.mfa':
    'Two-step verification (an authenticator app, TOTP) for local accounts: `off` (anyone may still set it up from Account), required for `admins` (any role with an `admin.*` permission) or for `everyone`. Someone it requires who has none sets it up at their next sign-in.',
  'localAccounts.argon2': 'argon2id cost, never below OWASP’s minimum. Raising it rehashes each password at its next sign-in.',
  'localAccounts.argon2.memoryKiB': 'Memory per hash, in KiB.',
  'localAccounts.argon2.timeCost': 'Iterations.',
  'localAccounts.argon2.parallelism': 'Lanes (always 1).',
  security: 'Key storage and links.',
  'security.allowWeakKeyStorage':
    'Linux only: allow Electron’s `basic_text` key storage when no keyring runs (a hard-coded key). Leave off.',
  'security.externalUrlAllowList': 'https URLs (origin + path prefix) that links may open in the system browser.',
  providers: 'Single sign-on providers. With any provider set, the IdP groups mapped to `admin` administer Portico.',
  'providers.saml': 'SAML 2.0 identity providers (Microsoft Entra ID, Okta, ADFS, ...). See [entra-saml.md](entra-saml.md).',
  'providers.saml[].id': 'Short id (`a-z`, `0-9`, `-`), used in default URLs and the vault. Unique across all providers.',
  'providers.saml[].displayName': 'Shown on the button: “Sign in with …”.',
  'providers.saml[].idpSsoUrl': 'The IdP’s sign-in URL (Entra: “Login URL”). https (http only on 127.0.0.1).',
  'providers.saml[].idpEntityId': 'The IdP’s entity ID (Entra: “Microsoft Entra Identifier”).',
  'providers.saml[].idpCertificates':
    'The IdP’s signing certificates, PEM or base64 (Entra: “Certificate (Base64)”). List two during a rollover.',
  'providers.saml[].spEntityId': 'Portico’s Identifier at the IdP. Default `urn:portico:sp:<id>`.',
  'providers.saml[].acsUrl':
    'Portico’s Reply URL at the IdP (https). Default `https://portico.invalid/saml/<id>/acs`: Portico catches the answer in its sign-in window, nothing listens there.',
  'providers.saml[].sloUrl': 'The IdP’s logout URL: sign-out then also ends the IdP session.',
  'providers.saml[].attributes': 'Claim (attribute) names; the defaults are Entra’s.',
  'providers.saml[].attributes.id': 'The stable user id (never the email). Without it, the persistent NameID.',
  'providers.saml[].attributes.email': 'Email claim.',
  'providers.saml[].attributes.displayName': 'Display name claim.',
  'providers.saml[].attributes.groups': 'Groups claim.',
  'providers.saml[].attributes.groupsOverage':
    'Sent instead of groups when a user has too many (Entra: over 150); Portico then refuses and says what to change.',
  'providers.saml[].emailDomains': 'Typing an email at one of these domains picks this provider.',
  'providers.saml[].groupRoles': 'IdP group (object id or name) → Portico roles. Someone in no mapped group cannot sign in.',
  'providers.saml[].requireSignedResponse': 'Also require the whole Response to be signed (the assertion must always be signed).',
  'providers.saml[].signing': 'Sign AuthnRequests (RSA-SHA256) with this key; its certificate goes into the SP metadata.',
  'providers.saml[].signing.privateKey': 'PEM private key.',
  'providers.saml[].signing.certificate': 'PEM certificate.',
  'providers.saml[].decryption': 'Decrypt encrypted assertions with this key.',
  'providers.saml[].decryption.privateKey': 'PEM private key.',
  'providers.saml[].decryption.certificate': 'PEM certificate.',
  'providers.saml[].clockSkewSeconds': 'Tolerated clock difference with the IdP.',
  'providers.oidc':
    'OpenID Connect providers (Entra ID, Google, Okta, Auth0, Descope, Keycloak, any other). See [entra-oidc.md](entra-oidc.md).',
  'providers.oidc[].id': 'Short id (`a-z`, `0-9`, `-`). Unique across all providers.',
  'providers.oidc[].displayName': 'Shown on the button: “Sign in with …”.',
  'providers.oidc[].preset': 'Claim defaults for a known IdP. `google` always uses the system browser.',
  'providers.oidc[].issuer': 'The issuer URL; Portico reads `/.well-known/openid-configuration` under it.',
  'providers.oidc[].clientId': 'The client (application) id registered at the IdP, as a public native client.',
  'providers.oidc[].clientSecret':
    'Only for IdPs that issue a “secret” to desktop clients and document it as not secret (Google). Never a real secret.',
  'providers.oidc[].scopes': 'Scopes to request. Default `openid email profile offline_access` (Google: `openid email profile`).',
  'providers.oidc[].mode':
    '`window`: Portico’s sign-in window. `system-browser`: the user’s browser with a one-shot loopback listener (RFC 8252).',
  'providers.oidc[].emailDomains': 'Typing an email at one of these domains picks this provider.',
  'providers.oidc[].roleClaims': 'Claim paths holding roles or groups; defaults per preset.',
  'providers.oidc[].roleMapping': 'Claim value → Portico roles. No mapped value, no sign-in.',
  'providers.oidc[].emailRoles': 'For IdPs without groups (Google): `"boss@corp.example"` or `"@corp.example"` → roles.',
  'providers.oidc[].authParams': 'Extra authorization parameters.',
  'providers.oidc[].authParams.prompt': 'Ask the IdP to show its sign-in or account picker.',
  'providers.oidc[].authParams.domain_hint': 'Entra: skip the home-realm discovery page.',
  'providers.oidc[].authParams.acr_values': 'Requested authentication context (e.g. MFA).',
  'providers.oidc[].authParams.hd': 'Google Workspace domain.',
  'providers.oidc[].promptConsent':
    'Send `prompt=consent` when asking for a refresh token. Default: `true` for `google` only (Entra shows a consent page at every sign-in with it). Set `true` for an IdP that issues refresh tokens only then.',
  'providers.oidc[].loopbackPort':
    'System-browser mode: a fixed 127.0.0.1 port for the answer, for IdPs that match redirect URIs as exact strings; register `http://127.0.0.1:<port>/callback`. Default: any free port.',
  'providers.oidc[].allowedTenants':
    'Entra preset with the multi-tenant issuer (`/organizations/v2.0`): the tenant ids whose accounts may sign in.',
  'providers.oidc[].maxOfflineHours':
    'If the IdP cannot be reached at launch, keep the last confirmed sign-in this long (0: never).',
  updates:
    'Automatic updates from your own server (electron-updater). Off unless set here. See [it-deployment.md](it-deployment.md#updates).',
  'updates.enabled': 'Check at launch and every 4 hours, download in the background, install when Portico quits.',
  'updates.url':
    'https folder on your update server holding the installers and `latest*.yml`. Without it, the `PORTICO_UPDATE_URL` environment variable.',
  'updates.channel': '`latest` (default) or another channel, e.g. `beta` (reads `beta*.yml`).',
  access: 'What each role may do.',
  'access.rolePermissions': 'Role → permissions; a role left out keeps its default permissions.',
  'access.rolePermissions.*': 'The permissions of this role, replacing its defaults.',
};

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

interface Row {
  key: string;
  type: string;
  default: string;
  limits: string;
  /** What a person's own config.json may do with the key. */
  personal: string;
  description: string;
  depth: number;
}

const STRICTER_WORDS: Record<Stricter, string> = {
  lower: 'stricter only: lower',
  higher: 'stricter only: higher',
  false: 'stricter only: `false`',
};

/**
 * Whether a person's own config.json (or PORTICO_CONFIG) may set the key: `no` (machine policy
 * only), `stricter only: …` for the keys of main/policy/user-settable.ts, or, for an object
 * holding some of those, `some keys`.
 */
export function personalRule(key: string): string {
  const rule = USER_SETTABLE[key];
  if (rule) return STRICTER_WORDS[rule];
  if (Object.keys(USER_SETTABLE).some((settable) => settable.startsWith(`${key}.`))) return 'some keys, stricter only';
  return 'no';
}

export function policyJsonSchema(): JsonSchema & Record<string, unknown> {
  return z.toJSONSchema(porticoConfig, { io: 'input', unrepresentable: 'any' }) as JsonSchema & Record<string, unknown>;
}

const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
// A `|` inside a table cell ends the cell, even inside backticks: escape it.
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(schema: JsonSchema): string {
  if (schema.anyOf ?? schema.oneOf) return (schema.anyOf ?? schema.oneOf)!.map(typeOf).join(' or ');
  if (schema.const !== undefined) return code(schema.const);
  if (schema.enum) return `one of ${schema.enum.map(code).join(', ')}`;
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type;
  if (type === 'string' && schema.format === 'uri') return 'URL';
  if (type === 'array') return `list of ${schema.items ? plural(typeOf(schema.items)) : 'values'}`;
  if (type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    return `map: name → ${typeOf(schema.additionalProperties)}`;
  }
  return type ?? 'any';
}

function plural(type: string): string {
  if (type.startsWith('one of ')) return `values, each ${type}`;
  if (type === 'object') return 'objects';
  if (type === 'URL') return 'URLs';
  if (/^(string|number|integer|boolean)$/.test(type)) return `${type}s`;
  return type;
}

function limitsOf(schema: JsonSchema): string {
  const parts: string[] = [];
  const range = (min?: number, max?: number, unit = '') => {
    if (min !== undefined && max !== undefined) parts.push(`${min}–${max}${unit}`);
    else if (min !== undefined) parts.push(`≥ ${min}${unit}`);
    else if (max !== undefined) parts.push(`≤ ${max}${unit}`);
  };
  range(schema.minimum ?? schema.exclusiveMinimum, schema.maximum ?? schema.exclusiveMaximum);
  range(schema.minLength, schema.maxLength, ' characters');
  range(schema.minItems, schema.maxItems, ' items');
  if (schema.pattern) parts.push(`matches ${code(schema.pattern)}`);
  if (schema.items) {
    const inner = limitsOf(schema.items);
    if (inner) parts.push(`each ${inner}`);
  }
  return parts.join('; ');
}

function defaultOf(schema: JsonSchema): string {
  if (schema.default === undefined) return '';
  if (typeof schema.default === 'object' && schema.default !== null && Object.keys(schema.default).length === 0) {
    return Array.isArray(schema.default) ? '`[]`' : '';
  }
  return code(schema.default);
}

function collect(schema: JsonSchema, at: string, depth: number, rows: Row[], missing: string[], required: boolean): void {
  const described = schema.description ?? DESCRIPTIONS[at] ?? DESCRIPTIONS[at.replace(/\.[^.[\]]+$/, '.*')];
  if (at !== '' && described === undefined) missing.push(at);
  const isList = schema.type === 'array' && schema.items?.properties;
  if (at !== '') {
    rows.push({
      key: at,
      type: isList ? 'list of objects' : typeOf(schema),
      default: defaultOf(schema),
      limits: [
        required ? 'required' : '',
        isList ? limitsOf({ minItems: schema.minItems, maxItems: schema.maxItems }) : limitsOf(schema),
      ]
        .filter(Boolean)
        .join('; '),
      personal: personalRule(at),
      description: described ?? '',
      depth,
    });
  }
  const object = isList ? schema.items! : schema;
  const prefix = isList ? `${at}[]` : at;
  for (const [key, child] of Object.entries(object.properties ?? {})) {
    if (at === '' && key === '$schema') continue;
    collect(child, prefix ? `${prefix}.${key}` : key, depth + 1, rows, missing, Boolean(object.required?.includes(key)));
  }
}

/** The reference as Markdown (formatted as prettier would), and the keys that have no description. */
export async function renderPolicyReference(): Promise<{ text: string; missing: string[] }> {
  const schema = policyJsonSchema();
  const rows: Row[] = [];
  const missing: string[] = [];
  collect(schema, '', 0, rows, missing, false);
  const sections = new Map<string, Row[]>();
  for (const row of rows) {
    // A list of objects (providers.saml) gets its own section; other keys group by their first segment.
    const section = row.key.includes('[]')
      ? row.key.slice(0, row.key.indexOf('[]'))
      : row.type === 'list of objects'
        ? row.key
        : row.key.split('.')[0]!;
    sections.set(section, [...(sections.get(section) ?? []), row]);
  }
  const lines = [
    '<!-- Generated by `npm run docs:policy` from main/policy/config-schema.ts. Do not edit by hand. -->',
    '',
    '# Policy reference',
    '',
    'Every key Portico accepts in its configuration files: the machine policy written by IT',
    '(`policy.json`) and a person’s own settings (`config.json` in the user-data folder, and the file',
    'named by `PORTICO_CONFIG`). Both use this one schema; where to put the files and how they combine',
    'is in [it-deployment.md](it-deployment.md). Unknown keys and invalid values stop Portico with a',
    'screen naming the problem: it never falls back to defaults silently.',
    '',
    'Settings that decide security come only from the machine policy or the built-in defaults. The',
    'column **config.json** says what a person’s own settings may do with each key: `no` (only the',
    'machine policy may set it; in `config.json` it stops Portico with `CONFIG_INVALID`), or',
    '`stricter only` (lower, higher or `false`): the setting may be tightened beyond what the policy',
    'or the default sets, never loosened. The strictest value applies.',
    '',
    'A key written `a[].b` is the key `b` of each item of the list `a`. Every key is optional unless',
    'marked _required_ (then only within its list item). Keys set in the machine policy are locked.',
    '',
    `Editors can validate a file against [policy.schema.json](policy.schema.json) (JSON Schema, generated too):`,
    'put `"$schema": "<path or URL of policy.schema.json>"` at the top of the file.',
    '',
    'Examples for each identity provider: [examples/](examples/).',
    '',
  ];
  for (const [section, sectionRows] of sections) {
    lines.push(`## \`${section}\``, '');
    const head = sectionRows.find((row) => row.key === section);
    if (head?.description) lines.push(head.description, '');
    if (head?.type === 'list of objects') {
      lines.push(`A list${head.limits ? ` (${head.limits})` : ''}; each item has these keys:`, '');
    }
    const rest = sectionRows.filter((row) => row !== head);
    if (rest.length === 0) continue;
    lines.push('| Key | Type | Default | Limits | config.json | Meaning |', '| --- | --- | --- | --- | --- | --- |');
    for (const row of rest) {
      const cells = [code(row.key), row.type, row.default, row.limits, row.personal, row.description];
      lines.push(`| ${cells.map((text) => cell(text)).join(' | ')} |`);
    }
    lines.push('');
  }
  return { text: await prettierFormat(lines.join('\n'), REFERENCE_FILE), missing };
}

/** The JSON Schema, formatted as the repository's prettier would. */
export async function renderPolicySchema(): Promise<string> {
  const schema = { ...policyJsonSchema(), title: 'Portico configuration (config.json, policy.json)' };
  markPersonalRules(schema, '');
  return prettierFormat(JSON.stringify(schema, null, 2), SCHEMA_FILE);
}

/**
 * Adds `x-portico-config-json` to each property: what a person's own config.json may do with
 * it (the same words as the reference's column). JSON Schema ignores unknown keywords.
 */
function markPersonalRules(schema: JsonSchema & Record<string, unknown>, at: string): void {
  const isList = schema.type === 'array' && schema.items?.properties;
  const object = (isList ? schema.items : schema) as JsonSchema & Record<string, unknown>;
  const prefix = isList ? `${at}[]` : at;
  for (const [key, child] of Object.entries(object.properties ?? {})) {
    if (at === '' && key === '$schema') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    (child as Record<string, unknown>)['x-portico-config-json'] = personalRule(path);
    markPersonalRules(child as JsonSchema & Record<string, unknown>, path);
  }
}

async function prettierFormat(text: string, file: string): Promise<string> {
  const options = (await resolveConfig(file)) ?? {};
  return format(text, { ...options, filepath: file });
}
