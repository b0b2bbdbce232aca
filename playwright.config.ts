import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './test/host/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  // Its own folder: Playwright empties outputDir at start, and test-results/ also holds the
  // unit and security reports.
  outputDir: 'test-results/playwright',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  // Two cores here: Chromium + argon2 per worker.
  workers: 2,
  forbidOnly: !!process.env.CI,
  // One retry on CI, for races between a real browser, IdP and app under a loaded 2-core machine;
  // a test that needed it is reported as flaky in the summary, never hidden.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions(),
    trace: 'retain-on-failure',
  },
});
