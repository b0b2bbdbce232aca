import type { CountBucket } from '../../../../preload/contract';

const integer = new Intl.NumberFormat();

/** A small horizontal bar chart of row counts by one column (the same scope and filters as the grid). */
export function CountsChart({ title, buckets }: { title: string; buckets: CountBucket[] | null }) {
  if (!buckets) return <p className="muted">Loading chart…</p>;
  if (buckets.length === 0) return <p className="muted">No rows to chart.</p>;
  const max = Math.max(...buckets.map((b) => b.count), 1);
  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      <ul className="chart-bars" aria-label={title}>
        {buckets.map((bucket) => (
          <li key={bucket.value ?? '(none)'} className="chart-row">
            <span className="chart-label">{bucket.value ?? '(none)'}</span>
            <span className="chart-track" aria-hidden="true">
              <span className="chart-bar" style={{ width: `${(bucket.count / max) * 100}%` }} />
            </span>
            <span className="chart-value">{integer.format(bucket.count)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
