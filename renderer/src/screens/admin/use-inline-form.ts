import { useState, type FormEvent } from 'react';
import type { IpcError, IpcResult, UserRecordSummary } from '../../../../preload/contract';
import { formFailure, type FormFailure } from '../../lib/api-errors';
import type { AdminCall } from './use-recent-sign-in';

/**
 * The submit logic of an inline admin form under a user's row (reset password, edit access):
 * one call at a time, through the recent-sign-in check; done on success, the failure kept for
 * the form to show, and nothing more when the session is gone.
 */
export function useInlineForm(
  run: AdminCall,
  sessionLost: (error: IpcError) => boolean,
  onDone: (user: UserRecordSummary) => void,
) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<FormFailure | null>(null);

  const submit = (call: () => Promise<IpcResult<UserRecordSummary>>) => async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    const result = await run(call);
    if (!result) {
      setBusy(false);
      return;
    }
    if (result.ok) {
      onDone(result.value);
      return;
    }
    if (sessionLost(result)) return;
    setBusy(false);
    setFailure(formFailure(result, failure));
  };

  return { busy, failure, submit };
}
