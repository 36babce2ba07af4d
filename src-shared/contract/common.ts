import { z } from 'zod';

/** A UUID string as produced by `crypto.randomUUID()`. */
export const Id = z.uuid();

/** Every library-scoped operation names its library explicitly: the core is stateless between calls. */
export const LibraryRef = z.object({ libraryId: Id });

/** An absolute or relative filesystem path typed by a user; the core resolves and checks it. */
export const PathString = z.string().min(1, 'Path must not be empty').max(4096, 'Path is too long');

/** ISO-8601 timestamp. */
export const Timestamp = z.string();
