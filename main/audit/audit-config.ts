/**
 * Configuration of the audit log (`audit` in the policy file). IT sets it by machine policy,
 * which locks it: a user cannot shorten how long their own actions are kept.
 */
import { z } from 'zod';

export const MAX_RETENTION_DAYS = 3650;

export const auditConfig = z
  .strictObject({
    retentionDays: z.number().int().min(0).max(MAX_RETENTION_DAYS).default(0).meta({
      description:
        'Keep audit records at least this many days, then delete them; 0 keeps them forever. Portico moves the log to an archive (`audit-<date>-<seq>.jsonl`, same folder) every retentionDays / 10 days (1 to 30), and deletes an archive at a start once its newest record is this old, unless its hash chain is broken.',
    }),
  })
  .prefault({})
  .meta({
    description:
      'The audit log (`audit.jsonl` in the user-data folder, hash-chained). Check a file with `npm run audit:verify -- <file>`, an archive and the file after it with `--chain`.',
  });

export type AuditConfig = z.output<typeof auditConfig>;
