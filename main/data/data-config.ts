/**
 * Configuration of the data view (`data` in the policy file): the built-in sample, the export
 * switch, and the datasets IT declares, each with its own row and column security.
 *
 * Everything here is trusted (written by IT), but names still go through the same patterns
 * as the IPC contract, so that a column name in configuration can always be quoted as an SQL
 * identifier, and file paths are only ever put into SQL as quoted string literals.
 */
import { z } from 'zod';
import { LOCAL_ROLES, PERMISSIONS } from '../../preload/constants';
import { postgresSourceConfig } from './postgres/postgres-config';

/** Same shape as the contract's column names: `[a-z_][a-z0-9_]*`, at most 63 characters. */
export const COLUMN_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Same shape as the contract's dataset ids. */
export const DATASET_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

const columnName = z.string().regex(COLUMN_NAME, 'Column names use a-z, 0-9 and _ and start with a letter or _.');
const datasetId = z.string().regex(DATASET_ID, 'Dataset ids use a-z, 0-9, _ and - (at most 40 characters).');
const filePath = z
  .string()
  .min(1)
  .max(4096)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .regex(/^[^\u0000-\u001f]+$/, 'Paths cannot contain control characters.');
const role = z.enum(LOCAL_ROLES);
const permission = z.enum(PERMISSIONS);
const scopeValue = z.union([z.string().max(256), z.number().finite()]);

/** Who may see a hidden column: any listed role or permission. */
const audience = z.strictObject({
  roles: z.array(role).max(LOCAL_ROLES.length).default([]),
  permissions: z.array(permission).max(PERMISSIONS.length).default([]),
});

export const columnRuleConfig = z.strictObject({
  /** Show a masked value (`j***@example.com`, `J*** D***`, `***`) unless the user has `unmaskedWith`. */
  mask: z.enum(['email', 'name', 'full']).optional(),
  unmaskedWith: permission.default('data.read.pii'),
  /** Leave the column out entirely (name and values) unless the user is in `visibleTo`. */
  hidden: z.boolean().default(false),
  visibleTo: audience.optional(),
});

/**
 * A row scope grants the rows where `column` is one of `values` to members of `group`, or the
 * rows where `column` equals the user's own `attribute` (case-insensitive). A user in no
 * all-rows role who matches no scope sees no rows (fail closed).
 */
export const rowScopeConfig = z.union([
  z.strictObject({
    group: z.string().trim().min(1).max(256),
    column: columnName,
    values: z.array(scopeValue).min(1).max(1000),
  }),
  z.strictObject({
    attribute: z.enum(['username', 'email']),
    column: columnName,
  }),
]);

export const datasetSecurityConfig = z
  .strictObject({
    allRowsRoles: z.array(role).max(LOCAL_ROLES.length).default(['analyst', 'admin']).meta({
      description: 'Roles that see every row. Everyone else sees only the rows their row scopes grant, and none without one.',
    }),
    rowScopes: z.array(rowScopeConfig).max(200).default([]).meta({
      description:
        'Rows granted by group or attribute: `{ "group": "Sales-EMEA", "column": "region", "values": ["EMEA"] }`, or `{ "attribute": "email", "column": "owner_email" }` (`email` or `username`, compared case-insensitively).',
    }),
    columns: z.record(columnName, columnRuleConfig).default({}).meta({
      description:
        'Column name → rule. `{ "mask": "email" | "name" | "full" }` shows `j***@example.com`, `J*** D***` or `***` unless the user has `unmaskedWith` (default `data.read.pii`); `{ "hidden": true, "visibleTo": { "roles": [], "permissions": [] } }` leaves the column out for everyone else. Columns not listed are shown as they are.',
    }),
  })
  .prefault({})
  .meta({
    description:
      'Who sees which rows and columns of this dataset, applied in Portico’s main process before any row is shown or exported.',
  });

export const dataSourceConfig = z.discriminatedUnion('type', [
  /** A table in a DuckDB database file, attached read-only. */
  z.strictObject({
    type: z.literal('duckdb'),
    path: filePath,
    table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'Table names use letters, digits and _.'),
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/)
      .default('main'),
  }),
  /** A CSV file, read once at start (restart Portico to pick up changes). */
  z.strictObject({ type: z.literal('csv'), path: filePath }),
  /** A Parquet file, read in place on every query. */
  z.strictObject({ type: z.literal('parquet'), path: filePath }),
  /** A table or view in IT's PostgreSQL, read by each person as their own database role. */
  postgresSourceConfig,
]);

export const datasetConfig = z
  .strictObject({
    id: datasetId.meta({ description: 'A short id (`a-z`, `0-9`, `_`, `-`), unique among datasets.' }),
    name: z.string().trim().min(1).max(120).meta({ description: 'Shown in the dataset list.' }),
    description: z.string().max(1000).default('').meta({ description: 'Shown with the name.' }),
    source: dataSourceConfig.meta({
      description:
        'Where the rows are: `{ "type": "duckdb", "path", "table", "schema" }` (a DuckDB file, opened read-only), `{ "type": "csv", "path" }` (read once at start), `{ "type": "parquet", "path" }`, or `{ "type": "postgres", "host", "port", "database", "schema", "table", "tls", "auth", "rowScope", "entitledFunction", "maxConnections" }`: a team database where each person connects as themselves and row-level security decides (docs/team-data-postgres.md). A local file is readable by anyone who can read the person’s files; data to keep from some employees belongs in a postgres source.',
    }),
    columns: z
      .array(
        z.strictObject({
          name: columnName.meta({ description: 'The column’s name in the source.' }),
          label: z
            .string()
            .trim()
            .min(1)
            .max(80)
            .optional()
            .meta({ description: 'The column’s heading. Default: the name, spaced.' }),
        }),
      )
      .min(1)
      .max(200)
      .optional()
      .meta({
        description:
          'The columns shown, in order, each `{ "name", "label" }` (an allow-list). Without it, every column whose name and type Portico supports.',
      }),
    key: columnName
      .optional()
      .meta({ description: 'A column with a unique value in each row: the last sort key, so that pages never overlap.' }),
    chartColumns: z
      .array(columnName)
      .max(50)
      .optional()
      .meta({ description: 'Columns the chart may count rows by. Default: text columns with at most 50 distinct values.' }),
    security: datasetSecurityConfig,
  })
  .superRefine((ds, ctx) => {
    if (ds.source.type === 'postgres') {
      // The database decides rows; pages are cut on the key (docs/team-data-postgres.md).
      if (!ds.key) ctx.addIssue({ code: 'custom', message: `Dataset ${ds.id}: a postgres dataset needs a unique "key" column.` });
      if (ds.security.rowScopes.length)
        ctx.addIssue({
          code: 'custom',
          message: `Dataset ${ds.id}: rows of a postgres dataset are decided by the database's row-level security, not rowScopes.`,
        });
    }
    if (!ds.columns) return;
    const names = new Set(ds.columns.map((c) => c.name));
    if (names.size !== ds.columns.length)
      ctx.addIssue({ code: 'custom', message: `Dataset ${ds.id}: column names must be unique.` });
    for (const name of [...(ds.chartColumns ?? []), ...(ds.key ? [ds.key] : [])]) {
      if (!names.has(name)) ctx.addIssue({ code: 'custom', message: `Dataset ${ds.id}: ${name} is not one of its columns.` });
    }
  });

/** An export's start and each of its batches may take this many times `queryTimeoutSeconds`. */
export const EXPORT_STEP_TIMEOUT_FACTOR = 10;

/** The built-in sample's id: configured datasets cannot reuse it. */
export const SAMPLE_DATASET_ID = 'sample-orders';
export const SAMPLE_MAX_ROWS = 5_000_000;

export const dataConfig = z
  .strictObject({
    sample: z
      .strictObject({
        enabled: z.boolean().default(true).meta({ description: 'Offer the generated sample dataset.' }),
        rows: z
          .number()
          .int()
          .min(1)
          .max(SAMPLE_MAX_ROWS)
          .default(200_000)
          .meta({ description: 'Orders in the sample, generated once into the user data folder.' }),
      })
      .prefault({})
      .meta({
        description:
          'A generated `orders` table, a demo so that Portico is useful with no setup: turn it off in production (every example policy does). Analysts and admins see every region, members of Sales-EMEA, Sales-AMER, Sales-APAC or Sales-LATAM their own; customer names and emails are masked without `data.read.pii`; viewers never see margins.',
      }),
    queryTimeoutSeconds: z.number().int().min(1).max(600).default(30).meta({
      description:
        'Stop a page, row count or chart query that runs longer than this many seconds; the user is asked to narrow the filters or the search. An export is not cut by it, however long it runs: only its start (which may sort every row) or a batch of 2,048 rows that takes 10 times as long (default 5 minutes) stops it.',
    }),
    openTimeoutSeconds: z.number().int().min(1).max(600).default(20).meta({
      description:
        'Give up on opening a dataset whose file does not answer within this many seconds (a stalled network share): it is listed as failed with the reason while the other datasets work. A file that is not a regular file (a pipe or a device) is refused at once.',
    }),
    exportAllowed: z
      .boolean()
      .default(true)
      .meta({ description: 'Allow CSV exports to roles with `data.export`. With false nobody exports, whatever their role.' }),
    datasets: z
      .array(datasetConfig)
      .max(50)
      .default([])
      .refine((list) => new Set(list.map((d) => d.id)).size === list.length, 'Dataset ids must be unique.')
      .refine(
        (list) => list.every((d) => d.id !== SAMPLE_DATASET_ID),
        `The dataset id ${SAMPLE_DATASET_ID} is reserved for the sample.`,
      )
      .meta({
        description:
          'Datasets IT connects: a DuckDB table, a CSV or a Parquet file, each with its own security, or a PostgreSQL table where the database decides per person.',
      }),
  })
  .prefault({})
  .meta({
    description: 'The data view: the built-in sample, exports, and the datasets IT connects, with their row and column security.',
  });

export type DataConfig = z.output<typeof dataConfig>;
export type DataConfigInput = z.input<typeof dataConfig>;
export type DatasetConfig = z.output<typeof datasetConfig>;
export type DatasetSecurity = z.output<typeof datasetSecurityConfig>;
export type ColumnRule = z.output<typeof columnRuleConfig>;
export type RowScope = z.output<typeof rowScopeConfig>;
export type DataSource = z.output<typeof dataSourceConfig>;

/**
 * The sample's security: analysts and admins see every region, sales groups their own one;
 * customer names and emails are masked without `data.read.pii`; viewers never see margins.
 */
export const SAMPLE_SECURITY: DatasetSecurity = datasetSecurityConfig.parse({
  allRowsRoles: ['analyst', 'admin'],
  rowScopes: [
    { group: 'Sales-EMEA', column: 'region', values: ['EMEA'] },
    { group: 'Sales-AMER', column: 'region', values: ['AMER'] },
    { group: 'Sales-APAC', column: 'region', values: ['APAC'] },
    { group: 'Sales-LATAM', column: 'region', values: ['LATAM'] },
  ],
  columns: {
    customer_name: { mask: 'name' },
    customer_email: { mask: 'email' },
    margin: { hidden: true, visibleTo: { roles: ['analyst', 'manager', 'admin'] } },
  },
});
