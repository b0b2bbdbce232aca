/**
 * Configuration of the audit log (`audit` in the policy file). IT sets it by machine policy,
 * which locks it: a user cannot shorten how long their own actions are kept.
 */
import { z } from 'zod';

export const MAX_RETENTION_DAYS = 3650;

/** A host name or an IPv4 / IPv6 address, nothing a URL or a shell could read more into. */
const HOST = /^[A-Za-z0-9:][A-Za-z0-9.:-]*$/;

const syslogTarget = z
  .strictObject({
    host: z.string().max(253).regex(HOST, 'a host name or an IP address').meta({
      description: 'The syslog server: a host name or an IP address.',
    }),
    port: z.number().int().min(1).max(65535).default(514).meta({ description: 'Its port (default 514).' }),
    protocol: z.enum(['udp', 'tcp']).default('udp').meta({
      description:
        '`udp` (one datagram per record, RFC 5426) or `tcp` (octet counting, RFC 6587; records wait while the server is unreachable, up to 1000). Neither is encrypted.',
    }),
  })
  .meta({
    description:
      'Send every audit record, as it is written, to this syslog server as an RFC 5424 message (facility 13, log audit; the record itself as the message). A server that cannot be reached never stops or slows Portico: the failure is logged, and the local log is complete.',
  });

export const auditConfig = z
  .strictObject({
    retentionDays: z.number().int().min(0).max(MAX_RETENTION_DAYS).default(0).meta({
      description:
        'Keep audit records at least this many days, then delete them; 0 keeps them forever. Portico moves the log to an archive (`audit-<date>-<seq>.jsonl`, same folder) every retentionDays / 10 days (1 to 30), and deletes an archive at a start once its newest record is this old, unless its hash chain is broken.',
    }),
    forward: z.strictObject({ syslog: syslogTarget }).optional().meta({
      description:
        'Copies of the audit records off the computer (off by default). The local log can be rewritten by a program running as the same OS user, which can read the vault key; the copies on the server cannot.',
    }),
  })
  .prefault({})
  .meta({
    description:
      'The audit log (`audit.jsonl` in the user-data folder: hash-chained, each record with a MAC, its head kept in the vault and checked at each start). Check a copy with `npm run audit:verify -- <file>`, an archive and the file after it with `--chain` (without the vault key: the chain, not the MACs).',
  });

export type AuditConfig = z.output<typeof auditConfig>;
