/** `window.portico` is exposed by the preload; its type comes from preload/api.ts only. */
export {};

declare global {
  interface Window {
    portico: import('../../preload/api').PorticoApi;
  }
}
