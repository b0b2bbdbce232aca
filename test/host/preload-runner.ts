/**
 * Runs the PRODUCTION preload bundle (out/preload/index.js) inside a Chromium page, with
 * `require('electron')` answered by a small shim:
 *   contextBridge.exposeInMainWorld -> a frozen, non-writable property on window;
 *   ipcRenderer.invoke -> a Playwright binding -> the same IpcRegistry createApp filled.
 * The binding is captured and removed from window before any page script runs, so the
 * renderer sees only `window.portico`, as in Electron.
 */
import { readFileSync } from 'node:fs';

export const IPC_BINDING = '__porticoTestHostIpc';

export function preloadInitScript(preloadFile: string, appOrigin: string): string {
  const bundle = readFileSync(preloadFile, 'utf8');
  return `(() => {
  // Electron runs the preload in the app window's top frame only.
  if (window.top !== window || location.origin !== ${JSON.stringify(appOrigin)}) return;
  const binding = window[${JSON.stringify(IPC_BINDING)}];
  try { delete window[${JSON.stringify(IPC_BINDING)}]; } catch {}
  const electron = Object.freeze({
    contextBridge: Object.freeze({
      exposeInMainWorld(key, api) {
        Object.defineProperty(window, key, { value: Object.freeze({ ...api }), writable: false, configurable: false, enumerable: true });
      },
    }),
    ipcRenderer: Object.freeze({
      // Structured clone, as Electron's IPC does: functions and DOM nodes cannot cross.
      invoke: (channel, payload) => binding(channel, structuredClone(payload)),
    }),
  });
  const module = { exports: {} };
  const require = (name) => {
    if (name === 'electron') return electron;
    throw new Error('The preload bundle may only require "electron", not ' + name);
  };
  (function (require, module, exports) {
${bundle}
  })(require, module, module.exports);
})();`;
}
