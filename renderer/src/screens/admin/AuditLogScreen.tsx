import { useEffect, useState } from 'react';
import type { AuditQueryResult, IpcError } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { isSessionLost } from '../../lib/api-errors';
import { useFocusOnMount } from '../../lib/use-focus-on-mount';

interface Filters {
  actor: string;
  action: string;
  from: string;
  to: string;
}

/** Local date-time input (YYYY-MM-DDTHH:mm) to epoch ms; empty stays unset. */
function toEpoch(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** The audit log for holders of `admin.audit`: filter by user, action and time; the chain's integrity. */
export function AuditLogScreen({ onSessionEnd }: { onSessionEnd: (message: string) => void }) {
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const [filters, setFilters] = useState<Filters>({ actor: '', action: '', from: '', to: '' });
  const [applied, setApplied] = useState<Filters>(filters);
  // Answers are tagged with the filters they answer: others read as "loading".
  const [answer, setAnswer] = useState<{ for: Filters; result: AuditQueryResult | null; error: IpcError | null } | null>(null);
  const result = answer?.for === applied ? answer.result : null;
  const error = answer?.for === applied ? answer.error : null;

  useEffect(() => {
    let cancelled = false;
    void window.portico
      .queryAudit({
        actor: applied.actor.trim() || undefined,
        action: applied.action.trim() || undefined,
        from: toEpoch(applied.from),
        to: toEpoch(applied.to),
        limit: 500,
      })
      .then((reply) => {
        if (cancelled) return;
        if (reply.ok) setAnswer({ for: applied, result: reply.value, error: null });
        else if (isSessionLost(reply)) onSessionEnd(reply.message);
        else setAnswer({ for: applied, result: null, error: reply });
      });
    return () => {
      cancelled = true;
    };
  }, [applied, onSessionEnd]);

  const field = (name: keyof Filters, label: string, type = 'text') => (
    <div className="field field-inline">
      <label htmlFor={`audit-${name}`}>{label}</label>
      <input
        id={`audit-${name}`}
        type={type}
        value={filters[name]}
        onChange={(event) => setFilters((f) => ({ ...f, [name]: event.target.value }))}
      />
    </div>
  );

  return (
    <main className="page">
      <h2 ref={headingRef} tabIndex={-1} className="page-title">
        Audit log
      </h2>
      <p className="lead">Sign-ins, sign-outs, failures, role changes, exports and admin actions, newest first.</p>
      {result ? (
        result.integrity.ok ? (
          <p className="integrity integrity-ok" role="status">
            Integrity verified: all {result.integrity.count} records chain correctly.
          </p>
        ) : (
          <div className="alert" role="alert">
            <p>
              The audit log has been altered or damaged: the chain breaks at line {result.integrity.brokenAtLine} (
              {result.integrity.reason}). Records from there on cannot be trusted. Keep a copy of the file and tell your security
              team.
            </p>
          </div>
        )
      ) : null}
      <form
        className="audit-filters"
        onSubmit={(event) => {
          event.preventDefault();
          setApplied(filters);
        }}
      >
        {field('actor', 'User')}
        {field('action', 'Action')}
        {field('from', 'From', 'datetime-local')}
        {field('to', 'To', 'datetime-local')}
        <button type="submit" className="button">
          Apply filters
        </button>
      </form>
      {error ? <AlertMessage message={error.message} takeFocus={false} /> : null}
      {!result ? (
        error ? null : (
          <p className="loading">Loading the audit log…</p>
        )
      ) : result.entries.length === 0 ? (
        <p className="muted">No records match these filters.</p>
      ) : (
        <table className="table audit-table">
          <caption className="visually-hidden">Audit records</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">User</th>
              <th scope="col">Action</th>
              <th scope="col">Outcome</th>
              <th scope="col">Target</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {result.entries.map((entry) => (
              <tr key={entry.seq}>
                <td>{entry.seq}</td>
                <td>
                  <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
                </td>
                <td>{entry.actor ?? '—'}</td>
                <td>{entry.action}</td>
                <td className={`outcome outcome-${entry.outcome}`}>{entry.outcome}</td>
                <td>{entry.target ?? ''}</td>
                <td className="audit-details">
                  {Object.entries(entry.details)
                    .map(([k, v]) => `${k}: ${String(v)}`)
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
