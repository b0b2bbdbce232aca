/**
 * The admin viewer's query over an audit log's text: filter by actor, action, outcome and
 * time, newest first, paged by seq, together with the chain's verification so that the
 * viewer can say whether (and from which record on) the log can be trusted. Pure.
 */
import { z } from 'zod';
import { parseAuditText, verifyAuditText, type AuditVerification, type VerifyOptions } from './audit-chain';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, type AuditAction, type AuditOutcome, type AuditRecord } from './audit-record';

export const DEFAULT_QUERY_LIMIT = 200;
export const MAX_QUERY_LIMIT = 1000;

export interface AuditQuery {
  /** Exact username; null selects events without a user (app start, unknown user). */
  actor?: string | null;
  action?: AuditAction | readonly AuditAction[];
  outcome?: AuditOutcome;
  /** Inclusive lower bound on `at`: epoch ms or an ISO 8601 date-time. */
  from?: number | string;
  /** Exclusive upper bound on `at` (so that days tile: from 00:00 to the next 00:00). */
  to?: number | string;
  /** 1..1000, default 200. */
  limit?: number;
  /** Only records with a smaller seq: pass the previous page's `nextBeforeSeq`. */
  beforeSeq?: number;
}

export interface AuditQueryRecord extends AuditRecord {
  /** 1-based line in the file. */
  line: number;
  /** False for records at or after the first break of the chain: their content cannot be trusted. */
  verified: boolean;
}

export interface AuditQueryResult {
  /** Newest first (by position in the file). */
  records: AuditQueryRecord[];
  /** Pass as `beforeSeq` for the next page; null when there is none. */
  nextBeforeSeq: number | null;
  /** The whole file's verification, whatever the filter. */
  verification: AuditVerification;
}

export class AuditQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditQueryError';
  }
}

const time = z.union([z.number().finite(), z.iso.datetime({ offset: true })]);
const auditQuerySchema = z.strictObject({
  actor: z.string().nullable().optional(),
  action: z.union([z.enum(AUDIT_ACTIONS), z.array(z.enum(AUDIT_ACTIONS))]).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  from: time.optional(),
  to: time.optional(),
  limit: z.number().int().min(1).max(MAX_QUERY_LIMIT).optional(),
  beforeSeq: z.number().int().min(1).optional(),
});

interface ParsedQuery {
  actor: string | null | undefined;
  actions: ReadonlySet<string> | null;
  outcome: AuditOutcome | undefined;
  from: number;
  to: number;
  limit: number;
  beforeSeq: number;
}

/** Validates a query (it may come from the renderer). Throws AuditQueryError naming the bad field. */
export function parseAuditQuery(input: unknown): ParsedQuery {
  const parsed = auditQuerySchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuditQueryError(`Invalid audit query${issue ? ` (${issue.path.join('.') || 'query'}: ${issue.message})` : ''}.`);
  }
  const q = parsed.data;
  return {
    actor: q.actor,
    actions: q.action === undefined ? null : new Set(Array.isArray(q.action) ? q.action : [q.action]),
    outcome: q.outcome,
    from: q.from === undefined ? -Infinity : toMs(q.from),
    to: q.to === undefined ? Infinity : toMs(q.to),
    limit: q.limit ?? DEFAULT_QUERY_LIMIT,
    beforeSeq: q.beforeSeq ?? Infinity,
  };
}

function toMs(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

/** Runs a query over a log's text. Throws AuditQueryError for an invalid query. */
export function queryAuditText(text: string, query: AuditQuery = {}, options: VerifyOptions = {}): AuditQueryResult {
  const q = parseAuditQuery(query);
  const verification = verifyAuditText(text, options);
  const trustedBefore = verification.ok ? Infinity : verification.brokenAt.line;
  const entries = parseAuditText(text);

  const records: AuditQueryRecord[] = [];
  let nextBeforeSeq: number | null = null;
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const { line, record } = entries[i]!;
    if (!record || !matches(record, q)) continue;
    if (records.length === q.limit) {
      nextBeforeSeq = records[records.length - 1]!.seq;
      break;
    }
    records.push({ ...record, line, verified: line < trustedBefore });
  }
  return { records, nextBeforeSeq, verification };
}

function matches(record: AuditRecord, q: ParsedQuery): boolean {
  if (record.seq >= q.beforeSeq) return false;
  if (q.actor !== undefined && record.actor !== q.actor) return false;
  if (q.actions && !q.actions.has(record.action)) return false;
  if (q.outcome !== undefined && record.outcome !== q.outcome) return false;
  const at = Date.parse(record.at);
  return at >= q.from && at < q.to;
}
