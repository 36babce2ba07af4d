import { CairnError } from '../../../src-shared/errors.js';
import type { Library } from '../library/library.js';
import { ensureMetadata } from '../metadata/user-metadata.js';
import type { HybridLogicalClock } from '../sync/hlc.js';
import type { TagService, TagSourceInfo } from '../tags/tag-service.js';

/** The names of a tag path; `VALIDATION` for an empty or over-long part. */
function splitPath(tagPath: string): string[] {
  const parts = tagPath.split('/').map((p) => p.trim());
  if (parts.some((p) => p.length === 0 || p.length > 200)) throw new CairnError('VALIDATION', `Invalid tag path ${JSON.stringify(tagPath)}.`);
  return parts;
}

/**
 * Tagging by tag path (`Animals/Cats`), as extensions do: missing tags along the path are created, and the
 * application records its source (`extension` + the extension id, or the user). Each call runs in one
 * transaction, so a failing target leaves no tag and no application behind.
 *
 * `untagContents` removes only the applications a given source made (an extension's, never the user's).
 *
 * Failure modes: `NOT_FOUND` (unknown content or model), `VALIDATION` (empty path part).
 *
 * @example
 * const writer = new TagPathWriter(tagService, clock, deviceId);
 * writer.tagContents(lib, [contentId], 'Animals/Cats', { source: 'extension', sourceId: 'com.example.pets', confidence: 0.9 });
 */
export class TagPathWriter {
  readonly #tags: TagService;
  readonly #clock: HybridLogicalClock;
  readonly #deviceId: string;

  constructor(tags: TagService, clock: HybridLogicalClock, deviceId: string) {
    this.#tags = tags;
    this.#clock = clock;
    this.#deviceId = deviceId;
  }

  /** The id of the tag at `tagPath`, creating missing ones. Run inside a transaction. */
  ensure(lib: Library, tagPath: string): string {
    const parts = splitPath(tagPath);
    let parentId: string | null = null;
    for (const name of parts) {
      const found = lib.raw.prepare("SELECT id FROM tags WHERE coalesce(parent_id, '') = ? AND name = ?").get(parentId ?? '', name) as { id: string } | undefined;
      parentId = found ? found.id : this.#tags.create(lib, name, parentId).id;
    }
    return parentId!;
  }

  /** Tags contents (every copy of the bytes); returns the tag id and how many new applications were made. */
  tagContents(lib: Library, contentIds: string[], tagPath: string, source: TagSourceInfo): { tagId: string; applied: number } {
    return lib.raw.transaction(() => {
      const tagId = this.ensure(lib, tagPath);
      const insert = lib.raw.prepare(
        `INSERT INTO tag_applications (tag_id, metadata_id, source, source_id, confidence, created_at, hlc, device_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tag_id, metadata_id) DO NOTHING`,
      );
      const now = new Date().toISOString();
      let applied = 0;
      for (const contentId of new Set(contentIds)) {
        if (!lib.raw.prepare('SELECT 1 FROM content_identities WHERE uuid = ?').get(contentId)) throw new CairnError('NOT_FOUND', `No content with id ${contentId}.`);
        const metadataId = ensureMetadata(lib, { contentUuid: contentId }, this.#clock, this.#deviceId);
        applied += insert.run(tagId, metadataId, source.source, source.sourceId, source.confidence, now, this.#clock.now(), this.#deviceId).changes;
      }
      return { tagId, applied };
    })();
  }

  /**
   * Removes the tag at `tagPath` from contents (content-level applications only), only where `source` made the
   * application (same source kind and source id). Returns the tag id (null when no tag has that path) and how
   * many applications were removed. `NOT_FOUND` for an unknown content, nothing removed.
   */
  untagContents(lib: Library, contentIds: string[], tagPath: string, source: Pick<TagSourceInfo, 'source' | 'sourceId'>): { tagId: string | null; removed: number } {
    const parts = splitPath(tagPath);
    return lib.raw.transaction(() => {
      const unique = [...new Set(contentIds)];
      for (const contentId of unique) {
        if (!lib.raw.prepare('SELECT 1 FROM content_identities WHERE uuid = ?').get(contentId)) throw new CairnError('NOT_FOUND', `No content with id ${contentId}.`);
      }
      const tagId = this.#find(lib, parts);
      if (tagId === null) return { tagId, removed: 0 };
      const remove = lib.raw.prepare(
        `DELETE FROM tag_applications WHERE tag_id = ? AND source = ? AND source_id IS ?
           AND metadata_id IN (SELECT id FROM user_metadata WHERE content_uuid = ?)`,
      );
      let removed = 0;
      for (const contentId of unique) removed += remove.run(tagId, source.source, source.sourceId, contentId).changes;
      return { tagId, removed };
    })();
  }

  /** The id of the tag at the path `parts`, or null. */
  #find(lib: Library, parts: string[]): string | null {
    let parentId: string | null = null;
    for (const name of parts) {
      const found = lib.raw.prepare("SELECT id FROM tags WHERE coalesce(parent_id, '') = ? AND name = ?").get(parentId ?? '', name) as { id: string } | undefined;
      if (!found) return null;
      parentId = found.id;
    }
    return parentId;
  }

  /** Tags one model. */
  tagModel(lib: Library, modelId: string, tagPath: string, source: TagSourceInfo): { tagId: string; applied: number } {
    return lib.raw.transaction(() => {
      if (!lib.raw.prepare('SELECT 1 FROM models WHERE uuid = ?').get(modelId)) throw new CairnError('NOT_FOUND', `No model with id ${modelId}.`);
      const tagId = this.ensure(lib, tagPath);
      const applied = lib.raw
        .prepare(
          `INSERT INTO model_tags (tag_id, model_uuid, source, source_id, confidence, created_at, hlc, device_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tag_id, model_uuid) DO NOTHING`,
        )
        .run(tagId, modelId, source.source, source.sourceId, source.confidence, new Date().toISOString(), this.#clock.now(), this.#deviceId).changes;
      return { tagId, applied };
    })();
  }
}
