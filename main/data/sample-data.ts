/**
 * The built-in sample: an `orders` table generated in SQL from `range(n)` with integer
 * arithmetic only, so the same `n` always gives the same rows (no random()). Each field picks
 * from a fixed list with its own multiplicative hash of the row number (Knuth's method: the
 * high bits of i * K mod 2^32), so fields do not move in step.
 */
import type { DatasetColumnDef } from './dataset';

/** Bump when the generated data changes: the file name carries it, so a new one is made. */
export const SAMPLE_VERSION = 1;

export function sampleFileName(rows: number): string {
  return `sample-orders-v${SAMPLE_VERSION}-${rows}.duckdb`;
}

/** Matches every sample file name, of any version or size (to clean up old ones). */
export const SAMPLE_FILE_PATTERN = /^sample-orders-v\d+-\d+\.duckdb$/;

const COUNTRIES: [string, string][] = [
  ['Germany', 'EMEA'],
  ['France', 'EMEA'],
  ['United Kingdom', 'EMEA'],
  ['Spain', 'EMEA'],
  ['Italy', 'EMEA'],
  ['Netherlands', 'EMEA'],
  ['Sweden', 'EMEA'],
  ['South Africa', 'EMEA'],
  ['United Arab Emirates', 'EMEA'],
  ['United States', 'AMER'],
  ['Canada', 'AMER'],
  ['United States', 'AMER'],
  ['Japan', 'APAC'],
  ['Australia', 'APAC'],
  ['India', 'APAC'],
  ['Singapore', 'APAC'],
  ['South Korea', 'APAC'],
  ['Brazil', 'LATAM'],
  ['Mexico', 'LATAM'],
  ['Argentina', 'LATAM'],
];

const REGIONS = ['EMEA', 'AMER', 'APAC', 'LATAM'];

const FIRST_NAMES = [
  'Jane',
  'John',
  'Maria',
  'Ahmed',
  'Yuki',
  'Liam',
  'Olivia',
  'Noah',
  'Emma',
  'Lucas',
  'Sofia',
  'Mateo',
  'Aisha',
  'Wei',
  'Priya',
  'Arjun',
  'Chloe',
  'Ethan',
  'Hannah',
  'Jonas',
  'Lea',
  'Marco',
  'Nina',
  'Omar',
  'Paula',
  'Rafael',
  'Sara',
  'Tomas',
  'Uma',
  'Victor',
  'Zoe',
  'Kenji',
  'Ingrid',
  'Diego',
  'Fatima',
  'Hugo',
  'Elena',
  'Carlos',
  'Mei',
  'Ravi',
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Eva',
  'Felix',
  'Grace',
  'Henrik',
];

const LAST_NAMES = [
  'Doe',
  'Smith',
  'Garcia',
  'Khan',
  'Tanaka',
  'Müller',
  'Rossi',
  'Dubois',
  'Johnson',
  'Silva',
  'Kim',
  'Nguyen',
  'Patel',
  'Schmidt',
  'Lopez',
  'Martin',
  'Brown',
  'Andersson',
  'Novak',
  'Costa',
  'Fischer',
  'Weber',
  'Moreau',
  'Bianchi',
  'Jansen',
  'Nielsen',
  'Sato',
  'Suzuki',
  'Chen',
  'Wang',
  'Singh',
  'Sharma',
  'Oliveira',
  'Santos',
  'Hernandez',
  'Gonzalez',
  'Wilson',
  'Taylor',
  'Clark',
  'Lewis',
  'Walker',
  'Young',
  'King',
  'Wright',
  'Hill',
  'Green',
  'Baker',
  'Adams',
];

const DOMAINS = ['example.com', 'example.org', 'example.net'];

/** Product, unit price in cents, gross margin in percent. */
const PRODUCTS: [string, number, number][] = [
  ['Laptop Pro 14', 189900, 22],
  ['Laptop Air 13', 119900, 25],
  ['Desktop Tower', 149900, 20],
  ['27" Monitor', 32900, 30],
  ['Docking Station', 21900, 35],
  ['Wireless Keyboard', 7900, 45],
  ['Wireless Mouse', 4900, 48],
  ['Noise-Cancelling Headset', 24900, 38],
  ['Webcam HD', 8900, 42],
  ['Office Chair', 39900, 33],
  ['Standing Desk', 59900, 28],
  ['Support Plan (1 year)', 29900, 60],
];

/** Three sales reps per region, in REGIONS order. */
const SALES_REPS = [
  'Anna Becker',
  'Luc Martin',
  'Grace Okafor',
  'Michael Brown',
  'Jennifer Lee',
  'Robert Davis',
  'Hiroshi Sato',
  'Priya Nair',
  'Chloe Tan',
  'Camila Souza',
  'Javier Ruiz',
  'Lucia Fernandez',
];

const list = (values: readonly (string | number)[]) =>
  `[${values.map((v) => (typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`)).join(', ')}]`;

/** The statements that create `orders` with `rows` rows in a new database file. */
export function sampleStatements(rows: number): string[] {
  if (!Number.isSafeInteger(rows) || rows < 1) throw new Error('Sample rows must be a positive integer.');
  // mix(i, k): 16 well-spread bits of the row number, different for each multiplier k.
  const mix = (k: number) => `(((i * ${k}) % 4294967296) // 65536)`;
  const pick = (name: string, k: number, n: number) => `${name}[1 + ${mix(k)} % ${n}]`;
  return [
    `CREATE TABLE orders AS
WITH base AS (
  SELECT range AS i,
    ${mix(2654435761)} % ${COUNTRIES.length} AS c,
    ${mix(1103515245)} % ${PRODUCTS.length} AS p,
    1 + ${mix(1664525)} % 12 AS quantity,
    (${mix(22695477)} % 4) * 5 AS discount
  FROM range(${rows})
),
lists AS (
  SELECT ${list(COUNTRIES.map((c) => c[0]))} AS countries,
    ${list(COUNTRIES.map((c) => REGIONS.indexOf(c[1])))} AS region_of,
    ${list(REGIONS)} AS regions,
    ${list(FIRST_NAMES)} AS first_names,
    ${list(LAST_NAMES)} AS last_names,
    ${list(DOMAINS)} AS domains,
    ${list(PRODUCTS.map((p) => p[0]))} AS products,
    ${list(PRODUCTS.map((p) => p[1]))} AS prices,
    ${list(PRODUCTS.map((p) => p[2]))} AS margins,
    ${list(SALES_REPS)} AS reps
),
rows AS (
  SELECT i, quantity, discount,
    countries[1 + c] AS country,
    region_of[1 + c] AS r,
    ${pick('first_names', 2246822519, FIRST_NAMES.length)} AS first_name,
    ${pick('last_names', 3266489917, LAST_NAMES.length)} AS last_name,
    ${mix(668265263)} % 100 AS email_n,
    ${pick('domains', 374761393, DOMAINS.length)} AS domain,
    products[1 + p] AS product,
    prices[1 + p] * quantity * (100 - discount) // 100 AS amount_cents,
    margins[1 + p] - discount AS margin_pct,
    ${mix(134775813)} % 3 AS rep,
    ${mix(1013904223)} % 1096 AS day,
    regions, reps
  FROM base, lists
)
SELECT
  CAST(i + 1 AS INTEGER) AS id,
  CAST(DATE '2023-01-01' + CAST(day AS INTEGER) AS DATE) AS order_date,
  regions[1 + r] AS region,
  country,
  first_name || ' ' || last_name AS customer_name,
  lower(first_name) || '.' || lower(replace(last_name, 'ü', 'ue'))
    || CASE WHEN email_n < 70 THEN '' ELSE CAST(email_n AS VARCHAR) END || '@' || domain AS customer_email,
  product,
  CAST(quantity AS INTEGER) AS quantity,
  CAST(amount_cents / 100 AS DECIMAL(12, 2)) AS amount,
  CAST((amount_cents * margin_pct // 100) / 100 AS DECIMAL(12, 2)) AS margin,
  reps[1 + r * 3 + rep] AS sales_rep
FROM rows
ORDER BY i`,
  ];
}

export const SAMPLE_COLUMNS: DatasetColumnDef[] = [
  { name: 'id', label: 'Order', type: 'integer', sqlType: 'INTEGER' },
  { name: 'order_date', label: 'Date', type: 'date' },
  { name: 'region', label: 'Region', type: 'text' },
  { name: 'country', label: 'Country', type: 'text' },
  { name: 'customer_name', label: 'Customer', type: 'text' },
  { name: 'customer_email', label: 'Email', type: 'text' },
  { name: 'product', label: 'Product', type: 'text' },
  { name: 'quantity', label: 'Quantity', type: 'integer', sqlType: 'INTEGER' },
  { name: 'amount', label: 'Amount', type: 'decimal', sqlType: 'DECIMAL(12,2)' },
  { name: 'margin', label: 'Margin', type: 'decimal', sqlType: 'DECIMAL(12,2)' },
  { name: 'sales_rep', label: 'Sales rep', type: 'text' },
];

export const SAMPLE_CHART_COLUMNS = ['region', 'country', 'product', 'sales_rep'];
