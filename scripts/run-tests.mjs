#!/usr/bin/env node
/**
 * `npm test`: every suite, in one throw-away keyring session (see with-keyring.mjs):
 * typecheck, lint, security gate, build, unit (Vitest), e2e (Playwright in the Chromium
 * test host). All run even if one fails; the last line is `N passed, N failed` over all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

if (process.platform === 'linux' && !process.env.PORTICO_KEYRING_READY) {
  const r = spawnSync(process.execPath, ['scripts/with-keyring.mjs', process.execPath, 'scripts/run-tests.mjs'], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

const npx = (args) => ({ cmd: 'npx', args: ['--no-install', ...args] });
const gates = [
  { name: 'typecheck', ...npx(['tsc', '-p', 'tsconfig.node.json']) },
  { name: 'typecheck (renderer)', ...npx(['tsc', '-p', 'tsconfig.web.json']) },
  { name: 'typecheck (tests)', ...npx(['tsc', '-p', 'tsconfig.test.json']) },
  { name: 'lint', ...npx(['eslint', '.', '--max-warnings', '0']) },
  { name: 'format (prettier)', ...npx(['prettier', '--check', '.']) },
  { name: 'build', ...npx(['electron-vite', 'build']) },
  { name: 'security (Electronegativity)', cmd: process.execPath, args: ['scripts/security-gate.mjs'] },
];

let passed = 0;
let failed = 0;
const lines = [];
const run = ({ cmd, args }) => spawnSync(cmd, args, { stdio: 'inherit', env: process.env }).status === 0;

for (const gate of gates) {
  console.log(`\n=== ${gate.name}`);
  const ok = run(gate);
  if (ok) passed++;
  else failed++;
  lines.push(`${ok ? 'PASS' : 'FAIL'} ${gate.name}`);
}

const suites = [
  {
    name: 'unit (vitest)',
    report: 'test-results/unit.json',
    ...npx(['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/unit.json']),
    count: (r) => ({
      passed: r.numPassedTests,
      failed: r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0),
      skipped: r.numPendingTests + r.numTodoTests,
    }),
  },
  {
    name: 'e2e (playwright, test host)',
    report: 'test-results/e2e.json',
    ...npx(['playwright', 'test']),
    count: (r) => ({
      passed: r.stats.expected + r.stats.flaky,
      failed: r.stats.unexpected + (r.errors?.length ?? 0),
      skipped: r.stats.skipped,
    }),
  },
];

let skipped = 0;
for (const suite of suites) {
  console.log(`\n=== ${suite.name}`);
  rmSync(suite.report, { force: true });
  const ok = run(suite);
  if (!existsSync(suite.report)) {
    failed++;
    lines.push(`FAIL ${suite.name}: no report (the runner crashed)`);
    continue;
  }
  const c = suite.count(JSON.parse(readFileSync(suite.report, 'utf8')));
  // A runner that exits non-zero with no failed test (e.g. a crash in setup) still fails.
  if (!ok && c.failed === 0) c.failed = 1;
  passed += c.passed;
  failed += c.failed;
  skipped += c.skipped;
  const flaky = c.flaky ? ` (${c.flaky} passed only on retry: flaky)` : '';
  lines.push(`${c.failed ? 'FAIL' : 'PASS'} ${suite.name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped${flaky}`);
}

console.log('\n=== summary');
for (const line of lines) console.log(line);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
