/**
 * One schema for Portico's configuration: built-in defaults < user settings < machine policy.
 * Unknown keys are refused (a typo in a policy file must not silently weaken it).
 * zod 4: `.prefault({})` parses the default, so nested defaults apply.
 */
import { z } from 'zod';
import { samlProviderConfig } from '../auth/saml/saml-config';
import { oidcProviderConfig } from '../auth/oidc/oidc-config';
import { updatesConfig } from './updates-config';
import { accessConfig } from '../auth/roles';
import { dataConfig } from '../data/data-config';
import { auditConfig } from '../audit/audit-config';

const httpsUrl = z.url({ protocol: /^https$/, message: 'Must be an https:// URL.' });

export const OWASP_ARGON2ID = { memoryKiB: 19456, timeCost: 2, parallelism: 1 } as const;

export const sessionConfig = z
  .strictObject({
    /**
     * The window locks after this long without keyboard or pointer input: the session stays in
     * main, but no data channel answers until the same person unlocks it (session-manager.ts).
     */
    lockAfterMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    /**
     * Sign out after this long without activity, locked or not. Not longer than the lock: the
     * session signs out then, without locking first.
     */
    idleMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
    absoluteHours: z
      .number()
      .min(0.01)
      .max(24 * 30)
      .default(12),
    persistSession: z.boolean().default(false),
    /** Admin actions need the password confirmed within this many minutes. */
    recentSignInMinutes: z
      .number()
      .min(1)
      .max(24 * 60)
      .default(15),
    /** The sign-in screen fills in the last username or provider (never a password). */
    rememberLastSignIn: z.boolean().default(true),
    /**
     * The SSO sign-in window keeps the IdP's cookies on disk (encrypted by Electron), so the next
     * launch does not ask for the IdP password while the IdP's session is valid; cleared at sign-out.
     */
    keepIdpSignIn: z.boolean().default(true),
  })
  .prefault({});

export const localAccountsConfig = z
  .strictObject({
    enabled: z.boolean().default(true),
    /**
     * With single sign-on configured, administrators come from the IdP's groups and there is no
     * local first-run administrator, unless IT allows one here (e.g. while setting up the mapping).
     */
    allowBootstrapAdmin: z.boolean().default(false),
    minPasswordLength: z.number().int().min(12).max(256).default(12),
    /** Failures before the account locks. */
    maxFailures: z.number().int().min(1).max(100).default(5),
    lockoutMinutes: z
      .number()
      .min(0.01)
      .max(24 * 60)
      .default(15),
    /** Wait after the first failure; doubles with each further one (capped at 30 s). */
    backoffBaseMs: z.number().int().min(0).max(60_000).default(1000),
    /**
     * Local sign-in attempts per minute across all usernames (password spraying, argon2 cost);
     * one more is refused with THROTTLED until the minute has passed.
     */
    maxAttemptsPerMinute: z.number().int().min(1).max(10_000).default(30),
    /**
     * Two-step verification (an authenticator app, TOTP) for local accounts: `off` (each person
     * may still set it up), required for `admins` (any role with an admin.* permission), or for
     * `everyone`. Someone it requires who has none sets it up at their next sign-in.
     */
    mfa: z.enum(['off', 'admins', 'everyone']).default('off'),
    /** argon2id cost; never below the OWASP minimum. Raising it rehashes at next sign-in. */
    argon2: z
      .strictObject({
        memoryKiB: z
          .number()
          .int()
          .min(OWASP_ARGON2ID.memoryKiB)
          .max(4 * 1024 * 1024)
          .default(OWASP_ARGON2ID.memoryKiB),
        timeCost: z.number().int().min(OWASP_ARGON2ID.timeCost).max(20).default(OWASP_ARGON2ID.timeCost),
        parallelism: z.literal(1).default(1),
      })
      .prefault({}),
  })
  .prefault({});

export const securityConfig = z
  .strictObject({
    /** Linux without a keyring: Electron would use a hard-coded key. Off unless IT allows it. */
    allowWeakKeyStorage: z.boolean().default(false),
    /** https URLs (prefixes by origin + path) the app may open in the system browser. */
    externalUrlAllowList: z.array(httpsUrl).max(100).default([]),
  })
  .prefault({});

export const providersConfig = z
  .strictObject({
    saml: z
      .array(samlProviderConfig)
      .max(20)
      .default([])
      .refine((list) => new Set(list.map((p) => p.id)).size === list.length, 'Provider ids must be unique.'),
    oidc: z
      .array(oidcProviderConfig)
      .max(20)
      .default([])
      .refine((list) => new Set(list.map((p) => p.id)).size === list.length, 'Provider ids must be unique.'),
  })
  .prefault({})
  .refine(
    (p) => new Set([...p.saml, ...p.oidc].map((x) => x.id)).size === p.saml.length + p.oidc.length,
    'Provider ids must be unique.',
  );

export const porticoConfig = z
  .strictObject({
    $schema: z.string().optional(),
    session: sessionConfig,
    localAccounts: localAccountsConfig,
    security: securityConfig,
    providers: providersConfig,
    updates: updatesConfig,
    access: accessConfig,
    data: dataConfig,
    audit: auditConfig,
  })
  .prefault({});

export type PorticoConfig = z.output<typeof porticoConfig>;
export type PorticoConfigInput = z.input<typeof porticoConfig>;
