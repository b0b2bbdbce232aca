/**
 * A real SAML 2.0 IdP for tests: SimpleSAMLphp 1.19 (Debian's package) under `php -S` on a free
 * loopback port, with its own throw-away configuration folder, signing key and Entra-like users.
 *
 *   const idp = await startSamlIdp({ spEntityId, acsUrls: [acsUrl] });
 *   ... log in with browser-login.ts, validate with node-saml using idp.certPem ...
 *   await idp.stop();
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ENTRA_CLAIMS, ENTRA_USERS, type SamlIdpUser } from './entra-users';
import { IDP_CERT_FILE, IDP_KEY_FILE, idpLayout, pemBody, writeIdpConfig, type IdpLayout, type IdpSettings } from './config';
import { parseIdpMetadata } from './metadata';
import { freeLoopbackPort, httpGet, PortInUseError, startPhpServer, type PhpServer } from './php-server';

export { ENTRA_CLAIMS, ENTRA_GROUPS, ENTRA_OBJECT_IDS, ENTRA_USERS, type SamlIdpUser } from './entra-users';
export { parseIdpMetadata, type IdpMetadata } from './metadata';

const execFileAsync = promisify(execFile);

export const SIGNATURE_RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const SIGNATURE_RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const METADATA_PATH = '/saml2/idp/metadata.php';
const READY_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 5;

export interface StartSamlIdpOptions {
  /** The SP's entity id, e.g. 'https://portico.test/saml/sp'; also the assertion's Audience. */
  spEntityId: string;
  /** ACS endpoints the IdP accepts (HTTP-POST binding); the first is the default. */
  acsUrls: string[];
  /** The SP's SingleLogoutService (HTTP-Redirect), when SLO is tested. */
  spSloUrl?: string;
  /** Default ENTRA_USERS. */
  users?: SamlIdpUser[];
  /** Default RSA-SHA256. */
  signatureAlgorithm?: typeof SIGNATURE_RSA_SHA256 | typeof SIGNATURE_RSA_SHA1;
  /** Sign the Response element (default true). */
  signResponse?: boolean;
  /** Sign the Assertion element (default true). */
  signAssertion?: boolean;
  /** When set, the IdP requires AuthnRequests signed with this certificate's key (and checks them). */
  spSigningCertPem?: string;
  /** When set, assertions are encrypted for this certificate (EncryptedAssertion). */
  spEncryptionCertPem?: string;
  /** Assertion NotOnOrAfter − now (SimpleSAMLphp default 300 s). */
  assertionLifetimeSeconds?: number;
  /** IdP session length: becomes AuthnStatement/@SessionNotOnOrAfter (default 8 h). */
  sessionDurationSeconds?: number;
  /**
   * Keep the IdP's session cookie this long, across a browser restart, as Entra does after "Stay
   * signed in?" (default: a browser-session cookie, gone when the browser closes).
   */
  keepSignedInSeconds?: number;
}

export interface SamlIdp {
  /** http://127.0.0.1:<port>/ */
  baseUrl: string;
  /** The IdP's entity id, read from its metadata (it is the metadata URL). */
  entityId: string;
  metadataUrl: string;
  /** SingleSignOnService, HTTP-Redirect binding. */
  ssoUrl: string;
  /** SingleLogoutService, HTTP-Redirect binding. */
  sloUrl: string;
  /** The IdP's signing certificate (PEM). */
  certPem: string;
  /** The IdP's signing key (PEM), for tests that re-sign tampered responses. */
  keyPem: string;
  /** SimpleSAMLphp's log: IdP-side errors appear only here (the browser sees a track id). */
  logFile: string;
  /** pid of the php process, so tests can check that stop() really ended it. */
  pid: number;
  readLog(): Promise<string>;
  /** Ends php (SIGTERM, SIGKILL after 2 s) and deletes the configuration folder. Idempotent. */
  stop(): Promise<void>;
}

export async function startSamlIdp(options: StartSamlIdpOptions): Promise<SamlIdp> {
  if (options.acsUrls.length === 0) throw new Error('startSamlIdp: acsUrls must list at least one ACS URL');
  const layout = idpLayout(await fs.mkdtemp(path.join(os.tmpdir(), 'portico-saml-idp-')));
  try {
    const keys = await generateSigningKeyPair(layout);
    const { server, baseUrl } = await startOnFreePort(layout, options);
    return await describeIdp(layout, server, baseUrl, keys);
  } catch (error) {
    await fs.rm(layout.root, { recursive: true, force: true });
    throw error;
  }
}

/** A fresh self-signed key pair per IdP: a test that re-signs with keyPem cannot leak into another. */
async function generateSigningKeyPair(layout: IdpLayout): Promise<{ certPem: string; keyPem: string }> {
  await fs.mkdir(layout.certDir, { recursive: true });
  const keyFile = path.join(layout.certDir, IDP_KEY_FILE);
  const certFile = path.join(layout.certDir, IDP_CERT_FILE);
  // -days 2: long enough for any run, and SimpleSAMLphp does not check the validity period anyway.
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '2'];
  await execFileAsync('openssl', [...args, '-subj', '/CN=portico-test-idp', '-keyout', keyFile, '-out', certFile]);
  const [certPem, keyPem] = await Promise.all([fs.readFile(certFile, 'utf8'), fs.readFile(keyFile, 'utf8')]);
  return { certPem, keyPem };
}

/**
 * The base URL (with its port) is part of the configuration, so the config is rewritten for each
 * port tried; a port lost to another process between probing and php's bind is simply retried.
 */
async function startOnFreePort(layout: IdpLayout, options: StartSamlIdpOptions): Promise<{ server: PhpServer; baseUrl: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const baseUrl = `http://127.0.0.1:${port}/`;
    await writeIdpConfig(layout, settingsFor(baseUrl, options));
    try {
      const server = await startPhpServer({
        port,
        env: { SIMPLESAMLPHP_CONFIG_DIR: layout.configDir },
        readyPath: METADATA_PATH,
        timeoutMs: READY_TIMEOUT_MS,
      });
      return { server, baseUrl };
    } catch (error) {
      if (error instanceof PortInUseError && attempt < PORT_ATTEMPTS) continue;
      throw new Error(`SimpleSAMLphp IdP failed to start: ${(error as Error).message}\n${await readLogOf(layout)}`, {
        cause: error,
      });
    }
  }
}

function settingsFor(baseUrl: string, options: StartSamlIdpOptions): IdpSettings {
  return {
    baseUrl,
    users: options.users ?? ENTRA_USERS,
    sessionDurationSeconds: options.sessionDurationSeconds,
    keepSignedInSeconds: options.keepSignedInSeconds,
    sp: {
      entityId: options.spEntityId,
      acsUrls: options.acsUrls,
      sloUrl: options.spSloUrl,
      signatureAlgorithm: options.signatureAlgorithm ?? SIGNATURE_RSA_SHA256,
      signResponse: options.signResponse ?? true,
      signAssertion: options.signAssertion ?? true,
      signingCertPem: options.spSigningCertPem,
      encryptionCertPem: options.spEncryptionCertPem,
      assertionLifetimeSeconds: options.assertionLifetimeSeconds,
      nameIdAttribute: ENTRA_CLAIMS.objectId,
    },
  };
}

/** Takes entity id and endpoints from the metadata the IdP publishes, not from our own guesses. */
async function describeIdp(
  layout: IdpLayout,
  server: PhpServer,
  baseUrl: string,
  keys: { certPem: string; keyPem: string },
): Promise<SamlIdp> {
  const metadataUrl = new URL(METADATA_PATH.slice(1), baseUrl).href;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= server.stop().then(() => fs.rm(layout.root, { recursive: true, force: true })));
  try {
    const metadata = parseIdpMetadata((await httpGet(metadataUrl)).body);
    if (!metadata.signingCertificates.includes(pemBody(keys.certPem))) {
      throw new Error('the IdP metadata does not publish the generated signing certificate');
    }
    return {
      baseUrl,
      entityId: metadata.entityId,
      metadataUrl,
      ssoUrl: metadata.ssoRedirectUrl,
      sloUrl: metadata.sloRedirectUrl,
      certPem: keys.certPem,
      keyPem: keys.keyPem,
      logFile: logFileOf(layout),
      pid: server.pid,
      readLog: () => readLogOf(layout),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function logFileOf(layout: IdpLayout): string {
  return path.join(layout.logDir, 'simplesamlphp.log');
}

/** The log, or '' before SimpleSAMLphp has written anything (or after stop() removed it). */
async function readLogOf(layout: IdpLayout): Promise<string> {
  return fs.readFile(logFileOf(layout), 'utf8').catch(() => '');
}
