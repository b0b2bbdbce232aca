import { CenteredCard } from '../components/CenteredCard';
import type { Problem } from '../lib/views';

/** Startup failed: explain and stop. There is deliberately no way to continue (fail closed). */
export function ErrorScreen({ problem }: { problem: Problem }) {
  return (
    <CenteredCard wide>
      <h1>{problem.title}</h1>
      <div role="alert" className="alert">
        <p>{problem.message}</p>
      </div>
      {problem.detail ? (
        <details className="details">
          <summary>Technical details</summary>
          <pre>{problem.detail}</pre>
        </details>
      ) : null}
      <p className="muted">Close Portico and try again after fixing the problem.</p>
    </CenteredCard>
  );
}
