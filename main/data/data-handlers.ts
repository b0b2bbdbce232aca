/**
 * IPC handlers of the data view. The registry has already checked the sender, the payload
 * and the channel's permission (data.read / data.export); here the principal is built from
 * the session in main (never from the payload), and exports are gated once more by policy
 * and asked for a path in main's save dialog. Exports and refusals are audited from the
 * registry's outcomes (main/audit/ipc-audit.ts), like every other audited call.
 */
import type { Permission } from '../../preload/constants';
import { AppError } from '../errors';
import type { IpcRegistry } from '../ipc/registry';
import type { SaveDialog } from '../platform';
import type { Session } from '../session/session-manager';
import type { DataConfig } from './data-config';
import type { DataAccess } from './data-startup';
import type { TeamData } from './team-data';
import { principalFromSession, type Principal } from './principal';

export interface DataHandlerDeps {
  /** The service, or its background start (which answers DATA_LOADING until it is ready). */
  data: DataAccess;
  sessions: { permissions(session: Session): Permission[] };
  /**
   * The registry's access check, run again after the save dialog: the dialog can stay open
   * while the session times out, the user signs out or loses `data.export`.
   */
  authorize: (access: 'data.export') => Session | null;
  /** Null where no dialog can be shown: exports then fail with a message. */
  saveDialog: SaveDialog | null;
  config: Pick<DataConfig, 'exportAllowed'>;
  /** Team (postgres) datasets: the person's own database login. None: those channels refuse. */
  team?: Pick<TeamData, 'connect' | 'forget'> | null;
}

export function setupDataHandlers(registry: IpcRegistry<Session>, deps: DataHandlerDeps): void {
  const { data, sessions, saveDialog, config } = deps;

  const principalOf = (session: Session | null): Principal => {
    if (!session) throw new AppError('NOT_SIGNED_IN', 'Sign in to see data.');
    return principalFromSession(session, sessions.permissions(session));
  };

  registry.handle('data:list-datasets', function handleListDatasets(_input, { session }) {
    return data.listDatasets(principalOf(session));
  });

  registry.handle('data:query', function handleDataQuery(input, { session }) {
    return data.query(principalOf(session), input);
  });

  registry.handle('data:counts', function handleDataCounts(input, { session }) {
    return data.counts(principalOf(session), input);
  });

  // The password is tested at once, then kept only in the vault; it is never sent back.
  registry.handle('data:connect', function handleDataConnect(input, { session }) {
    if (!deps.team)
      throw new AppError('UNKNOWN_DATASET', 'This dataset does not exist (any more). Pick another one from the list.');
    return deps.team.connect(principalOf(session), input.datasetId, input.username, input.password);
  });

  registry.handle('data:forget-login', function handleDataForgetLogin(input, { session }) {
    if (!deps.team)
      throw new AppError('UNKNOWN_DATASET', 'This dataset does not exist (any more). Pick another one from the list.');
    return deps.team.forget(principalOf(session), input.datasetId);
  });

  registry.handle('data:export', async function handleDataExport(input, { session }) {
    const principal = principalOf(session);
    if (!config.exportAllowed || !data.canExport(principal, input.datasetId)) {
      throw new AppError(
        'PERMISSION_DENIED',
        config.exportAllowed
          ? 'Exporting is not allowed for your account. Ask IT if you need it.'
          : 'Exporting is turned off by your organisation’s policy.',
      );
    }
    // Refuse a bad request (unknown or hidden column) before asking the user for a path.
    await data.checkExport(principal, input);
    if (!saveDialog)
      throw new AppError('EXPORT_FAILED', 'Saving files is not available in this window. Restart Portico and try again.');
    const day = new Date().toISOString().slice(0, 10);
    const filePath = await saveDialog.chooseSavePath({
      title: 'Export to CSV',
      defaultName: `${input.datasetId}-${day}.csv`,
      filters: [{ name: 'CSV (comma-separated values)', extensions: ['csv'] }],
    });
    if (filePath === null) return null;
    const still = principalOf(deps.authorize('data.export'));
    if (!config.exportAllowed || !data.canExport(still, input.datasetId)) {
      throw new AppError('PERMISSION_DENIED', 'Exporting is no longer allowed for your account. Ask IT if you need it.');
    }
    return data.exportCsv(still, input, filePath);
  });
}
