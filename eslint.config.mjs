// ESLint flat config. Besides the usual rules it holds the process boundaries (each rule has a
// test that plants a violation: test/unit/lint/boundaries.test.ts):
// - a value import of `electron` only in main/index.ts, main/shell/electron-*.ts and
//   preload/index.ts (elsewhere: types only), so everything else runs under Node in tests;
// - ipcRenderer only in preload/index.ts;
// - preload/contract* and preload/constants* import nothing but zod (and each other): the
//   renderer bundles them;
// - renderer/ never imports Node, electron, main/ or preload/index;
// - type-aware: a switch over a union handles every member (or says why it has a default).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'querystring',
  'readline',
  'stream',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

/** Files Electron is wired in: everything else is written against ports and types. */
const ELECTRON_WIRING = ['main/index.ts', 'main/shell/electron-*.ts'];
const ELECTRON_ONLY_HERE =
  'Electron is wired only in main/index.ts and main/shell/electron-*.ts: import its types (import type) elsewhere.';
const IPC_RENDERER = { name: 'electron', importNames: ['ipcRenderer'], message: 'ipcRenderer is used only in preload/index.ts.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='ipcRenderer']", message: 'ipcRenderer is used only in preload/.' },
      ],
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', allowTypeImports: true, message: ELECTRON_ONLY_HERE }] }],
    },
  },
  {
    files: ELECTRON_WIRING,
    rules: { 'no-restricted-imports': ['error', { paths: [IPC_RENDERER] }] },
  },
  {
    files: ['preload/index.ts'],
    rules: { 'no-restricted-syntax': 'off', 'no-restricted-imports': 'off' },
  },
  {
    files: ['preload/contract*', 'preload/contract/**', 'preload/constants*'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!zod$|\\.{1,2}/)',
              message: 'The contract is bundled into the renderer: it imports only zod and the other contract files.',
            },
            {
              group: ['**/main/**', '**/renderer/**', '**/test/**', '**/preload/index*', '**/preload/api*', './index*', './api*'],
              message: 'The contract is bundled into the renderer: it imports only zod and the other contract files.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks only to window.portico.' },
            ...NODE_BUILTINS.map((name) => ({ name, message: 'No Node in the renderer.' })),
          ],
          patterns: [
            { group: ['node:*'], message: 'No Node in the renderer.' },
            { group: ['**/main/**'], message: 'The renderer imports only preload/contract and preload/api types.' },
            {
              group: ['**/preload/index*'],
              message: 'The renderer talks only to window.portico (preload/index.ts runs in the preload).',
            },
          ],
        },
      ],
    },
  },
  {
    // Type-aware: a switch over a union (an error code, a channel, a dataset kind) handles every
    // member, so adding one is a compile-time decision everywhere it matters.
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,tsx}', 'test/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.node.json', './tsconfig.web.json', './tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        {
          allowDefaultCaseForExhaustiveSwitch: false,
          requireDefaultForNonUnion: false,
          considerDefaultExhaustiveForUnions: false,
        },
      ],
    },
  },
  {
    // CommonJS preloads for plain Node (`node -r`), e.g. the electron stand-in.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-empty-pattern': 'off' },
  },
);
