import type { Permission, PermissionType } from '../../../src-shared/extensions/manifest';

/** Permissions whose grant is limited to folders the user picks (kept here so the renderer does not bundle the manifest schema). */
export const FILE_PERMISSION_TYPES: readonly PermissionType[] = ['ReadEntries', 'ReadSidecars', 'WriteSidecars'];

export function isFilePermission(type: PermissionType): boolean {
  return FILE_PERMISSION_TYPES.includes(type);
}

const AI_WORDS: Record<string, string> = {
  face_detection: 'find faces in photos',
  face_embedding: 'tell faces apart',
  ocr: 'read text in images',
  llm: 'use a language model',
  embedding: 'compute similarity fingerprints',
  classification: 'recognise what is in photos',
};

/** A permission in human terms: a short title, and what exactly it covers. */
export function describePermission(p: Permission): { title: string; detail: string } {
  switch (p.type) {
    case 'ReadEntries':
      return {
        title: 'See and read your files',
        detail: p.glob && p.glob !== '**/*' ? `Only files matching ${p.glob}, in the folders you choose.` : 'Names, sizes, dates and contents of files in the folders you choose.',
      };
    case 'ReadSidecars':
      return { title: 'Read data generated for your files', detail: `Stored ${kinds(p.kinds)} of files in the folders you choose.` };
    case 'WriteSidecars':
      return { title: 'Save data beside your files', detail: `Writes ${kinds(p.kinds)} into the library (never into your folders), for files in the folders you choose.` };
    case 'WriteTags':
      return { title: 'Add tags to your files', detail: 'Tags it adds are marked as coming from this extension; it cannot remove your own tags.' };
    case 'WriteModels':
      return { title: 'Keep its own data in the library', detail: 'Results it computes, stored in this library and deleted with it if you choose.' };
    case 'WriteCollections':
      return { title: 'Create collections', detail: 'It can only change the collections it created itself.' };
    case 'UseModel':
      return {
        title: `Use an AI model to ${AI_WORDS[p.category] ?? p.category}`,
        detail: p.preference === 'cloud' ? 'It prefers a cloud model: your data may leave this device.' : 'Runs on this device; nothing is sent anywhere.',
      };
    case 'Network':
      return { title: 'Connect to the internet', detail: `Only to ${p.hosts.join(', ')}.` };
  }
}

function kinds(list: string[]): string {
  const words = list.map((k) => k.replace(/_/g, ' '));
  return words.length === 1 ? `${words[0]} data` : `${words.slice(0, -1).join(', ')} and ${words.at(-1)} data`;
}

/** What declining an optional permission means, in one sentence. */
export function declineSentence(p: Permission, extensionName: string): string {
  switch (p.type) {
    case 'UseModel':
      return `${extensionName} will work without AI: features that need it say “not available”.`;
    case 'Network':
      return `${extensionName} will stay offline; anything that needs ${p.hosts[0]} will not work.`;
    case 'ReadEntries':
    case 'ReadSidecars':
    case 'WriteSidecars':
      return `${extensionName} will not see any of your files for this.`;
    default:
      return `${extensionName} will run without it; the parts that need it will not work.`;
  }
}

/** The short label of a permission type, for chips and lists. */
export const PERMISSION_LABELS: Record<PermissionType, string> = {
  ReadEntries: 'Read files',
  ReadSidecars: 'Read generated data',
  WriteSidecars: 'Write generated data',
  WriteTags: 'Add tags',
  WriteModels: 'Own data',
  WriteCollections: 'Collections',
  UseModel: 'AI model',
  Network: 'Internet',
};
