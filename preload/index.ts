/**
 * Preload: bundled into one CommonJS file that requires only `electron`, so it runs with
 * `sandbox: true`. Exposes the named API on `window.portico`; `ipcRenderer` never leaves
 * this file.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createPorticoApi, type Invoke } from './api';
import type { IpcResult } from './contract';

const invoke: Invoke = async (channel, payload) => {
  try {
    return (await ipcRenderer.invoke(channel, payload)) as IpcResult<never>;
  } catch {
    // A rejected invoke means main had no handler or crashed in transit: still a value.
    return { ok: false, code: 'INTERNAL', message: 'Portico could not reach its main process. Restart the app.' };
  }
};

contextBridge.exposeInMainWorld('portico', createPorticoApi(invoke));
