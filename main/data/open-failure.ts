/**
 * Why a dataset did not open, in words fit for every user who may list it: no file path and
 * nothing DuckDB said (its message can quote a line of the file, rows the user may not see).
 * The log keeps the full detail for IT.
 */
import type { DatasetSummary } from '../../preload/contract';
import type { OpenFailure } from './data-engine';

/** "30 seconds", "5 minutes", "50 ms". */
export function describeLimit(ms: number): string {
  if (ms % 60_000 === 0) return ms === 60_000 ? '1 minute' : `${ms / 60_000} minutes`;
  if (ms % 1000 === 0) return ms === 1000 ? '1 second' : `${ms / 1000} seconds`;
  return `${ms} ms`;
}

/** Failures found after the engine opened the file. */
export type DescribeFailure = { kind: 'mismatch' | 'sample'; message: string };

export function describeOpenFailure(failure: OpenFailure | DescribeFailure, openTimeoutMs: number): string {
  switch (failure.kind) {
    case 'timeout':
      return `It did not open within ${describeLimit(openTimeoutMs)}: its file did not answer.`;
    case 'skipped':
      return 'It was not opened: other datasets did not answer in time, and Portico stopped trying more.';
    case 'not-a-file':
      return 'Its file is not a regular file (it is a pipe, a device or a folder).';
    case 'missing':
      return 'Its file was not found.';
    case 'no-access':
      return 'Portico may not read its file.';
    case 'engine':
      return 'Its file could not be read.';
    case 'mismatch':
      return 'Its configuration does not match its file.';
    case 'sample':
      return 'The sample could not be generated.';
  }
}

/** A dataset that did not open, as listed: its name and why, nothing to query. */
export function failedDatasetSummary(id: string, name: string, reason: string): DatasetSummary {
  return {
    id,
    name,
    description: '',
    columns: [],
    rowScope: null,
    canExport: false,
    chartColumns: [],
    status: 'failed',
    error: reason,
  };
}
