/** The audit log viewer's channel (admin.audit): filtered records, newest first, and the chain's integrity. */
import type { AuditQueryResult } from '../../preload/contract';
import type { IpcRegistry } from '../ipc/registry';
import type { Session } from '../session/session-manager';
import type { AuditLog } from './audit-log';
import { AUDIT_ACTIONS, type AuditAction } from './audit-record';

export function setupAuditHandlers(registry: IpcRegistry<Session>, { audit }: { audit: AuditLog }): void {
  registry.handle('audit:query', async function handleQueryAudit(input): Promise<AuditQueryResult> {
    const actions = input.action ? actionsMatching(input.action) : undefined;
    if (actions && actions.length === 0) return { entries: [], integrity: integrityOf(await audit.verify()) };
    const result = await audit.query({
      actor: input.actor || undefined,
      action: actions,
      from: input.from,
      // The screen's "to" is inclusive (a minute picked in a date-time field); the log's is exclusive.
      to: input.to === undefined ? undefined : input.to + 1,
      limit: input.limit,
    });
    return {
      entries: result.records.map((r) => ({
        seq: r.seq,
        at: r.at,
        actor: r.actor,
        action: r.action,
        outcome: r.outcome,
        target: r.target ?? null,
        details: r.details ?? {},
        verified: r.verified,
      })),
      integrity: integrityOf(result.verification),
    };
  });
}

/** "sign-in" finds auth.sign-in and auth.sign-in-failed; an exact name finds just that action. */
export function actionsMatching(text: string): AuditAction[] {
  const wanted = text.trim().toLowerCase();
  const exact = AUDIT_ACTIONS.find((a) => a === wanted);
  return exact ? [exact] : AUDIT_ACTIONS.filter((a) => a.includes(wanted));
}

function integrityOf(v: Awaited<ReturnType<AuditLog['verify']>>): AuditQueryResult['integrity'] {
  return v.ok ? { ok: true, count: v.count } : { ok: false, count: v.count, brokenAtLine: v.brokenAt.line, reason: v.reason };
}
