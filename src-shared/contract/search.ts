import { z } from 'zod';
import { query } from './define.js';
import { Id, LibraryRef } from './common.js';
import { EntrySummary, FileKind, Page } from './entries.js';

export const searchOperations = {
  'search.entries': query({
    summary: 'Keyword search over names and paths, with filters for kind, tag, date range and location',
    input: LibraryRef.extend({
      query: z.string().max(500).default(''),
      fileKind: FileKind.optional(),
      tagId: Id.optional(),
      locationId: Id.optional(),
      /** Modified on or after (ISO date or timestamp). */
      from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
      /** Modified before (ISO date or timestamp). */
      to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    })
      .extend(Page.shape)
      .strict(),
    output: z.object({
      items: z.array(EntrySummary),
      /** Matches, counted up to 2,000. */
      total: z.number(),
      /** True when there are more than 2,000 matches. */
      totalCapped: z.boolean(),
    }),
  }),
} as const;
