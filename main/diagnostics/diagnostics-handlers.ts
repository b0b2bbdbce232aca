/**
 * The Diagnostics screen (admin.settings): the same report as `--diagnostics`, for the running
 * app, and "Export support bundle" to a file the user picks. Reports are built without
 * secrets and checked again before they leave main.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DiagnosticsView } from '../../preload/contract';
import { AppError } from '../errors';
import type { IpcRegistry } from '../ipc/registry';
import type { KeyProtector, SaveDialog } from '../platform';
import type { Session } from '../session/session-manager';
import {
  collectDiagnostics,
  formatSupportBundle,
  keyStorageStatus,
  readConfigurationState,
  type DiagnosticsReport,
} from './index';

export interface DiagnosticsDeps {
  userData: string;
  appVersion: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  protector: KeyProtector;
  saveDialog: SaveDialog | null;
  now: () => number;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export function setupDiagnosticsHandlers(registry: IpcRegistry<Session>, deps: DiagnosticsDeps): void {
  const collect = async (): Promise<DiagnosticsReport> =>
    collectDiagnostics(
      {
        app: { name: 'Portico', version: deps.appVersion },
        versions: process.versions,
        platform: deps.platform,
        arch: process.arch,
        configuration: await readConfigurationState(deps.userData, deps.platform, deps.env),
        keyStorage: await keyStorageStatus(deps.protector),
        env: deps.env,
      },
      { now: deps.now },
    );

  registry.handle('admin:get-diagnostics', async function handleGetDiagnostics(): Promise<DiagnosticsView> {
    const report = await collect();
    return {
      findings: [...report.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]),
      report: JSON.stringify(report, null, 2),
      lockedKeys: report.configuration.lockedKeys,
    };
  });

  registry.handle('admin:export-support-bundle', async function handleExportSupportBundle() {
    if (!deps.saveDialog) throw new AppError('APP_UNAVAILABLE', 'Saving files is not available in this build.');
    const stamp = new Date(deps.now()).toISOString().slice(0, 10);
    const file = await deps.saveDialog.chooseSavePath({
      title: 'Export support bundle',
      defaultName: `portico-support-${stamp}.txt`,
      filters: [{ name: 'Text', extensions: ['txt'] }],
    });
    if (!file) return null;
    // A new temp file beside the target ('wx': never through a planted symlink), then a rename.
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await fs.writeFile(temp, formatSupportBundle(await collect()), { mode: 0o600, flag: 'wx' });
      await fs.rename(temp, file);
    } catch {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw new AppError('EXPORT_FAILED', 'Portico could not write the support bundle there. Pick a folder you can write to.');
    }
    return { fileName: path.basename(file) };
  });
}
