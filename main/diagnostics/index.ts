/** Diagnostics: the public API (see report.ts for the report's shape). */
export { collectDiagnostics, formatSupportBundle, secretsOf, withoutSecrets, REPORT_FORMAT } from './report';
export type { DiagnosticsInput, DiagnosticsReport, Finding, ProviderReport, Severity } from './report';
export { readConfigurationState, configurationFromLayers } from './config-state';
export type { ConfigurationState, ConfigSourceState } from './config-state';
export { runDiagnostics, keyStorageStatus } from './run';
export type { DiagnosticsRun } from './run';
export {
  checkProvider,
  checkProviders,
  providerTargets,
  discoveryUrl,
  discoveryProblem,
  DEFAULT_CHECK_TIMEOUT_MS,
} from './provider-checks';
export type { CheckDeps, CheckResult, FetchLike, ProviderCheck, ProviderTarget } from './provider-checks';
export { clockSkew, describeSkew, MAX_CLOCK_SKEW_MS } from './clock-skew';
export type { ClockSkew } from './clock-skew';
export { proxyVariables, proxyForUrl, proxyCredentials, bypassesProxy } from './proxy';
export type { ProxyVariable } from './proxy';
export {
  redactUrl,
  scrubSecrets,
  scrubValue,
  assertNoSecrets,
  secretValuesIn,
  isSecretKey,
  urlCredentials,
  REDACTED,
} from './redact';
