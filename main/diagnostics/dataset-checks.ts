/**
 * Diagnostics of the datasets: which kind each is (a local file, or a team database that
 * decides per person) and, for each postgres source, whether its server is reachable and its
 * TLS certificate verifies, with no person's credential (main/data/postgres/postgres-diagnostics.ts).
 */
import type { DataConfig } from '../data/data-config';
import { checkPostgresSource, type PostgresCheck } from '../data/postgres/postgres-diagnostics';

export interface DatasetReport {
  id: string;
  name: string;
  /** `local`: a file anyone who can read this computer's files can open; `team`: the database decides. */
  kind: 'local' | 'team';
  source: 'sample' | 'duckdb' | 'csv' | 'parquet' | 'postgres';
  /** Team datasets: the server, TLS and its version (from the asking person's own open connection, if any). */
  check: PostgresCheck | null;
}

export type PostgresChecker = (source: Parameters<typeof checkPostgresSource>[0], timeoutMs: number) => Promise<PostgresCheck>;

export async function checkDatasets(
  data: DataConfig,
  options: { timeoutMs: number; checkPostgres?: PostgresChecker },
): Promise<DatasetReport[]> {
  const checkPostgres: PostgresChecker =
    options.checkPostgres ?? ((source, timeoutMs) => checkPostgresSource(source, { timeoutMs }));
  const sample: DatasetReport[] = data.sample.enabled
    ? [{ id: 'sample-orders', name: 'Sample orders', kind: 'local', source: 'sample', check: null }]
    : [];
  const configured = await Promise.all(
    data.datasets.map(async (ds): Promise<DatasetReport> => {
      const source = ds.source;
      if (source.type !== 'postgres') return { id: ds.id, name: ds.name, kind: 'local', source: source.type, check: null };
      return {
        id: ds.id,
        name: ds.name,
        kind: 'team',
        source: 'postgres',
        check: await checkPostgres(source, options.timeoutMs),
      };
    }),
  );
  return [...sample, ...configured];
}

/** Findings for the datasets: a team database that does not answer, or whose TLS does not verify. */
export function datasetFindings(
  datasets: readonly DatasetReport[],
): { severity: 'error' | 'warning' | 'info'; code: string; message: string }[] {
  const findings: { severity: 'error' | 'warning' | 'info'; code: string; message: string }[] = [];
  for (const ds of datasets) {
    // Local datasets are listed in the report with their kind; nothing there needs attention.
    if (ds.kind === 'local') continue;
    const check = ds.check;
    if (!check) continue;
    if (!check.reachable) {
      findings.push({
        severity: 'warning',
        code: 'team-data-unreachable',
        message: `${ds.name}: ${check.problem ?? 'the database does not answer.'}`,
      });
    } else if (check.tls === 'failed' || check.tls === 'not-offered') {
      findings.push({
        severity: 'error',
        code: 'team-data-tls',
        message: `${ds.name}: ${check.problem ?? 'TLS did not verify.'}`,
      });
    }
  }
  return findings;
}
