/**
 * Builds the private configuration folder of one SimpleSAMLphp IdP: config.php, authsources.php
 * and the two metadata files. Every PHP file embeds its settings as JSON in a nowdoc and decodes
 * them, so no JavaScript value ever has to be escaped as a PHP literal.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SamlIdpUser } from './entra-users';

const BINDING_HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const BINDING_HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const NAMEID_PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const NAMEFORMAT_URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
/** SimpleSAML\Logger::INFO (= LOG_INFO): enough to see every request and error in the log file. */
const LOG_LEVEL_INFO = 6;
/** The exampleauth source every user logs in through. */
export const AUTH_SOURCE = 'example-userpass';
/** File names (in certdir) of the IdP's signing key pair. */
export const IDP_KEY_FILE = 'idp.key';
export const IDP_CERT_FILE = 'idp.crt';

export interface IdpLayout {
  root: string;
  configDir: string;
  certDir: string;
  metadataDir: string;
  logDir: string;
  dataDir: string;
  tempDir: string;
  sessionDir: string;
}

export interface IdpSettings {
  baseUrl: string;
  users: SamlIdpUser[];
  sessionDurationSeconds: number | undefined;
  /** Lifetime of the session cookie (undefined: a browser-session cookie). */
  keepSignedInSeconds: number | undefined;
  sp: {
    entityId: string;
    acsUrls: string[];
    sloUrl: string | undefined;
    signatureAlgorithm: string;
    signResponse: boolean;
    signAssertion: boolean;
    signingCertPem: string | undefined;
    encryptionCertPem: string | undefined;
    assertionLifetimeSeconds: number | undefined;
    /** Attribute whose first value becomes the persistent NameID. */
    nameIdAttribute: string;
  };
}

export function idpLayout(root: string): IdpLayout {
  const configDir = path.join(root, 'config');
  return {
    root,
    configDir,
    certDir: path.join(root, 'cert'),
    metadataDir: path.join(configDir, 'metadata'),
    logDir: path.join(root, 'log'),
    dataDir: path.join(root, 'data'),
    tempDir: path.join(root, 'tmp'),
    sessionDir: path.join(root, 'sessions'),
  };
}

/** Writes every configuration file; the signing key pair must already be in `certDir`. */
export async function writeIdpConfig(layout: IdpLayout, settings: IdpSettings): Promise<void> {
  await Promise.all(
    [layout.metadataDir, layout.certDir, layout.logDir, layout.dataDir, layout.tempDir, layout.sessionDir].map((dir) =>
      fs.mkdir(dir, { recursive: true }),
    ),
  );
  const files: [string, string][] = [
    [path.join(layout.configDir, 'config.php'), phpAssign('$config', mainConfig(layout, settings))],
    [path.join(layout.configDir, 'authsources.php'), phpAssign('$config', authSources(settings.users))],
    [path.join(layout.metadataDir, 'saml20-idp-hosted.php'), phpAssign('$metadata', hostedIdp())],
    [path.join(layout.metadataDir, 'saml20-sp-remote.php'), phpAssign('$metadata', remoteSp(settings.sp))],
  ];
  await Promise.all(files.map(([file, text]) => fs.writeFile(file, text, { mode: 0o600 })));
}

/** `<?php $name = json_decode(<json>, true);` — JSON objects become PHP associative arrays. */
function phpAssign(variable: string, value: unknown): string {
  const json = JSON.stringify(value, null, 2);
  return `<?php\n${variable} = json_decode(<<<'JSON'\n${json}\nJSON, true, 512, JSON_THROW_ON_ERROR);\n`;
}

function mainConfig(layout: IdpLayout, settings: IdpSettings): Record<string, unknown> {
  // Paths must end with '/': SimpleSAMLphp concatenates file names onto them.
  const dir = (p: string): string => `${p}/`;
  return {
    baseurlpath: settings.baseUrl,
    certdir: dir(layout.certDir),
    metadatadir: dir(layout.metadataDir),
    loggingdir: dir(layout.logDir),
    datadir: dir(layout.dataDir),
    tempdir: dir(layout.tempDir),
    'logging.handler': 'file',
    'logging.logfile': 'simplesamlphp.log',
    'logging.level': LOG_LEVEL_INFO,
    secretsalt: randomBytes(24).toString('hex'),
    'auth.adminpassword': randomBytes(24).toString('hex'),
    technicalcontact_name: 'Portico tests',
    technicalcontact_email: 'tests@portico.test',
    timezone: 'UTC',
    'enable.saml20-idp': true,
    'module.enable': { exampleauth: true, core: true, saml: true },
    'admin.checkforupdates': false,
    'store.type': 'phpsession',
    'session.phpsession.savepath': layout.sessionDir,
    ...(settings.sessionDurationSeconds !== undefined ? { 'session.duration': settings.sessionDurationSeconds } : {}),
    ...(settings.keepSignedInSeconds !== undefined ? { 'session.cookie.lifetime': settings.keepSignedInSeconds } : {}),
    // Plain http on loopback: secure cookies would never come back, and SameSite=None requires
    // Secure, so Chromium would drop the session cookie and the login would loop.
    'session.cookie.secure': false,
    'session.cookie.samesite': 'Lax',
    'language.cookie.secure': false,
    'language.cookie.samesite': 'Lax',
    // The classic templates: browser-login.ts relies on their form (`username`, `password`, `#submit_button`).
    usenewui: false,
    // Redirect targets (logout ReturnTo, RelayState) may point back at the IdP itself.
    'trusted.url.domains': ['127.0.0.1'],
  };
}

function authSources(users: SamlIdpUser[]): Record<string, unknown> {
  const source: Record<string, unknown> = { 0: 'exampleauth:UserPass' };
  for (const user of users) {
    // SimpleSAMLphp splits the key at the first ':', so a ':' in a user name would shift it.
    if (user.username.includes(':')) throw new Error(`SAML IdP user names cannot contain ':' (${user.username})`);
    source[`${user.username}:${user.password}`] = user.attributes;
  }
  return { [AUTH_SOURCE]: source };
}

function hostedIdp(): Record<string, unknown> {
  return {
    // '__DYNAMIC:1__' makes the entity id the IdP's own metadata URL.
    '__DYNAMIC:1__': {
      host: '__DEFAULT__',
      privatekey: IDP_KEY_FILE,
      certificate: IDP_CERT_FILE,
      auth: AUTH_SOURCE,
      'attributes.NameFormat': NAMEFORMAT_URI,
      'sign.logout': true,
      NameIDFormat: NAMEID_PERSISTENT,
    },
  };
}

function remoteSp(sp: IdpSettings['sp']): Record<string, unknown> {
  return {
    [sp.entityId]: {
      AssertionConsumerService: sp.acsUrls.map((Location, index) => ({ Binding: BINDING_HTTP_POST, Location, index })),
      ...(sp.sloUrl ? { SingleLogoutService: [{ Binding: BINDING_HTTP_REDIRECT, Location: sp.sloUrl }] } : {}),
      // Entra's SAML NameID is persistent; SimpleSAMLphp fills it from this attribute, so it is
      // the same value on every login (a random transient id would change each time).
      NameIDFormat: NAMEID_PERSISTENT,
      'simplesaml.nameidattribute': sp.nameIdAttribute,
      'attributes.NameFormat': NAMEFORMAT_URI,
      'signature.algorithm': sp.signatureAlgorithm,
      'saml20.sign.response': sp.signResponse,
      'saml20.sign.assertion': sp.signAssertion,
      ...(sp.assertionLifetimeSeconds !== undefined ? { 'assertion.lifetime': sp.assertionLifetimeSeconds } : {}),
      ...spKeys(sp),
    },
  };
}

/** The SP's certificates: one to check signed AuthnRequests, one to encrypt assertions for. */
function spKeys(sp: IdpSettings['sp']): Record<string, unknown> {
  const keys = [];
  if (sp.signingCertPem)
    keys.push({ type: 'X509Certificate', signing: true, encryption: false, X509Certificate: pemBody(sp.signingCertPem) });
  if (sp.encryptionCertPem)
    keys.push({ type: 'X509Certificate', signing: false, encryption: true, X509Certificate: pemBody(sp.encryptionCertPem) });
  return {
    ...(keys.length > 0 ? { keys } : {}),
    ...(sp.signingCertPem ? { 'validate.authnrequest': true } : {}),
    ...(sp.encryptionCertPem ? { 'assertion.encryption': true } : {}),
  };
}

/** The base64 DER of a PEM certificate, without armour or line breaks (SimpleSAMLphp's `certData`). */
export function pemBody(pem: string): string {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!match?.[1]) throw new Error('Not a PEM certificate');
  return match[1].replace(/\s+/g, '');
}
