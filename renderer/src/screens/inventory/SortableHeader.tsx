import type { Sort, SortKey } from './inventory-rows.js';

/** A column header that sorts by its column; a second press reverses the order. */
export function SortableHeader({ label, sortKey, sort, onSort }: { label: string; sortKey: SortKey; sort: Sort; onSort: (sort: Sort) => void }) {
  const active = sort.key === sortKey;
  return (
    <th aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort" onClick={() => onSort({ key: sortKey, descending: active ? !sort.descending : false })}>
        {label}
        <span aria-hidden="true">{active ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
      </button>
    </th>
  );
}
