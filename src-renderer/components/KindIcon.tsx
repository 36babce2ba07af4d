import type { EntrySummary } from '../../src-shared/contract';
import { Icon, type IconName } from './Icon';

const KIND_ICONS: Record<string, IconName> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  document: 'document',
  text: 'text',
  archive: 'archive',
  code: 'code',
  executable: 'executable',
  font: 'font',
  unknown: 'file',
};

/** Human names of file kinds, for lists and filters. */
export const KIND_LABELS: Record<string, string> = {
  dir: 'Folder',
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  document: 'Document',
  text: 'Text',
  archive: 'Archive',
  code: 'Code',
  executable: 'Program',
  font: 'Font',
  unknown: 'File',
};

type KindSource = Pick<EntrySummary, 'kind' | 'fileKind' | 'extension'>;

/** The kind key used for colours and labels: `dir` for folders, else the file kind. */
export function kindKey(entry: KindSource): string {
  if (entry.kind === 'dir') return 'dir';
  return entry.fileKind ?? 'unknown';
}

/** "Folder", "Image", "PDF document"… */
export function kindLabel(entry: KindSource): string {
  const key = kindKey(entry);
  const base = KIND_LABELS[key] ?? 'File';
  if (key === 'dir' || !entry.extension) return base;
  return `${entry.extension.toUpperCase()} ${base.toLowerCase()}`;
}

/**
 * A placeholder for entries without a thumbnail: a tinted tile with the kind's icon (a folder for folders)
 * and, when `showExtension`, the extension underneath.
 */
export function KindIcon({ entry, size = 40, showExtension = false }: { entry: KindSource; size?: number; showExtension?: boolean }) {
  const key = kindKey(entry);
  const icon: IconName = key === 'dir' ? 'folder' : (KIND_ICONS[key] ?? 'file');
  return (
    <span className={`kind-icon kind-${key}`} aria-hidden>
      <Icon name={icon} size={size} />
      {showExtension && entry.kind !== 'dir' && entry.extension && <span className="kind-ext">{entry.extension.slice(0, 5)}</span>}
    </span>
  );
}
