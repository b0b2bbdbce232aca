import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Native N-API modules and their platform packages stay external (loaded from node_modules).
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'main/index.ts'),
          // The DuckDB worker thread: started from out/main/duckdb-worker.js (main/data/data-engine.ts).
          'duckdb-worker': resolve(__dirname, 'main/data/duckdb-worker.ts'),
          // The SAML response verifier's worker thread (main/auth/saml/saml-worker-client.ts).
          'saml-worker': resolve(__dirname, 'main/auth/saml/saml-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // One CommonJS file that requires only `electron`: required for `sandbox: true`.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      // No inline scripts or eval in the output: the CSP forbids them.
      modulePreload: { polyfill: false },
      minify: true,
      assetsInlineLimit: 0,
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
});
