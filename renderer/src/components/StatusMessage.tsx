import { useEffect, useState } from 'react';
import type { Notice } from '../lib/notice';

/**
 * A polite live region (role="status"). The region is always rendered; a notice passed at
 * mount is filled in just after, because screen readers announce changes to a live region,
 * not a region that appears already filled.
 */
export function StatusMessage({ notice }: { notice: Notice | null }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setReady(true), 100);
    return () => clearTimeout(timer);
  }, []);
  return (
    <div role="status" className="status-region">
      {ready && notice ? (
        <p key={notice.id} className="notice">
          {notice.text}
        </p>
      ) : null}
    </div>
  );
}
