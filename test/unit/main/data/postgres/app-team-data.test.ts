/**
 * Team data through the whole app (createApp, the IPC registry, sessions, the vault, the audit
 * log) against a real PostgreSQL: a person's connections close when their session locks, times
 * out or signs out (seen in pg_stat_activity), and their database login is never in the audit
 * log or any answer.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../../../../main/app';
import type { ChannelName, ChannelPayload, IpcResult } from '../../../../../preload/contract';
import { FakeClock, GOOD_PASSWORD, tempDir, testKeychain, trustedSender } from '../../../../unit/helpers';
import { PEOPLE, rowsIn, startTeamDb, teamOrdersConfig, type TeamDb } from './team-db';

let db: TeamDb;
beforeAll(async () => {
  db = await startTeamDb(400);
}, 60_000);
afterAll(async () => {
  await db?.pg.stop();
});

const MIN = 60_000;

async function startApp(clock: FakeClock) {
  const dir = path.join(await tempDir(), 'userData');
  const app = await createApp({
    identity: { origin: 'https://portico.test', version: '1.0.0', platform: 'linux' },
    paths: { userData: dir },
    keyProtector: () => testKeychain(),
    configLayers: async () => [
      {
        source: 'policy.json',
        kind: 'policy' as const,
        value: {
          session: { lockAfterMinutes: 10, idleMinutes: 30 },
          data: { sample: { enabled: false }, datasets: [teamOrdersConfig(db)] },
        },
      },
    ],
    clock,
  });
  onTestFinished(() => app.close());
  await app.dataSettled();
  const call = async <C extends ChannelName>(channel: C, payload: ChannelPayload<C>) => {
    const result = (await app.registry.dispatch(channel, trustedSender, payload)) as IpcResult<unknown>;
    await app.flush();
    return result;
  };
  return { app, dir, call };
}

const query = { datasetId: 'team-orders', offset: 0, limit: 500 };

describe('team data in the app', () => {
  it('closes the person’s connections when the session locks, reopens them after unlock, closes them at timeout', async () => {
    const clock = new FakeClock();
    const { call } = await startApp(clock);
    expect(await call('setup:create-admin', { username: 'ada', displayName: 'Ada', password: GOOD_PASSWORD })).toMatchObject({
      ok: true,
    });
    expect(await call('data:query', query)).toMatchObject({ ok: false, code: 'DATA_CONNECT_REQUIRED' });
    const connected = await call('data:connect', { datasetId: 'team-orders', username: 'bob', password: PEOPLE.bob.password });
    expect(connected).toMatchObject({ ok: true, value: { kind: 'team', connection: { state: 'connected', username: 'bob' } } });
    expect(JSON.stringify(connected)).not.toContain(PEOPLE.bob.password);
    const page = await call('data:query', query);
    expect(page).toMatchObject({ ok: true });
    expect((page as { value: { rows: unknown[] } }).value.rows).toHaveLength(rowsIn(PEOPLE.bob.regions, 400));
    expect(await db.pg.sessionsOf('bob')).toBeGreaterThan(0);

    clock.advance(11 * MIN);
    expect(await call('data:query', query)).toMatchObject({ ok: false, code: 'SESSION_LOCKED' });
    await db.pg.waitForNoSessions('bob');

    expect(await call('session:unlock', { password: GOOD_PASSWORD })).toMatchObject({ ok: true });
    expect(await call('data:query', query)).toMatchObject({ ok: true });
    expect(await db.pg.sessionsOf('bob')).toBeGreaterThan(0);

    clock.advance(31 * MIN);
    expect(await call('data:query', query)).toMatchObject({ ok: false });
    await db.pg.waitForNoSessions('bob');
  });

  it('keeps the login across sign-out (closing the connections) and never writes it to the audit log', async () => {
    const clock = new FakeClock();
    const { call, dir } = await startApp(clock);
    await call('setup:create-admin', { username: 'ada', displayName: 'Ada', password: GOOD_PASSWORD });
    expect(await call('data:connect', { datasetId: 'team-orders', username: 'alice', password: 'wrong-password' })).toMatchObject(
      {
        ok: false,
        code: 'DATA_CREDENTIAL_REJECTED',
      },
    );
    await call('data:connect', { datasetId: 'team-orders', username: 'alice', password: PEOPLE.alice.password });
    expect(await call('data:query', query)).toMatchObject({ ok: true });
    await call('auth:sign-out', {});
    await db.pg.waitForNoSessions('alice');
    await call('auth:sign-in-local', { username: 'ada', password: GOOD_PASSWORD });
    expect(await call('data:query', query)).toMatchObject({ ok: true });
    expect(await call('data:forget-login', { datasetId: 'team-orders' })).toMatchObject({
      ok: true,
      value: { connection: { state: 'needs-credential' } },
    });

    const audit = await fs.readFile(path.join(dir, 'audit.jsonl'), 'utf8');
    const actions = audit
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { action: string; outcome: string; target?: string });
    expect(actions.filter((r) => r.action === 'data.connect').map((r) => r.outcome)).toEqual(['failure', 'success']);
    expect(actions.some((r) => r.action === 'data.forget-login' && r.target === 'team-orders')).toBe(true);
    expect(audit).not.toContain(PEOPLE.alice.password);
    expect(audit).not.toContain('wrong-password');
    // The vault holds it encrypted: not in any file in the clear.
    for (const file of await fs.readdir(dir)) {
      const stat = await fs.stat(path.join(dir, file));
      if (stat.isFile()) expect(await fs.readFile(path.join(dir, file), 'utf8')).not.toContain(PEOPLE.alice.password);
    }
  });
});
