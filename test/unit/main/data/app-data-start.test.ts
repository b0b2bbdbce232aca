/**
 * The data engine in createApp: it starts after the IPC registry is up and never holds up
 * the app. A dataset file that is a FIFO is listed as failed with its reason while the sample
 * works; while a dataset's read stalls, the app is up, sign-in works and the data channels
 * answer DATA_LOADING; closing the app stops the stalled start. Real vault on the OS
 * keychain, real DuckDB worker, real stalls (released by the test, never by a clock).
 */
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../../../main/app';
import type { ChannelName, ChannelPayload, IpcResult, ChannelValue } from '../../../../preload/contract';
import { APP_ORIGIN, FakeClock, GOOD_PASSWORD, tempDir, testKeychain, trustedSender } from '../../helpers';
import { makeFifo, SAMPLE, stallingDuckdb } from './data-fixtures';

const ADMIN = { username: 'root', displayName: 'Root Admin', password: GOOD_PASSWORD };
const QUERY = { datasetId: SAMPLE, offset: 0, limit: 10 };

async function startApp(dir: string, data: Record<string, unknown>) {
  const logs: unknown[] = [];
  const app = await createApp({
    identity: { origin: APP_ORIGIN, version: '1.2.3', platform: 'linux' },
    paths: { userData: path.join(dir, 'userData') },
    keyProtector: () => testKeychain(),
    configLayers: async () => [{ source: 'policy.json', kind: 'policy', value: { data: { sample: { rows: 2000 }, ...data } } }],
    clock: new FakeClock(),
    log: { info: (message, fields) => logs.push([message, fields]), error: (message, fields) => logs.push([message, fields]) },
  });
  const call = <C extends ChannelName>(channel: C, payload: ChannelPayload<C>) =>
    app.registry.dispatch(channel, trustedSender, payload) as Promise<IpcResult<ChannelValue<C>>>;
  return { app, call, logs };
}

describe('the data engine in createApp', () => {
  it('an app with a FIFO dataset starts and signs in; the sample works, the FIFO is listed as failed with why', async () => {
    const dir = await tempDir();
    const fifo = await makeFifo(path.join(dir, 'exports.csv'));
    const { app, call } = await startApp(dir, {
      datasets: [{ id: 'exports', name: 'Nightly exports', source: { type: 'csv', path: fifo } }],
    });
    onTestFinished(() => app.close());
    expect(app.status()).toEqual({ state: 'needs-setup' });
    expect(await call('setup:create-admin', ADMIN)).toMatchObject({ ok: true });
    await app.dataSettled();
    const list = await call('data:list-datasets', {});
    expect(list.ok && list.value.map((d) => [d.id, d.name, d.status, d.error])).toEqual([
      [SAMPLE, 'Sample orders', 'ready', null],
      ['exports', 'Nightly exports', 'failed', 'Its file is not a regular file (it is a pipe, a device or a folder).'],
    ]);
    expect(await call('data:query', QUERY)).toMatchObject({ ok: true, value: { total: 2000 } });
    expect(await call('data:query', { ...QUERY, datasetId: 'exports' })).toMatchObject({
      ok: false,
      code: 'DATA_UNAVAILABLE',
      message: expect.stringContaining('Nightly exports'),
    });
    // Nothing to preview in a dataset that did not open, and the preview still works.
    const preview = await call('admin:preview-access', { roles: ['analyst'], groups: [] });
    expect(preview.ok && preview.value.datasets.map((d) => d.dataset.id)).toEqual([SAMPLE]);
  });

  it('while a dataset read stalls: the app is up, sign-in works, data channels answer DATA_LOADING, then the data', async () => {
    const dir = await tempDir();
    const stalled = await stallingDuckdb(dir, 'share');
    // The open limit is far away: only the release below ends the stall.
    const { app, call } = await startApp(dir, {
      openTimeoutSeconds: 600,
      datasets: [{ id: 'share', name: 'On the share', source: { type: 'duckdb', path: stalled.file, table: 'deals' } }],
    });
    try {
      expect(await call('setup:create-admin', ADMIN)).toMatchObject({ ok: true });
      expect(await call('session:get-current', {})).toMatchObject({ ok: true, value: { user: { username: 'root' } } });
      for (const result of [
        await call('data:list-datasets', {}),
        await call('data:query', QUERY),
        await call('data:counts', { datasetId: SAMPLE, column: 'region' }),
        await call('data:export', { datasetId: SAMPLE }),
        await call('admin:preview-access', { roles: ['analyst'], groups: [] }),
      ]) {
        expect(result).toEqual({ ok: false, code: 'DATA_LOADING', message: 'The data is still loading; try again in a moment.' });
      }
      await stalled.release();
      await app.dataSettled();
      const list = await call('data:list-datasets', {});
      expect(list.ok && list.value.map((d) => [d.id, d.status])).toEqual([
        [SAMPLE, 'ready'],
        ['share', 'ready'],
      ]);
      expect(await call('data:query', { ...QUERY, datasetId: 'share' })).toMatchObject({ ok: true, value: { total: 5 } });
    } finally {
      await app.close();
    }
  });

  it('closing the app stops a data engine still stalled on a dataset', async () => {
    const dir = await tempDir();
    const stalled = await stallingDuckdb(dir, 'share');
    const { app, call, logs } = await startApp(dir, {
      openTimeoutSeconds: 600,
      datasets: [{ id: 'share', name: 'On the share', source: { type: 'duckdb', path: stalled.file, table: 'deals' } }],
    });
    expect(await call('setup:create-admin', ADMIN)).toMatchObject({ ok: true });
    // Once the engine is at the stalled dataset, it cannot get past it.
    await expect.poll(() => logs, { timeout: 60_000 }).toContainEqual(['Opening dataset', { dataset: 'share' }]);
    await app.close();
    await app.dataSettled();
    expect(await call('data:list-datasets', {})).toMatchObject({ ok: false, code: 'DATA_UNAVAILABLE' });
    await stalled.release();
  });
});
