/**
 * The `postgres` dataset source (IT's policy only, like every dataset): where the server is,
 * how TLS is checked, and how each person proves who they are to the database. No shared
 * database account exists here by design: there is no field for one.
 */
import { z } from 'zod';

/** PostgreSQL identifiers as Portico accepts them (always quoted in SQL). */
const PG_IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
const pgIdent = (what: string) => z.string().regex(PG_IDENT, `${what} uses letters, digits, _ and $ (at most 63).`);

/** Hosts where an unencrypted connection cannot leave the machine. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

const pem = z
  .string()
  .max(20_000)
  .regex(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/, 'A CA certificate in PEM form.');

export const postgresTlsConfig = z.discriminatedUnion('mode', [
  /** TLS, the server's certificate checked against `ca` and the host name. */
  z.strictObject({ mode: z.literal('verify-full'), ca: z.array(pem).min(1).max(10) }),
  /** No TLS: only to a server on this machine (checked with the host). */
  z.strictObject({ mode: z.literal('disable') }),
]);

/** `{email}` or `{username}` from the Portico session, or a fixed role name. */
const userTemplate = z
  .string()
  .trim()
  .min(1)
  .max(128)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .regex(/^(\{email\}|\{username\}|[^{}\u0000-\u001f]+)$/, 'Use {email}, {username} or a role name.');

export const ENTRA_DB_SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';

export const postgresAuthConfig = z.discriminatedUnion('method', [
  /** Each person's own database login, typed once, kept in the vault. */
  z.strictObject({
    method: z.literal('password'),
    /** Prefills the Connect form's username. */
    username: userTemplate.optional(),
  }),
  /** Azure Database for PostgreSQL with Microsoft Entra: the person's access token is the password. */
  z.strictObject({
    method: z.literal('entra-token'),
    /** The OIDC provider (`providers.oidc[].id`) the person signed in with. */
    provider: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
    scope: z.string().trim().min(1).max(500).default(ENTRA_DB_SCOPE),
    /** The database user: the person's UPN (`{email}`, default), `{username}`, or a group role's name. */
    user: userTemplate.default('{email}'),
  }),
]);

export const postgresSourceConfig = z
  .strictObject({
    type: z.literal('postgres'),
    host: z
      .string()
      .trim()
      .min(1)
      .max(253)
      .regex(/^[A-Za-z0-9.:-]+$/, 'A host name or IP address.'),
    port: z.number().int().min(1).max(65535).default(5432),
    database: z.string().min(1).max(63),
    schema: pgIdent('The schema').default('public'),
    table: pgIdent('The table'),
    tls: postgresTlsConfig,
    auth: postgresAuthConfig,
    /** Shown above the grid: which rows a person sees (the database decides). */
    rowScope: z.string().trim().min(1).max(300).optional(),
    /** `schema.function()` returning whether the caller sees any row (answered before querying). */
    entitledFunction: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}\.[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'Name it as schema.function.')
      .optional(),
    maxConnections: z.number().int().min(2).max(10).default(4),
  })
  .superRefine((source, ctx) => {
    if (source.tls.mode === 'disable' && !LOOPBACK_HOSTS.includes(source.host.toLowerCase())) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: `TLS can only be off for a server on this machine; ${source.host} needs { "mode": "verify-full", "ca": [...] }.`,
      });
    }
  });

export type PostgresSource = z.output<typeof postgresSourceConfig>;
export type PostgresAuth = z.output<typeof postgresAuthConfig>;

/** `{email}` / `{username}` filled from the session; null when the session has no such value. */
export function fillUserTemplate(template: string, who: { email: string | null; username: string }): string | null {
  if (template === '{email}') return who.email;
  if (template === '{username}') return who.username;
  return template;
}
