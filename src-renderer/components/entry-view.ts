import type { KeyboardEvent, MouseEvent } from 'react';
import type { EntrySummary } from '../../src-shared/contract';

/** What the grid and the list views of entries share. Both are virtualized and page-agnostic. */
export interface EntryViewProps {
  libraryId: string;
  /** Sparse: holes are drawn as skeletons until their page arrives. */
  items: readonly (EntrySummary | undefined)[];
  total: number;
  selected: ReadonlySet<string>;
  focus: number | null;
  /** Scrolls `index` into sight whenever `nonce` changes. */
  scrollRequest: { index: number; nonce: number } | null;
  /** Accessible name of the view, e.g. the folder's name. */
  label: string;
  /** Indexes rendered now (with overscan): load what is missing. */
  onRangeRendered(start: number, stop: number): void;
  onItemClick(index: number, event: MouseEvent): void;
  onItemOpen(index: number): void;
  onKeyDown(event: KeyboardEvent<HTMLElement>): void;
  /** Show each entry's folder (search results come from everywhere). */
  showFolder?: boolean;
  /** The grid reports how many columns fit, for up/down arrows. */
  onColumns?(columns: number): void;
}

/** DOM id of an item, for `aria-activedescendant`. */
export function itemDomId(index: number): string {
  return `entry-item-${index}`;
}

/** The folder part of a relative path ("" at the top level). */
export function folderOf(relPath: string): string {
  const at = relPath.lastIndexOf('/');
  return at < 0 ? '' : relPath.slice(0, at);
}
