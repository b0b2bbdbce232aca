import type { ReactNode } from 'react';

/** The layout for screens shown before sign-in: a centered card inside the main landmark. */
export function CenteredCard({ children, wide = false }: { children: ReactNode; wide?: boolean }) {
  return (
    <main className="centered">
      <p className="wordmark" aria-hidden="true">
        Portico
      </p>
      <div className={wide ? 'card card-wide' : 'card'}>{children}</div>
    </main>
  );
}
