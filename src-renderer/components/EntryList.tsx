import { memo, useEffect, useMemo, useRef, type MouseEvent } from 'react';
import { List, useListRef, type RowComponentProps } from 'react-window';
import type { EntrySummary } from '../../src-shared/contract';
import { EntryThumb } from './EntryThumb';
import { formatBytes, formatDateTime } from './format';
import { kindLabel } from './KindIcon';
import { folderOf, itemDomId, type EntryViewProps } from './entry-view';
import { useElementSize } from './use-element-size';

const ROW_HEIGHT = 34;
const HEADER_HEIGHT = 30;

interface RowData {
  libraryId: string;
  items: readonly (EntrySummary | undefined)[];
  selected: ReadonlySet<string>;
  focus: number | null;
  showFolder: boolean;
  onItemClick(index: number, event: MouseEvent): void;
  onItemOpen(index: number): void;
}

function ListRow({ index, style, ariaAttributes, libraryId, items, selected, focus, showFolder, onItemClick, onItemOpen }: RowComponentProps<RowData>) {
  const entry = items[index];
  if (!entry) {
    return (
      <div {...ariaAttributes} role="option" aria-selected={false} aria-busy="true" aria-label="Loading" style={style} className="row">
        <span className="col-name">
          <span className="row-icon skeleton-block" />
          <span className="skeleton-line" style={{ width: `${30 + ((index * 37) % 40)}%` }} />
        </span>
      </div>
    );
  }
  const isSelected = selected.has(entry.id);
  return (
    <div
      {...ariaAttributes}
      role="option"
      id={itemDomId(index)}
      aria-selected={isSelected}
      aria-label={entry.name}
      style={style}
      className={`row${isSelected ? ' selected' : ''}${focus === index ? ' focused' : ''}${index % 2 ? ' odd' : ''}`}
      onClick={(e) => onItemClick(index, e)}
      onDoubleClick={() => onItemOpen(index)}
    >
      <span className="col-name" title={entry.name}>
        <span className={`row-icon${entry.hasThumbnail ? ' has-image' : ''}`}>
          <EntryThumb key={entry.id} entry={entry} libraryId={libraryId} iconSize={16} showExtension={false} />
        </span>
        <span className="row-name">{entry.name}</span>
        {showFolder && <span className="row-folder">{folderOf(entry.relPath) || 'top level'}</span>}
        {entry.favorite && <span className="row-star" aria-label="Favourite">★</span>}
      </span>
      <span className="col-kind">{kindLabel(entry)}</span>
      <span className="col-size">{entry.kind === 'dir' ? (entry.size ? formatBytes(entry.size) : '—') : formatBytes(entry.size)}</span>
      <span className="col-modified">{formatDateTime(entry.modifiedAt)}</span>
    </div>
  );
}

/** A virtualized list of entries with name, kind, size and modified columns. */
export const EntryList = memo(function EntryList(props: EntryViewProps) {
  const { libraryId, items, total, selected, focus, scrollRequest, label, onRangeRendered, onItemClick, onItemOpen, onKeyDown, onColumns, showFolder = false } = props;
  const boxRef = useRef<HTMLDivElement>(null);
  const listRef = useListRef(null);
  const { width, height } = useElementSize(boxRef);

  useEffect(() => onColumns?.(1), [onColumns]);
  // Keep the keyboard working after the view is replaced (a folder opened, a search run): if nothing
  // else has the focus, the view takes it.
  const hasSize = width > 0;
  useEffect(() => {
    if (!hasSize) return;
    const active = document.activeElement;
    if (!active || active === document.body) listRef.current?.element?.focus({ preventScroll: true });
  }, [hasSize, listRef]);
  useEffect(() => {
    if (!scrollRequest || scrollRequest.index >= total) return;
    listRef.current?.scrollToRow({ index: scrollRequest.index, align: 'smart' });
  }, [scrollRequest?.nonce]);

  const rowProps = useMemo<RowData>(() => ({ libraryId, items, selected, focus, showFolder, onItemClick, onItemOpen }), [libraryId, items, selected, focus, showFolder, onItemClick, onItemOpen]);

  return (
    <div className="view-box list-box" ref={boxRef}>
      <div className="list-header row" aria-hidden style={{ height: HEADER_HEIGHT }}>
        <span className="col-name">Name</span>
        <span className="col-kind">Kind</span>
        <span className="col-size">Size</span>
        <span className="col-modified">Modified</span>
      </div>
      {width > 0 && (
        <List
          listRef={listRef}
          className="entry-list"
          style={{ width, height: Math.max(0, height - HEADER_HEIGHT) }}
          rowComponent={ListRow}
          rowProps={rowProps}
          rowCount={total}
          rowHeight={ROW_HEIGHT}
          overscanCount={6}
          onRowsRendered={(_visible, all) => onRangeRendered(all.startIndex, all.stopIndex)}
          role="listbox"
          tabIndex={0}
          aria-label={label}
          aria-multiselectable
          aria-activedescendant={focus !== null && focus < total ? itemDomId(focus) : undefined}
          onKeyDown={onKeyDown}
        />
      )}
    </div>
  );
});
