/**
 * The diagnostics report: what a help desk needs to tell why sign-in fails on one machine
 * (versions, which configuration files apply and what they lock, key storage, proxy, whether
 * each identity provider answers and whether the clock agrees with it), as JSON that holds
 * no secret. `collectDiagnostics` does the network checks (injected fetch and clock); the
 * rest is pure. Shown in the app, printed by `--diagnostics`, saved as a support bundle.
 */
import type { ConfigSource } from '../config-paths';
import { ConfigError } from '../policy/load-config';
import { leafKeys, lockedKeys } from '../policy/locked-keys';
import { describeSkew, MAX_CLOCK_SKEW_MS } from './clock-skew';
import type { ConfigurationState } from './config-state';
import {
  checkProviders,
  DEFAULT_CHECK_TIMEOUT_MS,
  providerTargets,
  type CheckDeps,
  type CheckResult,
  type ProviderCheck,
} from './provider-checks';
import { proxyCredentials, proxyForUrl, proxyVariables, type ProxyVariable } from './proxy';
import { checkDatasets, datasetFindings, type DatasetReport, type PostgresChecker } from './dataset-checks';
import { assertNoSecrets, scrubValue, secretValuesIn } from './redact';

export const REPORT_FORMAT = 'portico-diagnostics/1';

export interface DiagnosticsInput {
  app: { name?: string; version: string };
  /** `process.versions` (electron and chrome are there in Electron, absent under Node). */
  versions: Readonly<Record<string, string | undefined>>;
  platform: string;
  arch: string;
  /** `os.release()`, if known. */
  osRelease?: string | null;
  configuration: ConfigurationState;
  /** The vault key's storage: its backend name, and why it is refused if it is. Null: not determined. */
  keyStorage: { backend: string; refusal?: string | null } | null;
  /** The process environment (only proxy variables are read). */
  env: Readonly<Record<string, string | undefined>>;
  /** Further values that must never appear in the report (e.g. a data-source password). */
  extraSecrets?: readonly string[];
}

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  /** Stable, for scripts: `config-invalid`, `clock-skew`, `provider-unreachable`, ... */
  code: string;
  message: string;
}

export interface ProviderReport {
  id: string;
  type: 'saml' | 'oidc';
  displayName: string;
  url: string;
  /** The proxy the environment variables name for this URL (credentials removed), or null. */
  proxyFromEnvironment: string | null;
  result: CheckResult;
  reachable: boolean;
  status: number | null;
  responseTimeMs: number;
  serverTime: string | null;
  /** Server minus local clock, seconds: positive when this computer is behind. */
  clockSkewSeconds: number | null;
  clockSkewTooLarge: boolean;
  detail: string | null;
  /** OIDC: a client secret is configured (flagged: not secret in a desktop app). */
  clientSecretConfigured?: boolean;
}

export interface DiagnosticsReport {
  format: typeof REPORT_FORMAT;
  /** This computer's clock when the report was made. */
  generatedAt: string;
  /** Error and warning findings: what to fix first. */
  findings: Finding[];
  versions: {
    app: string;
    electron: string | null;
    chrome: string | null;
    node: string | null;
    platform: string;
    arch: string;
    osRelease: string | null;
  };
  configuration: {
    valid: boolean;
    sources: Array<{
      file: string;
      kind: 'user' | 'policy';
      origin: ConfigSource['origin'];
      status: 'read' | 'absent' | 'error';
      /** The keys the file sets (names only, never values). */
      keys: string[];
    }>;
    /** Keys set by the machine policy: the user cannot change them. */
    lockedKeys: string[];
    error: { message: string; file: string | null; origin: string | null; keys: string[]; issues: string[] } | null;
  };
  keyStorage: { backend: string | null; refused: boolean; reason: string | null };
  proxy: { variables: ProxyVariable[]; note: string };
  providers: ProviderReport[];
  /** Each dataset's kind (local file or team database), and each team database's reachability and TLS. */
  datasets: DatasetReport[];
  checkTimeoutMs: number;
}

/** Builds the report: configuration, key storage and proxy from the input; providers checked in parallel. */
export async function collectDiagnostics(
  input: DiagnosticsInput,
  deps: CheckDeps & { checkPostgres?: PostgresChecker } = {},
): Promise<DiagnosticsReport> {
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const generatedAt = new Date(now()).toISOString();
  const { config } = input.configuration;
  const [checks, datasets] = await Promise.all([
    config ? checkProviders(providerTargets(config), { ...deps, timeoutMs }) : [],
    config ? checkDatasets(config.data, { timeoutMs, checkPostgres: deps.checkPostgres }) : [],
  ]);
  const providers = checks.map(({ target, check }): ProviderReport => ({
    id: target.id,
    type: target.type,
    displayName: target.displayName,
    url: target.url,
    proxyFromEnvironment: proxyForUrl(target.url, input.env),
    ...flattenCheck(check),
    ...(target.type === 'oidc' ? { clientSecretConfigured: Boolean(target.clientSecretConfigured) } : {}),
  }));
  const samlTolerance = new Map(checks.map(({ target }) => [target.id, target.clockSkewSeconds]));
  const report: DiagnosticsReport = {
    format: REPORT_FORMAT,
    generatedAt,
    findings: [],
    versions: {
      app: input.app.version,
      electron: input.versions.electron ?? null,
      chrome: input.versions.chrome ?? null,
      node: input.versions.node ?? null,
      platform: input.platform,
      arch: input.arch,
      osRelease: input.osRelease ?? null,
    },
    configuration: describeConfiguration(input.configuration),
    keyStorage: {
      backend: input.keyStorage?.backend ?? null,
      refused: Boolean(input.keyStorage?.refusal),
      reason: input.keyStorage?.refusal ?? null,
    },
    proxy: {
      variables: proxyVariables(input.env),
      note:
        'Proxy environment variables as found, credentials removed. Sign-in windows follow the system proxy settings; ' +
        'the provider checks in this report were made from Portico’s main process, as its own OIDC requests are.',
    },
    providers,
    datasets,
    checkTimeoutMs: timeoutMs,
  };
  report.findings = [...findingsOf(report, samlTolerance), ...datasetFindings(datasets)];
  return withoutSecrets(report, secretsOf(input));
}

/** Every secret the input knows of: secret-looking configuration values, proxy credentials, extras. */
export function secretsOf(input: Pick<DiagnosticsInput, 'configuration' | 'env' | 'extraSecrets'>): string[] {
  return [
    ...input.configuration.layers.flatMap((layer) => secretValuesIn(layer.value)),
    ...secretValuesIn(input.configuration.config),
    ...proxyCredentials(input.env),
    ...(input.extraSecrets ?? []),
  ];
}

/** The report with any known secret replaced, then checked: a leak throws rather than ships. */
export function withoutSecrets<T>(report: T, secrets: readonly string[]): T {
  const clean = scrubValue(report, secrets);
  assertNoSecrets(JSON.stringify(clean), secrets);
  return clean;
}

function flattenCheck(check: ProviderCheck) {
  return {
    result: check.result,
    reachable: check.reachable,
    status: check.status,
    responseTimeMs: Math.round(check.responseTimeMs),
    serverTime: check.clock?.serverTime ?? null,
    clockSkewSeconds: check.clock?.skewSeconds ?? null,
    clockSkewTooLarge: check.clock?.tooLarge ?? false,
    detail: check.detail,
  };
}

function describeConfiguration(state: ConfigurationState): DiagnosticsReport['configuration'] {
  const keysBySource = new Map(state.layers.map((layer) => [layer.source, leafKeys(layer.value)]));
  const error = state.error;
  return {
    valid: state.config !== null && error === null,
    sources: state.sources.map((source) => ({
      file: source.file,
      kind: source.kind,
      origin: source.origin,
      status: source.status,
      keys: keysBySource.get(source.file) ?? [],
    })),
    lockedKeys: lockedKeys(state.layers),
    error: error
      ? error instanceof ConfigError
        ? { message: error.message, file: error.source, origin: error.origin, keys: error.keys, issues: error.issues }
        : { message: error.message, file: null, origin: null, keys: [], issues: [] }
      : null,
  };
}

const RESULT_WORDS: Record<CheckResult, string> = {
  ok: 'answers',
  'http-error': 'answers with an error',
  'invalid-response': 'answers, but not as expected',
  timeout: 'does not answer in time',
  'connection-refused': 'refuses the connection',
  'dns-failure': 'cannot be found (DNS)',
  'tls-error': 'fails the secure connection (TLS)',
  'network-error': 'cannot be reached',
};

function findingsOf(report: DiagnosticsReport, samlTolerance: Map<string, number | undefined>): Finding[] {
  const findings: Finding[] = [];
  const { configuration, keyStorage } = report;
  if (configuration.error) {
    const policy = configuration.error.origin === 'policy';
    findings.push({
      severity: 'error',
      code: policy ? 'policy-invalid' : 'config-invalid',
      message: `${configuration.error.message}${policy ? ' The administrator who manages this computer must correct it.' : ''}`,
    });
  }
  if (keyStorage.refused) {
    findings.push({ severity: 'error', code: 'key-storage-refused', message: keyStorage.reason ?? 'Key storage is refused.' });
  } else if (keyStorage.backend && /basic_text|unknown/.test(keyStorage.backend)) {
    findings.push({
      severity: 'warning',
      code: 'key-storage-weak',
      message: `Key storage is ${keyStorage.backend}: no OS keyring protects the vault key (allowed by policy).`,
    });
  }
  const skewed = report.providers.filter((p) => p.clockSkewTooLarge);
  for (const p of skewed) {
    findings.push({
      severity: 'error',
      code: 'clock-skew',
      message:
        `This computer’s clock is ${describeSkew(p.clockSkewSeconds ?? 0)} ${p.displayName} (${new URL(p.url).host}), ` +
        `more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes: SAML and OIDC sign-ins will fail. Set the clock automatically (time server) and restart Portico.`,
    });
  }
  for (const p of report.providers) {
    const tolerance = samlTolerance.get(p.id);
    if (!p.clockSkewTooLarge && p.type === 'saml' && tolerance !== undefined && p.clockSkewSeconds !== null) {
      if (Math.abs(p.clockSkewSeconds) > tolerance + 1) {
        findings.push({
          severity: 'warning',
          code: 'clock-skew',
          message: `This computer’s clock is ${describeSkew(p.clockSkewSeconds)} ${p.displayName}, beyond its allowed ${tolerance} s: its sign-ins may be refused.`,
        });
      }
    }
    if (p.result !== 'ok') {
      findings.push({
        severity: 'error',
        code: p.reachable ? 'provider-error' : 'provider-unreachable',
        message: `${p.displayName} (${p.url}) ${RESULT_WORDS[p.result]}: ${p.detail ?? ''}`.trim(),
      });
    }
    if (p.clientSecretConfigured) {
      findings.push({
        severity: 'warning',
        code: 'oidc-client-secret',
        message:
          `${p.displayName} is configured with a client secret, which is not secret in a desktop app: anyone with ` +
          'Portico can read it (RFC 8252 8.5). Register Portico as a public client (PKCE, no secret) if the provider allows it.',
      });
    }
  }
  return findings;
}

/** The support bundle's text: a readable summary, then the JSON report. */
export function formatSupportBundle(report: DiagnosticsReport): string {
  const lines: string[] = [];
  const add = (...text: string[]) => lines.push(...text);
  const mark = (severity: Severity) => (severity === 'error' ? '[error]  ' : severity === 'warning' ? '[warning]' : '[info]   ');
  add(
    'Portico support bundle',
    `Made ${report.generatedAt} (this computer's clock), Portico ${report.versions.app}.`,
    'It holds no password, token, client secret, private key, cookie or proxy credential.',
    '',
    'Summary',
  );
  if (report.findings.length === 0) add('  No problem found.');
  for (const f of report.findings) add(`  ${mark(f.severity)} ${f.message}`);

  const v = report.versions;
  add(
    '',
    'Versions',
    `  Portico ${v.app}; Electron ${v.electron ?? 'n/a'}; Chrome ${v.chrome ?? 'n/a'}; Node ${v.node ?? 'n/a'}`,
    `  ${v.platform} ${v.arch}${v.osRelease ? ` (${v.osRelease})` : ''}`,
  );

  const c = report.configuration;
  add('', `Configuration: ${c.valid ? 'valid' : 'INVALID'}`);
  for (const s of c.sources) {
    const keys = s.keys.length > 0 ? `: ${s.keys.join(', ')}` : '';
    add(`  ${s.kind === 'policy' ? 'policy' : 'user  '} ${s.status.padEnd(6)} ${s.file} (${s.origin})${keys}`);
  }
  add(`  Locked by policy: ${c.lockedKeys.length > 0 ? c.lockedKeys.join(', ') : 'nothing'}`);
  if (c.error) for (const issue of c.error.issues) add(`    ${issue}`);

  const k = report.keyStorage;
  add('', `Key storage: ${k.backend ?? 'not determined'}${k.refused ? ` (refused: ${k.reason ?? ''})` : ''}`);

  add('', 'Proxy');
  if (report.proxy.variables.length === 0) add('  No proxy environment variable is set.');
  for (const p of report.proxy.variables) add(`  ${p.name}=${p.value}${p.credentialsRemoved ? ' (credentials removed)' : ''}`);

  add('', `Identity providers (timeout ${report.checkTimeoutMs / 1000} s each)`);
  if (report.providers.length === 0) add(c.valid ? '  None configured.' : '  Not checked: the configuration is invalid.');
  for (const p of report.providers) {
    const status = p.status === null ? '' : ` HTTP ${p.status},`;
    const skew = p.clockSkewSeconds === null ? 'clock not compared' : `clock ${describeSkew(p.clockSkewSeconds)} the server`;
    add(
      `  ${p.type.toUpperCase()} ${p.id} ${p.url}`,
      `    ${p.result}:${status} ${p.responseTimeMs} ms, ${skew}${p.proxyFromEnvironment ? `, proxy ${p.proxyFromEnvironment}` : ''}`,
    );
    if (p.detail) add(`    ${p.detail}`);
  }

  add('', '--- Report (JSON) ---', JSON.stringify(report, null, 2), '');
  return lines.join('\n');
}
