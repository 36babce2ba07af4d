import { useCallback, useEffect, useRef, useState } from 'react';
import type { BBox, EntrySummary, UiModelItem } from '../../../src-shared/contract';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { useAppStore } from '../../stores/app-store';
import { useExplorerStore } from '../../stores/explorer-store';
import { useExtensionsStore } from '../store/extensions-store';

const PAGE = 200;

export interface SectionRef {
  extensionId: string;
  part: 'section' | 'view';
  id: string;
}

export interface SectionData {
  target: 'entries' | 'models' | null;
  /** Sparse: holes are pages not loaded yet. */
  entries: (EntrySummary | undefined)[];
  models: UiModelItem[];
  total: number | null;
  error: string | null;
  ensureRange(start: number, stop: number): void;
}

/**
 * Pages through a section's or view's query (`ui.querySection`), which the core limits to what the
 * extension was granted. Entries load page by page as the view scrolls; models load up to 1,000.
 * Refetches when the extension or data changes, and when `bbox` moves.
 */
export function useSectionQuery(ref: SectionRef, bbox?: BBox | null): SectionData {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const version = useExtensionsStore((s) => s.version);
  // Bumped by every data change event (tags applied by a job, new entries): the results may have changed.
  const dataVersion = useExplorerStore((s) => s.dataVersion);
  const [state, setState] = useState<Omit<SectionData, 'ensureRange'>>({ target: null, entries: [], models: [], total: null, error: null });
  const generation = useRef(0);
  const pages = useRef(new Set<number>());
  const bboxKey = bbox ? `${bbox.west.toFixed(4)},${bbox.south.toFixed(4)},${bbox.east.toFixed(4)},${bbox.north.toFixed(4)}` : '';

  const fetchPage = useCallback(
    async (offset: number, limit: number) => {
      if (!libraryId) throw new Error('No library is open.');
      return getBridge().invoke('ui.querySection', {
        libraryId,
        extensionId: ref.extensionId,
        ...(ref.part === 'section' ? { sectionId: ref.id } : { viewId: ref.id }),
        offset,
        limit,
        ...(bbox ? { bbox } : {}),
      });
    },
    // bboxKey stands for bbox.
    [libraryId, ref.extensionId, ref.part, ref.id, bboxKey],
  );

  useEffect(() => {
    const gen = ++generation.current;
    pages.current = new Set([0]);
    fetchPage(0, PAGE)
      .then((r) => {
        if (gen !== generation.current) return;
        if (r.target === 'entries') {
          const entries: (EntrySummary | undefined)[] = new Array(r.total);
          r.entries.forEach((e, i) => (entries[i] = e));
          setState({ target: 'entries', entries, models: [], total: r.total, error: null });
        } else {
          setState({ target: 'models', entries: [], models: r.models, total: r.total, error: null });
          const rest = Math.min(1000, r.total) - r.models.length;
          if (rest > 0) {
            fetchPage(r.models.length, rest)
              .then((more) => gen === generation.current && more.target === 'models' && setState((s) => ({ ...s, models: [...s.models, ...more.models] })))
              .catch(() => undefined);
          }
        }
      })
      .catch((e: unknown) => gen === generation.current && setState({ target: null, entries: [], models: [], total: null, error: errorMessage(e) }));
  }, [fetchPage, version, dataVersion]);

  const ensureRange = useCallback(
    (start: number, stop: number) => {
      const gen = generation.current;
      for (let page = Math.floor(start / PAGE); page <= Math.floor(stop / PAGE); page++) {
        if (pages.current.has(page)) continue;
        pages.current.add(page);
        fetchPage(page * PAGE, PAGE)
          .then((r) => {
            if (gen !== generation.current || r.target !== 'entries') return;
            setState((s) => {
              const entries = s.entries.slice();
              r.entries.forEach((e, i) => (entries[page * PAGE + i] = e));
              return { ...s, entries };
            });
          })
          .catch(() => pages.current.delete(page));
      }
    },
    [fetchPage],
  );

  return { ...state, ensureRange };
}
