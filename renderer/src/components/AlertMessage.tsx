import { useEffect, useRef } from 'react';

/**
 * An error for the user (role="alert"). It takes focus when it appears so keyboard and
 * screen-reader users land on it; give it a new `key` per attempt to announce it again.
 */
export function AlertMessage({ id, message, takeFocus = true }: { id?: string; message: string; takeFocus?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (takeFocus) ref.current?.focus();
  }, [takeFocus]);
  return (
    <div ref={ref} id={id} role="alert" tabIndex={-1} className="alert">
      <p>{message}</p>
    </div>
  );
}
