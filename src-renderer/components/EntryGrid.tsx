import { memo, useEffect, useMemo, useRef, type MouseEvent } from 'react';
import { Grid, getScrollbarSize, useGridRef, type CellComponentProps } from 'react-window';
import type { EntrySummary } from '../../src-shared/contract';
import { EntryThumb } from './EntryThumb';
import { formatBytes } from './format';
import { kindLabel } from './KindIcon';
import { folderOf, itemDomId, type EntryViewProps } from './entry-view';
import { useElementSize } from './use-element-size';

const MIN_CELL_WIDTH = 150;
const LABEL_HEIGHT = 44;
const PADDING = 8;

interface CellData {
  libraryId: string;
  items: readonly (EntrySummary | undefined)[];
  total: number;
  columns: number;
  selected: ReadonlySet<string>;
  focus: number | null;
  showFolder: boolean;
  onItemClick(index: number, event: MouseEvent): void;
  onItemOpen(index: number): void;
}

function GridCell({ columnIndex, rowIndex, style, ariaAttributes, libraryId, items, total, columns, selected, focus, showFolder, onItemClick, onItemOpen }: CellComponentProps<CellData>) {
  const index = rowIndex * columns + columnIndex;
  if (index >= total) return <div style={style} aria-hidden />;
  const entry = items[index];
  if (!entry) {
    return (
      <div {...ariaAttributes} style={style} className="cell" aria-busy="true" aria-label="Loading">
        <div className="cell-inner skeleton">
          <div className="cell-thumb skeleton-block" />
          <div className="skeleton-line" />
          <div className="skeleton-line short" />
        </div>
      </div>
    );
  }
  const isSelected = selected.has(entry.id);
  return (
    <div
      {...ariaAttributes}
      id={itemDomId(index)}
      style={style}
      className={`cell${isSelected ? ' selected' : ''}${focus === index ? ' focused' : ''}`}
      aria-selected={isSelected}
      aria-label={entry.name}
      title={entry.relPath}
      onClick={(e) => onItemClick(index, e)}
      onDoubleClick={() => onItemOpen(index)}
    >
      <div className="cell-inner">
        <div className={`cell-thumb${entry.hasThumbnail ? ' has-image' : ''}`}>
          <EntryThumb key={entry.id} entry={entry} libraryId={libraryId} iconSize={44} />
          {entry.favorite && <span className="cell-star" aria-hidden>★</span>}
        </div>
        <div className="cell-name">{entry.name}</div>
        <div className="cell-meta">
          {showFolder ? folderOf(entry.relPath) || 'top level' : entry.kind === 'dir' ? (entry.size ? `Folder · ${formatBytes(entry.size)}` : 'Folder') : `${formatBytes(entry.size)} · ${kindLabel(entry)}`}
        </div>
      </div>
    </div>
  );
}

/** A virtualized grid of entries: as many columns as fit, thumbnails loaded only for visible cells. */
export const EntryGrid = memo(function EntryGrid(props: EntryViewProps) {
  const { libraryId, items, total, selected, focus, scrollRequest, label, onRangeRendered, onItemClick, onItemOpen, onKeyDown, onColumns, showFolder = false } = props;
  const boxRef = useRef<HTMLDivElement>(null);
  const gridRef = useGridRef(null);
  const { width, height } = useElementSize(boxRef);
  const usable = Math.max(0, width - getScrollbarSize() - PADDING * 2);
  const columns = Math.max(1, Math.floor(usable / MIN_CELL_WIDTH));
  const columnWidth = Math.max(MIN_CELL_WIDTH, Math.floor(usable / columns));
  const rowHeight = columnWidth - PADDING * 2 + LABEL_HEIGHT + PADDING * 2;
  const rowCount = Math.ceil(total / columns);

  useEffect(() => onColumns?.(columns), [columns, onColumns]);
  // Keep the keyboard working after the view is replaced (a folder opened, a search run): if nothing
  // else has the focus, the view takes it.
  const hasSize = width > 0;
  useEffect(() => {
    if (!hasSize) return;
    const active = document.activeElement;
    if (!active || active === document.body) gridRef.current?.element?.focus({ preventScroll: true });
  }, [hasSize, gridRef]);
  useEffect(() => {
    if (!scrollRequest || scrollRequest.index >= total || rowCount === 0) return;
    gridRef.current?.scrollToRow({ index: Math.floor(scrollRequest.index / columns), align: 'smart' });
  }, [scrollRequest?.nonce]);

  const cellProps = useMemo<CellData>(
    () => ({ libraryId, items, total, columns, selected, focus, showFolder, onItemClick, onItemOpen }),
    [libraryId, items, total, columns, selected, focus, showFolder, onItemClick, onItemOpen],
  );

  return (
    <div className="view-box" ref={boxRef}>
      {width > 0 && (
        <Grid
          gridRef={gridRef}
          className="entry-grid"
          style={{ width, height, paddingLeft: PADDING }}
          cellComponent={GridCell}
          cellProps={cellProps}
          columnCount={columns}
          columnWidth={columnWidth}
          rowCount={rowCount}
          rowHeight={rowHeight}
          overscanCount={2}
          onCellsRendered={(_visible, all) => onRangeRendered(all.rowStartIndex * columns, (all.rowStopIndex + 1) * columns - 1)}
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
