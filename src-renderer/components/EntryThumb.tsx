import { useState } from 'react';
import type { EntrySummary } from '../../src-shared/contract';
import { KindIcon } from './KindIcon';

/** The URL both shells serve a content's thumbnail at (absolute from the origin). */
export function thumbnailUrl(libraryId: string, contentId: string): string {
  return `/sidecar/${encodeURIComponent(libraryId)}/${encodeURIComponent(contentId)}/thumb`;
}

/**
 * An entry's thumbnail when it has one, else (or when the image fails to load) its kind icon.
 * Give it `key={entry.id}`: virtualized cells are reused for other entries, and the failure state must not follow.
 */
export function EntryThumb({ entry, libraryId, iconSize = 40, showExtension = true }: { entry: EntrySummary; libraryId: string; iconSize?: number; showExtension?: boolean }) {
  const [failed, setFailed] = useState(false);
  if (entry.hasThumbnail && entry.contentId && !failed) {
    return (
      <img className="thumb-img" src={thumbnailUrl(libraryId, entry.contentId)} alt="" loading="lazy" decoding="async" draggable={false} onError={() => setFailed(true)} />
    );
  }
  return <KindIcon entry={entry} size={iconSize} showExtension={showExtension} />;
}
