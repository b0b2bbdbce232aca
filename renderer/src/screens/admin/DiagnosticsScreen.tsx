import { useEffect, useState } from 'react';
import type { DiagnosticsView } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { StatusMessage } from '../../components/StatusMessage';
import { isSessionLost } from '../../lib/api-errors';
import { createNotice, type Notice } from '../../lib/notice';
import { useFocusOnMount } from '../../lib/use-focus-on-mount';

/** Diagnostics for holders of `admin.settings`: what to fix, the full report, the support bundle. */
export function DiagnosticsScreen({ onSessionEnd }: { onSessionEnd: (message: string) => void }) {
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const [view, setView] = useState<DiagnosticsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [runs, setRuns] = useState(0);

  useEffect(() => {
    let cancelled = false;
    void window.portico.getDiagnostics().then((result) => {
      if (cancelled) return;
      if (result.ok) setView(result.value);
      else if (isSessionLost(result)) onSessionEnd(result.message);
      else setError(result.message);
    });
    return () => {
      cancelled = true;
    };
  }, [runs, onSessionEnd]);

  async function exportBundle() {
    setNotice(null);
    setError(null);
    const result = await window.portico.exportSupportBundle();
    if (!result.ok) {
      if (isSessionLost(result)) onSessionEnd(result.message);
      else setError(result.message);
    } else if (result.value)
      setNotice(createNotice(`Support bundle saved as ${result.value.fileName}. It holds no passwords or tokens.`));
  }

  return (
    <main className="page">
      <h2 ref={headingRef} tabIndex={-1} className="page-title">
        Diagnostics
      </h2>
      <p className="lead">Clock skew and reachability of each identity provider, key storage, proxy and policy.</p>
      <StatusMessage notice={notice} />
      {error ? <AlertMessage message={error} takeFocus={false} /> : null}
      <div className="button-row">
        <button type="button" className="button button-secondary" onClick={() => setRuns((n) => n + 1)}>
          Run again
        </button>
        <button type="button" className="button" onClick={() => void exportBundle()}>
          Export support bundle
        </button>
      </div>
      {!view ? (
        <p className="loading">Running checks…</p>
      ) : (
        <>
          <section className="panel" aria-labelledby="findings-heading">
            <h3 id="findings-heading">Findings</h3>
            {view.findings.length === 0 ? (
              <p className="integrity integrity-ok">No problems found.</p>
            ) : (
              <ul className="findings">
                {view.findings.map((f, i) => (
                  <li key={i} className={`finding finding-${f.severity}`}>
                    <strong>{f.severity}</strong> ({f.code}): {f.message}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="panel" aria-labelledby="locked-heading">
            <h3 id="locked-heading">Set by your administrator</h3>
            {view.lockedKeys.length === 0 ? (
              <p className="muted">No machine policy is in force: every setting comes from this computer’s configuration.</p>
            ) : (
              <ul aria-labelledby="locked-heading">
                {view.lockedKeys.map((key) => (
                  <li key={key}>
                    <code>{key}</code>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <details className="panel">
            <summary>Full report</summary>
            <pre className="report" tabIndex={0} aria-label="Diagnostics report (JSON)">
              {view.report}
            </pre>
          </details>
        </>
      )}
    </main>
  );
}
