import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    // Vault and keychain tests share one D-Bus keyring; files run in parallel, tests in order.
    pool: 'forks',
    // Real IdPs and Chromium run in parallel files on a 2-core CI machine: one retry there.
    retry: process.env.CI ? 1 : 0,
  },
});
