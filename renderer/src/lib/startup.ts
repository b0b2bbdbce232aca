import { createNotice } from './notice';
import type { View } from './views';

const START_FAILED = 'Portico could not start';

/**
 * Decides the first screen: the app status from main, then (when ready) the current
 * session. Anything unexpected fails closed on the error screen.
 */
export async function resolveStartView(): Promise<View> {
  const api = typeof window.portico === 'object' && window.portico !== null ? window.portico : null;
  if (!api) {
    return {
      name: 'error',
      problem: {
        title: START_FAILED,
        message: 'The connection to the Portico app is missing. Reinstall Portico or ask your IT department.',
      },
    };
  }
  try {
    const infoResult = await api.getAppInfo();
    if (!infoResult.ok) return { name: 'error', problem: { title: START_FAILED, message: infoResult.message } };
    const info = infoResult.value;
    const status = info.status;
    if (status.state === 'error') {
      const problem = { title: status.title, message: status.message, ...(status.detail ? { detail: status.detail } : {}) };
      return { name: 'error', problem };
    }
    if (status.state === 'needs-setup') return { name: 'setup', info };

    const sessionResult = await api.getCurrentSession();
    if (!sessionResult.ok) return { name: 'login', info, notice: createNotice(sessionResult.message) };
    if (sessionResult.value) return { name: 'signed-in', info, session: sessionResult.value };
    // A kept sign-in that ended while Portico was closed says why.
    return { name: 'login', info, notice: info.signInNotice ? createNotice(info.signInNotice) : null };
  } catch {
    return {
      name: 'error',
      problem: { title: START_FAILED, message: 'Portico could not reach its main process. Restart the app.' },
    };
  }
}
