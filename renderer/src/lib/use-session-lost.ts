import { useCallback } from 'react';
import type { IpcError } from '../../../preload/contract';
import { isSessionLost } from './api-errors';

/**
 * For screens: handles a failed call whose session is gone (back to sign-in with main's
 * message) and says so; false for any other error, which the screen shows itself.
 */
export function useSessionLost(onSessionEnd: (message: string) => void): (error: IpcError) => boolean {
  return useCallback(
    (error: IpcError) => {
      if (!isSessionLost(error)) return false;
      onSessionEnd(error.message);
      return true;
    },
    [onSessionEnd],
  );
}
