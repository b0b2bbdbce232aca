import { useEffect, useRef } from 'react';

/** Moves focus to the returned ref's element once, when the component mounts. */
export function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}
