/**
 * `npm run bench`: Portico's hot paths against baselines measured in the same run, printed
 * as JSON (medians, ms). Budgets from the foundation issue:
 *   - local sign-in through IPC: everything but argon2id < 5 ms (argon2id = raw
 *     @node-rs/argon2 verify of the same hash, measured alongside);
 *   - vault open with 10,000 users < 50 ms and <= 1.5 x its decrypt + JSON.parse alone (timed
 *     in turns); one vault write < 10 ms (baseline: raw AES-256-GCM + JSON of the same
 *     document, no I/O);
 *   - an audit append anchored in the vault <= the plain append + 1.5 vault writes, both
 *     measured alongside (test/bench/audit.ts);
 *   - renderer load to an interactive login form in the test host < 500 ms (baseline: a
 *     blank page on the same routed origin);
 *   - team data on PostgreSQL, 1,000,000 rows with row-level security (test/bench/postgres.ts:
 *     first page, next page, a jump to row 500,000 and a 500,000-row export vs bare `pg`);
 *   - the data view on 1,000,000 rows (test/bench/data.ts: page vs direct DuckDB, first
 *     page after sign-in, event-loop delay while queries and an export run; test/bench/grid.ts:
 *     sign-in to the first rows on screen, and no long task while scrolling the whole grid).
 * Exits non-zero when a budget is missed.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser } from 'playwright-core';
import { verify } from '@node-rs/argon2';
import { createApp } from '../../main/app';
import { KeychainKeyProtector } from '../host/keychain-key-protector';
import { Vault } from '../../main/vault/vault';
import { decodeVault, encodeVault, newDataKey } from '../../main/vault/vault-format';
import { hashPassword } from '../../main/auth/local/password-hashing';
import { OWASP_ARGON2ID } from '../../main/policy/config-schema';
import { chromiumLaunchOptions } from '../host/chromium';
import { KEYCHAIN_ACCOUNT, launchTestHost, TEST_APP_ORIGIN } from '../host/test-host';
import { median, round, timeRuns } from './stats';
import { benchSaml } from './saml';
import { benchOidcCallback } from './oidc';
import { benchData } from './data';
import { benchPostgres } from './postgres';
import { benchGrid } from './grid';
import { withTempDir } from './temp-dir';
import { benchAudit } from './audit';

const TRUSTED = { url: `${TEST_APP_ORIGIN}/index.html`, isMainFrame: true, isAppWindow: true };
const PASSWORD = 'correct horse battery staple';
/** The benchmarks sign in far more often than the default cap on attempts per minute allows; no dataset. */
const BENCH_POLICY = [
  {
    source: 'bench-policy.json',
    kind: 'policy' as const,
    value: { localAccounts: { maxAttemptsPerMinute: 10_000 }, data: { sample: { enabled: false } } },
  },
];

/** Adds `count` viewer accounts named user0, user1, ... sharing one argon2id hash. */
async function addUsers(vault: Vault, count: number, passwordHash: string): Promise<void> {
  await vault.update((doc) => {
    for (let i = 0; i < count; i++) {
      const id = randomUUID();
      doc.users[id] = {
        id,
        username: `user${i}`,
        displayName: `User ${i}`,
        roles: ['viewer'],
        groups: [],
        passwordHash,
        disabled: false,
        createdAt: 0,
        updatedAt: 0,
        lastSignInAt: null,
      };
    }
  });
}

type Dispatch = (username: string) => Promise<void>;

/**
 * Wrong password for a known user vs any password for an unknown one: the answer must not
 * tell them apart by time. Fresh names each run so that backoff never answers early; runs
 * follow each other at once, so whatever a known name's failure leaves to do after its
 * answer (the vault write) lands in the next run's time.
 */
async function failedSignInGap(name: string, wrong: Dispatch, knownNames: string[], runs: number, argonMs: number) {
  let k = 0;
  let n = 0;
  const known = await timeRuns(runs, () => wrong(knownNames[k++]!));
  const unknown = await timeRuns(runs, () => wrong(`nobody${n++}`));
  const gap = Math.abs(median(known) - median(unknown));
  return {
    name,
    runs,
    medianKnownMs: round(median(known)),
    medianUnknownMs: round(median(unknown)),
    gapMs: round(gap),
    // Similar timing: within a quarter of one argon2id verification.
    budgetGapMs: round(argonMs / 4),
    pass: gap < argonMs / 4,
  };
}

function wrongPassword(app: Awaited<ReturnType<typeof createApp>>): Dispatch {
  return async (username) => {
    const r = await app.registry.dispatch('auth:sign-in-local', TRUSTED, { username, password: 'not the password' });
    if (r.ok || r.code !== 'INVALID_CREDENTIALS') throw new Error(`unexpected ${JSON.stringify(r)}`);
  };
}

async function benchSignIn() {
  return withTempDir(async (dir, service) => {
    const app = await createApp({
      identity: { origin: TEST_APP_ORIGIN, version: 'bench', platform: process.platform },
      paths: { userData: dir },
      configLayers: async () => BENCH_POLICY,
      keyProtector: () => new KeychainKeyProtector(service, KEYCHAIN_ACCOUNT),
    });
    await app.registry.dispatch('setup:create-admin', TRUSTED, { username: 'ada', displayName: 'Ada', password: PASSWORD });
    const runs = 30;
    const total = await timeRuns(runs, async () => {
      const r = await app.registry.dispatch('auth:sign-in-local', TRUSTED, { username: 'ada', password: PASSWORD });
      if (!r.ok) throw new Error(r.message);
    });
    const hash = await hashPassword(PASSWORD, OWASP_ARGON2ID);
    const argon = await timeRuns(runs, () => verify(hash, PASSWORD));
    const overhead = Math.max(0, median(total) - median(argon));

    // Created by the signed-in admin (the last successful sign-in above).
    const knownNames = Array.from({ length: runs + 2 }, (_, i) => `known${i}`);
    for (const username of knownNames) {
      const r = await app.registry.dispatch('users:create', TRUSTED, {
        username,
        displayName: 'x',
        password: PASSWORD,
        roles: ['viewer'],
      });
      if (!r.ok) throw new Error(r.message);
    }
    const gap = await failedSignInGap(
      'failed sign-in: known user vs unknown user',
      wrongPassword(app),
      knownNames,
      runs,
      median(argon),
    );
    await app.flush();
    const largeGap = await withTempDir(async (largeDir, largeService) => {
      const protector = new KeychainKeyProtector(largeService, KEYCHAIN_ACCOUNT);
      await addUsers(await Vault.open({ dir: largeDir, protector }), 10_000, hash);
      const large = await createApp({
        identity: { origin: TEST_APP_ORIGIN, version: 'bench', platform: process.platform },
        paths: { userData: largeDir },
        configLayers: async () => BENCH_POLICY,
        keyProtector: () => protector,
      });
      const names = Array.from({ length: runs + 2 }, (_, i) => `user${i}`);
      const result = await failedSignInGap(
        'failed sign-in: known user vs unknown user, 10,000-user vault',
        wrongPassword(large),
        names,
        runs,
        median(argon),
      );
      await large.flush();
      return result;
    });
    return [
      {
        name: 'local sign-in through IPC',
        runs,
        medianTotalMs: round(median(total)),
        baselineArgon2idVerifyMs: round(median(argon)),
        medianEverythingElseMs: round(overhead),
        budgetEverythingElseMs: 5,
        pass: overhead < 5,
      },
      gap,
      largeGap,
    ];
  });
}

async function benchVault() {
  return withTempDir(async (dir, service) => {
    const protector = new KeychainKeyProtector(service, KEYCHAIN_ACCOUNT);
    const vault = await Vault.open({ dir, protector });
    await addUsers(vault, 10_000, await hashPassword('bench user password', OWASP_ARGON2ID));
    const runs = 20;
    // Baseline: the same document through AES-256-GCM + JSON.parse in memory, no keychain, no
    // disk, no validation. Timed in turns with the opens, so that load from other work on the
    // machine weighs on both alike.
    const key = newDataKey();
    const sealed = encodeVault(Buffer.from(JSON.stringify(vault.read())), key, 'bench');
    const open: number[] = [];
    const rawDecode: number[] = [];
    for (let i = 0; i < 2 * runs + 4; i++) {
      const timed = i % 2 === 0 ? open : rawDecode;
      const start = performance.now();
      if (i % 2 === 0) await Vault.open({ dir, protector });
      else JSON.parse(decodeVault(sealed, key).plaintext.toString('utf8'));
      if (i >= 4) timed.push(performance.now() - start);
    }
    const openRatio = median(open) / median(rawDecode);
    let n = 0;
    const write = await timeRuns(runs, () => vault.update((doc) => void (doc.secrets.counter = String(n++))));
    const typical = await withTempDir(async (smallDir, smallService) => {
      const small = await Vault.open({ dir: smallDir, protector: new KeychainKeyProtector(smallService, KEYCHAIN_ACCOUNT) });
      await small.update((doc) => {
        for (let i = 0; i < 100; i++) doc.users[`${i}`] = { ...Object.values(vault.read().users)[i]!, id: randomUUID() };
      });
      return timeRuns(runs, () => small.update((doc) => void (doc.secrets.counter = String(n++))));
    });

    const rawEncode = await timeRuns(runs, async () => encodeVault(Buffer.from(JSON.stringify(vault.read())), key, 'bench'));
    return [
      {
        name: 'vault open, 10,000 users',
        runs,
        fileBytes: sealed.length,
        medianMs: round(median(open)),
        baselineDecryptParseMs: round(median(rawDecode)),
        // Open (keychain, read, decrypt, parse, validate) against decrypt + parse alone.
        ratioToBaseline: round(openRatio),
        budgetMs: 50,
        budgetRatio: 1.5,
        pass: median(open) < 50 && openRatio <= 1.5,
      },
      {
        name: 'vault write, 100 users (temp + fsync + rename + backup)',
        runs,
        medianMs: round(median(typical)),
        budgetMs: 10,
        pass: median(typical) < 10,
      },
      {
        // Reported, not budgeted: the whole 3 MB file is rewritten (see the issue note).
        name: 'vault write, 10,000 users (temp + fsync + rename + backup)',
        runs,
        medianMs: round(median(write)),
        baselineJsonStringifyEncryptMs: round(median(rawEncode)),
        pass: true,
      },
    ];
  });
}

async function benchRendererLoad(browser: Browser) {
  return await withTempDir(async (dir, service) => {
    // One user exists, so the app opens on the login form.
    const first = await launchTestHost({ browser, userDataDir: dir, keychainService: service });
    await first.app.registry.dispatch('setup:create-admin', TRUSTED, {
      username: 'ada',
      displayName: 'Ada',
      password: PASSWORD,
    });
    await first.close();
    const host = await launchTestHost({ browser, userDataDir: dir, keychainService: service });
    const page = host.page;
    const runs = 15;
    const toLogin = await timeRuns(runs, async () => {
      await page.goto(`${TEST_APP_ORIGIN}/index.html`);
      await page.getByLabel('Username', { exact: true }).waitFor({ state: 'visible' });
      await page.getByRole('button', { name: 'Sign in' }).waitFor({ state: 'visible' });
    });
    const blank = await timeRuns(runs, async () => {
      await page.goto(`${TEST_APP_ORIGIN}/does-not-exist`);
    });
    await host.close();
    return {
      name: 'renderer load to interactive login form (test host)',
      runs,
      medianMs: round(median(toLogin)),
      baselineRoutedBlankPageMs: round(median(blank)),
      budgetMs: 500,
      pass: median(toLogin) < 500,
    };
  });
}

/** `npm run bench -- vault sign-in` runs only those groups; no argument runs them all. */
const GROUPS = ['sign-in', 'vault', 'renderer', 'saml', 'oidc', 'data', 'postgres', 'grid', 'audit'] as const;
type Group = (typeof GROUPS)[number];

function selectedGroups(args: string[]): Set<Group> {
  const unknown = args.filter((a) => !(GROUPS as readonly string[]).includes(a));
  if (unknown.length) throw new Error(`Unknown bench group(s) ${unknown.join(', ')}; choose from ${GROUPS.join(', ')}.`);
  return new Set(args.length ? (args as Group[]) : GROUPS);
}

async function main() {
  const groups = selectedGroups(process.argv.slice(2));
  const needsBrowser = ['renderer', 'saml', 'oidc', 'grid'].some((g) => groups.has(g as Group));
  const browser = needsBrowser ? await chromium.launch(chromiumLaunchOptions()) : null;
  const results: { pass: boolean }[] = [];
  try {
    if (groups.has('sign-in')) results.push(...(await benchSignIn()));
    if (groups.has('vault')) results.push(...(await benchVault()));
    if (groups.has('audit')) results.push(...(await benchAudit()));
    if (browser && groups.has('renderer')) results.push(await benchRendererLoad(browser));
    if (browser && groups.has('saml')) results.push(...(await benchSaml(browser)));
    if (browser && groups.has('oidc')) results.push(await benchOidcCallback(browser));
    if (groups.has('data')) results.push(...(await benchData()));
    if (groups.has('postgres')) results.push(...(await benchPostgres()));
    if (browser && groups.has('grid')) results.push(...(await benchGrid(browser)));
  } finally {
    await browser?.close();
  }
  console.log(JSON.stringify({ node: process.version, platform: process.platform, results }, null, 2));
  if (results.some((r) => !r.pass)) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
