import { FILE_PERMISSIONS, type Permission, type PermissionType } from './manifest.js';

/** One permission in plain words, for the install and consent dialogs. */
export interface DescribedPermission {
  index: number;
  type: PermissionType;
  /** What it allows, e.g. "Read photos (*.jpg, *.png, *.heic) in folders you choose". */
  title: string;
  /** The extension's own reason, from its manifest. */
  reason: string;
  optional: boolean;
  /** The user picks folders for it (ReadEntries, ReadSidecars, WriteSidecars). */
  needsFolders: boolean;
  /** For an optional permission: what declining it means; null for required ones. */
  ifDeclined: string | null;
}

const IMAGE_EXT = new Set(['jpg', 'jpeg', 'png', 'heic', 'heif', 'webp', 'gif', 'tif', 'tiff', 'bmp', 'avif', 'raw', 'dng', 'cr2', 'nef', 'arw']);
const VIDEO_EXT = new Set(['mp4', 'mov', 'm4v', 'avi', 'mkv', 'webm']);
const AUDIO_EXT = new Set(['mp3', 'm4a', 'flac', 'wav', 'ogg', 'aac']);
const DOC_EXT = new Set(['pdf', 'doc', 'docx', 'odt', 'txt', 'md', 'rtf', 'xls', 'xlsx', 'ppt', 'pptx']);

const AI_WORDS: Record<string, string> = {
  face_detection: 'a face-detection model',
  face_embedding: 'a face-recognition model',
  ocr: 'a text-recognition (OCR) model',
  llm: 'a language model',
  embedding: 'an embedding model',
  classification: 'an image-classification model',
};

const SIDECAR_WORDS: Record<string, string> = { thumb: 'thumbnails', thumbnail: 'thumbnails', ocr: 'recognised text', transcript: 'transcripts', preview: 'previews' };

/** `**\/*.{jpg,png}` → ['jpg', 'png']; null when the glob is not "files with these extensions anywhere". */
function extensionsOf(glob: string): string[] | null {
  const m = /^(?:\*\*\/)?\*\.(?:\{([A-Za-z0-9,]+)\}|([A-Za-z0-9]+))$/.exec(glob);
  if (!m) return null;
  return (m[1] ?? m[2]!).split(',').map((e) => e.toLowerCase());
}

function filesNoun(exts: string[]): string {
  const all = (set: Set<string>) => exts.every((e) => set.has(e));
  if (all(IMAGE_EXT)) return 'photos';
  if (all(VIDEO_EXT)) return 'videos';
  if (all(AUDIO_EXT)) return 'audio files';
  if (all(DOC_EXT)) return 'documents';
  if (exts.every((e) => IMAGE_EXT.has(e) || VIDEO_EXT.has(e))) return 'photos and videos';
  return 'files';
}

function sidecarWords(kinds: string[]): string {
  return kinds.map((k) => SIDECAR_WORDS[k] ?? `"${k}" data`).join(', ');
}

/**
 * Turns one declared permission into what the user reads before granting it: a title in plain words, the
 * extension's own reason, whether folders must be chosen, and for an optional permission what declining it
 * means. Never throws; unknown details fall back to generic words.
 *
 * @example
 * describePermission({ type: 'ReadEntries', glob: '**\/*.{jpg,png,heic}', reason: 'to find faces', optional: false }, 0).title
 * // 'Read photos (*.jpg, *.png, *.heic) in folders you choose'
 * describePermission({ type: 'UseModel', category: 'face_detection', preference: 'local', reason: 'to find faces', optional: true }, 2).ifDeclined
 * // 'It will not use a face-detection model; the rest still works.'
 */
export function describePermission(p: Permission, index = 0): DescribedPermission {
  let title: string;
  let declined: string;
  switch (p.type) {
    case 'ReadEntries': {
      const glob = p.glob;
      if (glob === '**/*' || glob === '**') {
        title = 'Read files in folders you choose';
      } else {
        const exts = extensionsOf(glob);
        title = exts ? `Read ${filesNoun(exts)} (${exts.map((e) => `*.${e}`).join(', ')}) in folders you choose` : `Read files matching ${glob} in folders you choose`;
      }
      declined = 'It will not see any of your files.';
      break;
    }
    case 'ReadSidecars':
      title = `Read ${sidecarWords(p.kinds)} Cairn made for files in folders you choose`;
      declined = `It will not read ${sidecarWords(p.kinds)}.`;
      break;
    case 'WriteSidecars':
      title = `Save ${sidecarWords(p.kinds)} beside files in folders you choose (in Cairn's library, not in your folders)`;
      declined = `It will not save ${sidecarWords(p.kinds)}.`;
      break;
    case 'WriteTags':
      title = 'Add tags';
      declined = 'It will not add tags.';
      break;
    case 'WriteModels':
      title = 'Store what it finds in your library';
      declined = 'It will not store anything it finds.';
      break;
    case 'WriteCollections':
      title = 'Create and change collections';
      declined = 'It will not create or change collections.';
      break;
    case 'UseModel': {
      const model = AI_WORDS[p.category] ?? 'an AI model';
      title = p.preference === 'cloud' ? `Use ${model} (may use a cloud service you configure)` : `Use ${model} on this device`;
      declined = `It will not use ${model}.`;
      break;
    }
    case 'Network':
      title = `Connect to ${p.hosts.join(', ')}`;
      declined = `It will not connect to ${p.hosts.length === 1 ? p.hosts[0] : 'those servers'}.`;
      break;
  }
  return {
    index,
    type: p.type,
    title,
    reason: p.reason,
    optional: p.optional,
    needsFolders: FILE_PERMISSIONS.includes(p.type),
    ifDeclined: p.optional ? `${declined.replace(/\.$/, '')}; the rest still works.` : null,
  };
}

/** Every permission of a manifest, described. */
export function describePermissions(permissions: readonly Permission[]): DescribedPermission[] {
  return permissions.map((p, i) => describePermission(p, i));
}
