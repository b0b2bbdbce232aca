/**
 * The data:* channels through the real registry and session manager: the principal comes
 * from the session (roles and groups, permissions from the role table), exports are gated by
 * policy and permission, asked for a path, audited; cancelling returns null.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalAccounts } from '../../../../main/auth/local/local-accounts';
import { setupDataHandlers } from '../../../../main/data/data-handlers';
import { auditEventFor } from '../../../../main/audit/ipc-audit';
import type { AuditEvent } from '../../../../main/audit/audit-record';
import type { DataService } from '../../../../main/data/data-service';
import { IpcRegistry } from '../../../../main/ipc/registry';
import { createAuthorizer } from '../../../../main/session/authorize';
import { SessionManager, type Session } from '../../../../main/session/session-manager';
import type { SaveDialog } from '../../../../main/platform';
import type { DataPage, DatasetSummary, IpcResult } from '../../../../preload/contract';
import { APP_ORIGIN, FakeClock, trustedSender } from '../../helpers';
import { makeTempDir, removeDir, SAMPLE, startService } from './data-fixtures';

let dir: string;
let service: DataService;
let stop: () => Promise<void>;

beforeAll(async () => {
  dir = await makeTempDir();
  ({ service, stop } = await startService({}, { dir }));
});
afterAll(async () => {
  await stop();
  await removeDir(dir);
});

function setup(options: { exportAllowed?: boolean; savePath?: string | null; whileDialogOpen?: () => void } = {}) {
  const sessions = new SessionManager(new FakeClock(), { idleMs: 60_000, absoluteMs: 3_600_000, recentSignInMs: 60_000 });
  const audit: AuditEvent[] = [];
  const authorize = createAuthorizer({ sessions, accounts: {} as LocalAccounts });
  const registry = new IpcRegistry<Session>({
    appOrigin: APP_ORIGIN,
    authorize,
    // As in createApp: the audit log hears every outcome through ipc-audit's map.
    onOutcome: ({ channel, input, session, result }) => {
      const actor = (session?.user ?? sessions.activeUser())?.username ?? null;
      const event = auditEventFor({ channel, input, result, actor });
      if (event) audit.push(event);
    },
  });
  const dialogs: Parameters<SaveDialog['chooseSavePath']>[0][] = [];
  const saveDialog: SaveDialog = {
    chooseSavePath: async (o) => {
      dialogs.push(o);
      options.whileDialogOpen?.();
      return options.savePath === undefined ? path.join(dir, 'export.csv') : options.savePath;
    },
  };
  setupDataHandlers(registry, {
    data: service,
    sessions,
    authorize: (access) => authorize(access),
    saveDialog,
    config: { exportAllowed: options.exportAllowed ?? true },
  });
  const signIn = (roles: string[], groups: string[] = []) =>
    sessions.start(
      {
        id: 'u1',
        username: 'pat@example.com',
        displayName: 'Pat',
        provider: 'oidc',
        providerId: 'corp',
        providerName: 'Corp',
        email: null,
      },
      roles,
      { groups },
    );
  const call = <V>(channel: string, payload: unknown) =>
    registry.dispatch(channel, trustedSender, payload) as Promise<IpcResult<V>>;
  return { registry, sessions, audit, dialogs, signIn, call };
}

const view = { datasetId: SAMPLE, filters: [{ column: 'region', op: 'eq', value: 'EMEA' }], search: '', sort: [] };

describe('data handlers', () => {
  it('registers the data channels', () => {
    expect(setup().registry.registeredChannels().sort()).toEqual([
      'data:connect',
      'data:counts',
      'data:export',
      'data:forget-login',
      'data:list-datasets',
      'data:query',
    ]);
  });

  it('builds the principal from the session: a viewer in Sales-EMEA sees EMEA, masked, no margin', async () => {
    const { signIn, call } = setup();
    signIn(['viewer'], ['Sales-EMEA']);
    const list = await call<DatasetSummary[]>('data:list-datasets', {});
    expect(list.ok && list.value[0]!.rowScope).toBe('region is EMEA');
    const page = await call<DataPage>('data:query', { datasetId: SAMPLE, offset: 0, limit: 500 });
    if (!page.ok) throw new Error(page.message);
    expect(page.value.columns).not.toContain('margin');
    const region = page.value.columns.indexOf('region');
    expect(page.value.rows.every((r) => r[region] === 'EMEA')).toBe(true);
    const email = page.value.columns.indexOf('customer_email');
    expect(page.value.rows.every((r) => String(r[email]).includes('***@'))).toBe(true);
    // Values only: nothing in the answer that structured clone or JSON could not carry.
    expect(JSON.parse(JSON.stringify(page.value))).toEqual(page.value);
  });

  it('refuses payload tricks before any query, and hidden columns in the handler', async () => {
    const { signIn, call } = setup();
    signIn(['viewer'], ['Sales-EMEA']);
    for (const payload of [
      { datasetId: SAMPLE, offset: 0, limit: 10, sort: [{ column: "region' --", direction: 'asc' }] },
      { datasetId: SAMPLE, offset: 0, limit: 10, extra: true },
      { datasetId: SAMPLE, offset: 0, limit: 10_000 },
      JSON.parse('{"datasetId":"sample-orders","offset":0,"limit":10,"__proto__":{"x":1}}'),
    ]) {
      const r = await call('data:query', payload);
      expect(r.ok ? 'ok' : r.code).toBe('INVALID_PAYLOAD');
    }
    const hidden = await call('data:counts', { datasetId: SAMPLE, column: 'margin' });
    expect(hidden.ok ? 'ok' : hidden.code).toBe('UNKNOWN_COLUMN');
    const unknown = await call('data:query', { datasetId: 'payroll', offset: 0, limit: 10 });
    expect(unknown.ok ? 'ok' : unknown.code).toBe('UNKNOWN_DATASET');
  });

  it('a filter number outside the column type is INVALID_PAYLOAD with the filter named, on every channel', async () => {
    const { signIn, call } = setup();
    signIn(['analyst']);
    const filters = [{ column: 'quantity', op: 'gte', value: 1e30 }];
    for (const [channel, payload] of [
      ['data:query', { datasetId: SAMPLE, offset: 0, limit: 10, filters }],
      ['data:counts', { datasetId: SAMPLE, column: 'region', filters }],
      ['data:export', { datasetId: SAMPLE, filters }],
    ] as const) {
      const r = await call(channel, payload);
      expect(r.ok ? 'ok' : r.code, channel).toBe('INVALID_PAYLOAD');
      if (!r.ok) expect(r.fields?.filters, channel).toMatch(/^Quantity holds whole numbers from -2,147,483,648/);
    }
  });

  it('needs a session and data.read', async () => {
    const { call } = setup();
    const r = await call('data:list-datasets', {});
    expect(r.ok ? 'ok' : r.code).toBe('NOT_SIGNED_IN');
  });

  it('viewers cannot export (refused before any dialog)', async () => {
    const { signIn, call, dialogs } = setup();
    signIn(['viewer'], ['Sales-EMEA']);
    const r = await call('data:export', view);
    expect(r.ok ? 'ok' : r.code).toBe('PERMISSION_DENIED');
    expect(dialogs).toEqual([]);
  });

  it('policy exportAllowed=false refuses even an admin, and audits the refusal', async () => {
    const { signIn, call, dialogs, audit } = setup({ exportAllowed: false });
    signIn(['admin']);
    const r = await call('data:export', view);
    expect(r.ok ? 'ok' : r.code).toBe('PERMISSION_DENIED');
    expect(dialogs).toEqual([]);
    expect(audit).toEqual([
      {
        actor: 'pat@example.com',
        action: 'data.export-denied',
        outcome: 'denied',
        target: SAMPLE,
        details: { channel: 'data:export' },
      },
    ]);
  });

  it('an analyst exports through the save dialog; the export is audited', async () => {
    const { signIn, call, dialogs, audit } = setup();
    signIn(['analyst']);
    const r = await call<{ rows: number; fileName: string }>('data:export', view);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.fileName).toBe('export.csv');
    expect(dialogs[0]).toMatchObject({ defaultName: expect.stringMatching(/^sample-orders-\d{4}-\d{2}-\d{2}\.csv$/) });
    const lines = (await fs.readFile(path.join(dir, 'export.csv'), 'utf8')).trimEnd().split('\r\n');
    expect(lines).toHaveLength(r.value.rows + 1);
    expect(audit).toEqual([
      {
        actor: 'pat@example.com',
        action: 'data.export',
        outcome: 'success',
        target: SAMPLE,
        details: { rows: r.value.rows, filters: 1, search: false },
      },
    ]);
  });

  it('checks access again after the dialog: a session ended or a role lost meanwhile exports nothing', async () => {
    let ctx: ReturnType<typeof setup> | null = null;
    const target = path.join(dir, 'after-dialog.csv');
    ctx = setup({ savePath: target, whileDialogOpen: () => ctx!.sessions.end() });
    ctx.signIn(['analyst']);
    const ended = await ctx.call('data:export', view);
    expect(ended.ok ? 'ok' : ended.code).toBe('NOT_SIGNED_IN');
    await expect(fs.stat(target)).rejects.toMatchObject({ code: 'ENOENT' });

    let demoted: ReturnType<typeof setup> | null = null;
    demoted = setup({ savePath: target, whileDialogOpen: () => demoted!.sessions.updateRoles(['viewer'], ['Sales-EMEA']) });
    demoted.signIn(['analyst']);
    const lost = await demoted.call('data:export', view);
    expect(lost.ok ? 'ok' : lost.code).toBe('PERMISSION_DENIED');
    await expect(fs.stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('cancelling the dialog returns null and writes nothing', async () => {
    const { signIn, call, audit } = setup({ savePath: null });
    signIn(['manager'], ['Sales-EMEA']);
    const r = await call('data:export', view);
    expect(r).toEqual({ ok: true, value: null });
    expect(audit).toEqual([]);
  });

  it('a failed write is audited as a failure', async () => {
    const { signIn, call, audit } = setup({ savePath: path.join(dir, 'no-such-folder', 'x.csv') });
    signIn(['admin']);
    const r = await call('data:export', view);
    expect(r.ok ? 'ok' : r.code).toBe('EXPORT_FAILED');
    expect(audit.map((e) => [e.action, e.outcome])).toEqual([['data.export', 'failure']]);
  });
});
