import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    // Vault and keychain tests share one D-Bus keyring; files run in parallel, tests in order.
    pool: 'forks',
  },
});
