import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { CellValue, DatasetColumn } from '../../../../preload/contract';
import { ROW_HEIGHT, scrollGeometry, visibleRows } from '../../lib/grid-window';
import type { DataPages } from '../../lib/use-data-pages';

export interface SortState {
  column: string;
  direction: 'asc' | 'desc';
}

interface DataGridProps {
  label: string;
  columns: DatasetColumn[];
  pages: DataPages;
  sort: SortState | null;
  onSort: (column: string) => void;
  filterText: Record<string, string>;
  filterErrors: Record<string, string>;
  onFilterChange: (column: string, text: string) => void;
}

const WIDTH: Record<DatasetColumn['type'], number> = { text: 190, integer: 100, decimal: 120, date: 120 };
const MASK_HINT = 'Masked: your role does not show personal data';

/**
 * A virtualized grid: only the rows on screen (plus a few) are in the DOM, loaded page by
 * page from main, so a million rows scroll like a hundred. ARIA grid semantics throughout.
 */
export function DataGrid({ label, columns, pages, sort, onSort, filterText, filterErrors, onFilterChange }: DataGridProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLDivElement>(null);
  const frame = useRef(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(480);
  const total = pages.total ?? 0;
  const template = columns.map((c) => `${WIDTH[c.type]}px`).join(' ');
  const widthPx = columns.reduce((sum, c) => sum + WIDTH[c.type], 0);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    const measure = () => setViewport(Math.max(ROW_HEIGHT, element.clientHeight - (headRef.current?.offsetHeight ?? 0)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // A new query starts at the top.
  useEffect(() => {
    if (pages.total === null && scrollRef.current) {
      scrollRef.current.scrollTop = 0;
      setScrollTop(0);
    }
  }, [pages.total]);

  const { spacerPx, scale } = scrollGeometry(total, viewport);
  const { first, end, topPx } = visibleRows(scrollTop, viewport, total, scale);
  const { show } = pages;
  useEffect(() => show(first, end), [show, first, end]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  function onScroll() {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setScrollTop(scrollRef.current?.scrollTop ?? 0));
  }

  const rows: React.ReactNode[] = [];
  for (let index = first; index < end; index++) {
    rows.push(
      <GridRow
        key={index}
        index={index}
        top={topPx + (index - first) * ROW_HEIGHT}
        template={template}
        columns={columns}
        cells={pages.row(index)}
      />,
    );
  }

  return (
    <div
      ref={scrollRef}
      className="grid-scroll"
      role="grid"
      aria-label={label}
      aria-rowcount={total + 2}
      aria-colcount={columns.length}
      aria-busy={pages.total === null}
      onScroll={onScroll}
      tabIndex={0}
    >
      <div ref={headRef} className="grid-head" role="rowgroup" style={{ width: widthPx }}>
        <div className="grid-row grid-header-row" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          {columns.map((column, i) => (
            <HeaderCell key={column.name} column={column} index={i} sort={sort} onSort={onSort} />
          ))}
        </div>
        <div className="grid-row grid-filter-row" role="row" aria-rowindex={2} style={{ gridTemplateColumns: template }}>
          {columns.map((column) => {
            const error = filterErrors[column.name];
            return (
              <div key={column.name} role="gridcell" className="grid-filter-cell">
                <input
                  type="search"
                  className="grid-filter"
                  aria-label={`Filter ${column.label}`}
                  placeholder={column.type === 'text' ? 'Contains…' : '=, >=, <='}
                  value={filterText[column.name] ?? ''}
                  aria-invalid={error ? true : undefined}
                  title={error}
                  onChange={(event) => onFilterChange(column.name, event.target.value)}
                />
              </div>
            );
          })}
        </div>
      </div>
      <div className="grid-body" role="rowgroup" style={{ height: spacerPx, width: widthPx }}>
        {rows}
      </div>
    </div>
  );
}

function HeaderCell({
  column,
  index,
  sort,
  onSort,
}: {
  column: DatasetColumn;
  index: number;
  sort: SortState | null;
  onSort: (column: string) => void;
}) {
  const direction = sort?.column === column.name ? sort.direction : null;
  return (
    <div
      role="columnheader"
      aria-colindex={index + 1}
      aria-sort={direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : 'none'}
      className={`grid-header${isNumeric(column) ? ' numeric' : ''}`}
    >
      <button type="button" className="grid-sort" onClick={() => onSort(column.name)}>
        {column.label}
        {column.masked ? (
          <span className="masked-badge" title={MASK_HINT}>
            masked
          </span>
        ) : null}
        <span aria-hidden="true" className="sort-mark">
          {direction === 'asc' ? '▲' : direction === 'desc' ? '▼' : ''}
        </span>
      </button>
    </div>
  );
}

function GridRow({
  index,
  top,
  template,
  columns,
  cells,
}: {
  index: number;
  top: number;
  template: string;
  columns: DatasetColumn[];
  cells: CellValue[] | undefined;
}) {
  return (
    <div
      className={`grid-row grid-data-row${cells ? '' : ' loading-row'}`}
      role="row"
      aria-rowindex={index + 3}
      style={{ gridTemplateColumns: template, transform: `translateY(${top}px)` }}
    >
      {columns.map((column, i) =>
        cells ? (
          <div
            key={column.name}
            role="gridcell"
            aria-colindex={i + 1}
            className={`grid-cell${isNumeric(column) ? ' numeric' : ''}${column.masked ? ' masked' : ''}`}
            title={column.masked ? MASK_HINT : undefined}
          >
            {formatCell(cells[i] ?? null, column)}
          </div>
        ) : (
          <div key={column.name} role="gridcell" aria-colindex={i + 1} className="grid-cell">
            {i === 0 ? 'Loading…' : ''}
          </div>
        ),
      )}
    </div>
  );
}

const decimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const integer = new Intl.NumberFormat();

function isNumeric(column: DatasetColumn): boolean {
  return column.type === 'integer' || column.type === 'decimal';
}

export function formatCell(value: CellValue, column: DatasetColumn): string {
  if (value === null) return '';
  if (typeof value === 'number') return column.type === 'decimal' ? decimal.format(value) : integer.format(value);
  return column.type === 'date' ? value.slice(0, 10) : value;
}
