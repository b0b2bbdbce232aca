/**
 * Everything `portico --diagnostics` does besides printing: read the configuration as the
 * app would, ask the key storage whether it would be accepted, check the providers. No
 * electron import: main/index.ts passes the Electron parts in.
 */
import type { KeyProtector } from '../platform';
import { readConfigurationState } from './config-state';
import type { CheckDeps } from './provider-checks';
import { collectDiagnostics, type DiagnosticsInput, type DiagnosticsReport } from './report';

export interface DiagnosticsRun extends CheckDeps {
  userData: string;
  platform: NodeJS.Platform;
  arch: string;
  env: NodeJS.ProcessEnv;
  /** `process.versions`. */
  versions: Readonly<Record<string, string | undefined>>;
  appVersion: string;
  osRelease?: string | null;
  /** The key protector the app would use, given whether policy allows weak storage. */
  keyProtector: (allowWeakKeyStorage: boolean) => Pick<KeyProtector, 'backend' | 'assertAvailable'>;
}

/** The report, and the process exit code for scripts: 0 when no error was found, 2 otherwise. */
export async function runDiagnostics(run: DiagnosticsRun): Promise<{ report: DiagnosticsReport; exitCode: number }> {
  const configuration = await readConfigurationState(run.userData, run.platform, run.env);
  const protector = run.keyProtector(configuration.config?.security.allowWeakKeyStorage ?? false);
  const input: DiagnosticsInput = {
    app: { version: run.appVersion },
    versions: run.versions,
    platform: run.platform,
    arch: run.arch,
    osRelease: run.osRelease ?? null,
    configuration,
    keyStorage: await keyStorageStatus(protector),
    env: run.env,
  };
  const report = await collectDiagnostics(input, run);
  return { report, exitCode: report.findings.some((f) => f.severity === 'error') ? 2 : 0 };
}

/** The backend's name, and why it is refused (the KeyStorageError's message), if it is. */
export async function keyStorageStatus(
  protector: Pick<KeyProtector, 'backend' | 'assertAvailable'>,
): Promise<{ backend: string; refusal: string | null }> {
  let backend: string;
  try {
    backend = protector.backend;
  } catch (error) {
    return { backend: 'unknown', refusal: error instanceof Error ? error.message : String(error) };
  }
  try {
    await protector.assertAvailable();
    return { backend, refusal: null };
  } catch (error) {
    return { backend, refusal: error instanceof Error ? error.message : String(error) };
  }
}
