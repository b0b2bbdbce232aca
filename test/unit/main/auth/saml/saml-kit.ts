/**
 * Shared set-up for the SAML service-provider tests: a real SimpleSAMLphp IdP per test file (or per
 * describe), one Chromium for the file, a browser context per user (the IdP session makes a second
 * login for the same user ≈0.1 s), and Portico's own SamlServiceProvider configured as IT would.
 *
 *   const kit = useSamlKit();                    // registers beforeAll/afterAll in this scope
 *   const login = await kit.login('alice');      // fresh AuthnRequest + real signed response
 *   await expectRefusal(login.sp.validateResponse(acsPostBody(tampered), login.requestId), 'SAML_AUDIENCE');
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { z } from 'zod';
import { SamlServiceProvider } from '../../../../../main/auth/saml/saml-service-provider';
import { samlProviderConfig, type SamlProviderConfig } from '../../../../../main/auth/saml/saml-config';
import { SamlError, type SamlRefusal } from '../../../../../main/auth/saml/saml-errors';
import type { SamlAssertion } from '../../../../../main/auth/saml/saml-assertion';
import { chromiumLaunchOptions } from '../../../../host/chromium';
import { loginAndCaptureAcsPost } from '../../../../idp/saml/browser-login';
import {
  ENTRA_CLAIMS,
  ENTRA_GROUPS,
  ENTRA_USERS,
  startSamlIdp,
  type SamlIdp,
  type SamlIdpUser,
  type StartSamlIdpOptions,
} from '../../../../idp/saml/simplesamlphp';
import { fromBase64, type SigningKey } from '../../../../idp/saml/tampering';
import { FakeClock } from '../../../helpers';

const execFileAsync = promisify(execFile);

export const SP_ENTITY_ID = 'https://portico.test/saml/sp';
/** Never resolved: the browser's POST to it is answered by page.route. */
export const ACS_URL = 'https://portico.invalid/saml/corp/acs';
export const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

/**
 * An extra IdP user for the attacks on text: her stable id, which the IdP sends as the NameID, is
 * `admin@corp.test.evil.test` (an attacker who registered that name), and she is in no Portico group.
 */
export const MALLORY: SamlIdpUser = {
  username: 'mallory',
  password: 'mallory-password',
  attributes: {
    [ENTRA_CLAIMS.objectId]: ['admin@corp.test.evil.test'],
    [ENTRA_CLAIMS.email]: ['mallory@evil.test'],
    [ENTRA_CLAIMS.name]: ['mallory@evil.test'],
    [ENTRA_CLAIMS.displayName]: ['Mallory'],
    [ENTRA_CLAIMS.groups]: [ENTRA_GROUPS.employees.id],
  },
};

/**
 * groupRoles maps the groups the test users carry: alice is in portico-admins and bob in
 * portico-viewers, both sent by display name (all-employees, sent by object id, is unmapped).
 */
export const GROUP_ROLES = {
  [ENTRA_GROUPS.admins.name]: ['admin'],
  [ENTRA_GROUPS.viewers.name]: ['viewer'],
} as const;

export type ConfigOverrides = Partial<z.input<typeof samlProviderConfig>>;

export interface Login {
  sp: SamlServiceProvider;
  clock: FakeClock;
  /** The AuthnRequest this response answers. */
  requestId: string;
  /** The IdP's SAMLResponse as posted (base64) and decoded. */
  samlResponse: string;
  xml: string;
}

export interface SamlKit {
  readonly idp: SamlIdp;
  readonly browser: Browser;
  /** The connection as IT would configure it for this IdP. */
  config(overrides?: ConfigOverrides): SamlProviderConfig;
  /** The IdP's own signing key, to re-sign a tampered response so that only one check is left. */
  readonly idpKey: SigningKey;
  /** A new SP with a fake clock set to now (node-saml reads the real clock: keep them together). */
  serviceProvider(overrides?: ConfigOverrides, clock?: FakeClock): { sp: SamlServiceProvider; clock: FakeClock };
  /**
   * A fresh login request from `provider` (an SP from serviceProvider(), with its clock; default: a
   * new one), answered by the IdP for `username` with the password `<username>-password`.
   */
  login(username: string, provider?: { sp: SamlServiceProvider; clock: FakeClock }): Promise<Login>;
  /** The page of `username`'s browser context (the IdP session of that user). */
  page(username: string): Promise<Page>;
}

/**
 * Starts one IdP (and, unless `browser` is given, one Chromium) in `beforeAll` of the calling scope
 * and stops them in `afterAll`. The returned kit is usable inside tests only.
 */
export function useSamlKit(
  options: {
    /** IdP options (a function when they depend on something made in an earlier beforeAll, e.g. SP keys). */
    idp?: Partial<StartSamlIdpOptions> | (() => Partial<StartSamlIdpOptions>);
    /** Connection settings every SP of this kit gets (likewise lazy when needed). */
    config?: ConfigOverrides | (() => ConfigOverrides);
    /** A browser launched by the caller (one per file); default: the kit launches its own. */
    browser?: () => Browser;
  } = {},
): SamlKit {
  const lazy = <T>(value: T | (() => T) | undefined): T | undefined =>
    typeof value === 'function' ? (value as () => T)() : value;
  let idp: SamlIdp | undefined;
  let browser: Browser | undefined;
  let ownBrowser = false;
  const contexts = new Map<string, Promise<{ context: BrowserContext; page: Page }>>();

  beforeAll(async () => {
    ownBrowser = !options.browser;
    // Both started together; whichever did start is stopped in afterAll even if the other failed.
    const [started, launched] = await Promise.allSettled([
      startSamlIdp({ spEntityId: SP_ENTITY_ID, acsUrls: [ACS_URL], users: [...ENTRA_USERS, MALLORY], ...lazy(options.idp) }),
      options.browser ? Promise.resolve(options.browser()) : chromium.launch({ ...chromiumLaunchOptions(), headless: true }),
    ]);
    if (started.status === 'fulfilled') idp = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const outcome of [started, launched]) if (outcome.status === 'rejected') throw outcome.reason;
  }, 30_000);

  afterAll(async () => {
    for (const entry of contexts.values()) await entry.then(({ context }) => context.close()).catch(() => undefined);
    contexts.clear();
    if (ownBrowser) await browser?.close();
    await idp?.stop();
  });

  const started = (): { idp: SamlIdp; browser: Browser } => {
    if (!idp || !browser) throw new Error('useSamlKit: use the kit inside tests (beforeAll has not run)');
    return { idp, browser };
  };

  const kit: SamlKit = {
    get idp() {
      return started().idp;
    },
    get browser() {
      return started().browser;
    },
    get idpKey() {
      const { idp } = started();
      return { privateKeyPem: idp.keyPem, certificatePem: idp.certPem };
    },
    config(overrides = {}) {
      const { idp } = started();
      return samlProviderConfig.parse({
        id: 'corp',
        displayName: 'Corp',
        idpSsoUrl: idp.ssoUrl,
        idpEntityId: idp.entityId,
        idpCertificates: [idp.certPem],
        spEntityId: SP_ENTITY_ID,
        acsUrl: ACS_URL,
        groupRoles: GROUP_ROLES,
        ...lazy(options.config),
        ...overrides,
      });
    },
    serviceProvider(overrides = {}, clock = new FakeClock(Date.now())) {
      return { sp: new SamlServiceProvider(kit.config(overrides), clock), clock };
    },
    async page(username) {
      let entry = contexts.get(username);
      if (!entry) {
        entry = started()
          .browser.newContext()
          .then(async (context) => ({ context, page: await context.newPage() }));
        contexts.set(username, entry);
      }
      return (await entry).page;
    },
    async login(username, provider = kit.serviceProvider()) {
      const { sp, clock } = provider;
      const { url, requestId } = await sp.createLoginRequest();
      const post = await loginAndCaptureAcsPost(await kit.page(username), {
        startUrl: url,
        acsUrl: sp.acsUrl,
        username,
        password: `${username}-password`,
      });
      return { sp, clock, requestId, samlResponse: post.SAMLResponse, xml: fromBase64(post.SAMLResponse) };
    },
  };
  return kit;
}

/**
 * Awaits `validation` and asserts it was refused with exactly `code`. A response that is accepted
 * fails the test with what was accepted; any other error fails it with that error.
 */
export async function expectRefusal(validation: Promise<SamlAssertion>, code: SamlRefusal): Promise<SamlError> {
  const outcome = await validation.then(
    (assertion) => ({ accepted: assertion }) as const,
    (error: unknown) => ({ error }) as const,
  );
  if ('accepted' in outcome) {
    expect.fail(`expected ${code}, but the response was ACCEPTED as ${outcome.accepted.nameId} (${outcome.accepted.id})`);
  }
  if (!(outcome.error instanceof SamlError)) throw outcome.error;
  // Compared with the detail, so a failure says what the SP actually saw.
  expect({ code: outcome.error.code, detail: outcome.error.detail }).toEqual({ code, detail: outcome.error.detail });
  return outcome.error;
}

/** A throw-away RSA key and self-signed certificate (PEM), made with openssl as the IdP harness does. */
export async function generateKeyAndCertificate(commonName: string): Promise<{ privateKeyPem: string; certificatePem: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portico-saml-key-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await execFileAsync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-sha256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    const [privateKeyPem, certificatePem] = await Promise.all([fs.readFile(keyFile, 'utf8'), fs.readFile(certFile, 'utf8')]);
    return { privateKeyPem, certificatePem };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
