import { lazy, Suspense, useCallback, useMemo, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { BBox, UiModelItem } from '../../../src-shared/contract';
import { EntryGrid } from '../../components/EntryGrid';
import { EntryList } from '../../components/EntryList';
import { thumbnailUrl } from '../../components/EntryThumb';
import { Icon } from '../../components/Icon';
import { ModelDetail, type DetailField } from '../../components/ModelDetail';
import { PersonGrid, type PersonCard } from '../../components/PersonGrid';
import { ViewErrorBoundary, ViewProblem } from '../../components/ViewErrorBoundary';
import { plural } from '../../components/format';
import { useAppStore } from '../../stores/app-store';
import { useExplorerStore } from '../../stores/explorer-store';
import { ExtensionIcon } from '../store/ExtensionIcon';
import { useExtensionsStore } from '../store/extensions-store';
import { ExtensionActionsButton, ModelActions, type ModelChoice } from './ExtensionActions';
import { useSectionQuery, type SectionData, type SectionRef } from './use-section-query';
import './extension-views.css';

type Component = 'list' | 'grid' | 'map_view' | 'person_grid' | 'detail';

/**
 * One sidebar section or view an extension declared, drawn by the core component it names. A missing or
 * broken declaration shows a placeholder naming the problem; a failure while drawing stays inside the view.
 */
export function ExtensionView({ extensionId, part, viewId }: { extensionId: string; part: 'section' | 'view'; viewId: string }) {
  const contribution = useExtensionsStore((s) => s.contributions.find((c) => c.extensionId === extensionId));
  const installedName = useExtensionsStore((s) => s.installed.find((e) => e.id === extensionId)?.name);
  if (!contribution) {
    return <ViewProblem title="This view is not available" message={`${installedName ?? extensionId} is not installed or not enabled in this library.`} />;
  }
  const section = part === 'section' ? contribution.sidebar.find((s) => s.id === viewId) : undefined;
  const view = part === 'view' ? contribution.views.find((v) => v.id === viewId) : undefined;
  const decl = section ?? view;
  if (!decl) return <ViewProblem title="This view is not available" message={`${contribution.name} ${contribution.version} does not declare a ${part} “${viewId}” any more.`} />;
  const label = (section ? section.label : view?.label) ?? viewId;
  const component: Component = section ? section.render : view!.component;
  const ref: SectionRef = { extensionId, part, id: viewId };

  return (
    <div className="ext-view" aria-label={label}>
      <header className="toolbar">
        <div className="toolbar-row">
          <span className="ext-view-title">
            <ExtensionIcon name={contribution.name} url={contribution.iconUrl} size={20} />
            <span className="muted">{contribution.name}</span>
            <Icon name="chevron" size={12} className="crumb-sep" />
            <h1>{label}</h1>
          </span>
          <span className="toolbar-spacer" />
          {decl.target === 'entries' && <ExtensionActionsButton context="toolbar" />}
        </div>
      </header>
      {decl.problem ? (
        <ViewProblem title={`“${label}” cannot be shown`} message={decl.problem} />
      ) : (
        <ViewErrorBoundary resetKey={`${extensionId}/${part}/${viewId}`} what={`“${label}”`}>
          <ViewBody component={component} sectionRef={ref} label={label} fields={decl.fields} />
        </ViewErrorBoundary>
      )}
    </div>
  );
}

/** The map (maplibre) loads only when a map view opens. */
const LazyMap = lazy(() => import('./MapSection').then((m) => ({ default: m.MapSection })));

function ViewBody({ component, sectionRef, label, fields }: { component: Component; sectionRef: SectionRef; label: string; fields?: DetailField[] }) {
  if (component === 'map_view') {
    return (
      <Suspense fallback={<div className="empty-state muted">Loading the map…</div>}>
        <LazyMap sectionRef={sectionRef} label={label} />
      </Suspense>
    );
  }
  return <QueryView component={component} sectionRef={sectionRef} label={label} fields={fields} />;
}

function QueryView({ component, sectionRef, label, fields }: { component: Exclude<Component, 'map_view'>; sectionRef: SectionRef; label: string; fields?: DetailField[] }) {
  const data = useSectionQuery(sectionRef);
  if (data.error) return <ViewProblem title={`“${label}” could not be loaded`} message={data.error} />;
  if (data.total === null) return <div className="empty-state muted" aria-busy="true">Loading…</div>;
  if (data.total === 0) {
    return (
      <div className="empty-state">
        <Icon name="search" size={36} />
        <h2>Nothing here yet</h2>
        <p>Items appear once the extension has found some in the folders you gave it.</p>
      </div>
    );
  }
  if (data.target === 'models') {
    if (component === 'person_grid') return <PeopleView extensionId={sectionRef.extensionId} models={data.models} label={label} fields={fields} />;
    return <ModelsView extensionId={sectionRef.extensionId} models={data.models} total={data.total} label={label} component={component} fields={fields} />;
  }
  return <EntriesView data={data} label={label} layout={component === 'list' ? 'list' : 'grid'} />;
}

/** Entries of a section, in the explorer's own grid or list. Double-click shows the file in its folder. */
export function EntriesView({ data, label, layout, footer = true }: { data: SectionData; label: string; layout: 'grid' | 'list'; footer?: boolean }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [focus, setFocus] = useState<number | null>(null);
  const onItemClick = useCallback(
    (index: number, e: MouseEvent) => {
      const entry = data.entries[index];
      if (!entry) return;
      setFocus(index);
      setSelected((prev) => {
        if (!(e.ctrlKey || e.metaKey)) return new Set([entry.id]);
        const next = new Set(prev);
        if (next.has(entry.id)) next.delete(entry.id);
        else next.add(entry.id);
        return next;
      });
    },
    [data.entries],
  );
  const onItemOpen = useCallback(
    (index: number) => {
      const entry = data.entries[index];
      if (entry) void useExplorerStore.getState().reveal(entry.id);
    },
    [data.entries],
  );
  const onKeyDown = useCallback((e: KeyboardEvent<HTMLElement>) => {
    if (e.key === 'Escape') setSelected(new Set());
  }, []);
  if (!libraryId || data.total === null) return null;
  const View = layout === 'grid' ? EntryGrid : EntryList;
  return (
    <div className="ext-entries">
      <View
        libraryId={libraryId}
        items={data.entries}
        total={data.total}
        selected={selected}
        focus={focus}
        scrollRequest={null}
        label={label}
        onRangeRendered={data.ensureRange}
        onItemClick={onItemClick}
        onItemOpen={onItemOpen}
        onKeyDown={onKeyDown}
        showFolder
      />
      {footer && (
        <footer className="list-footer">
          <span>{plural(data.total, 'item')}</span>
          <span>{selected.size > 0 ? `${plural(selected.size, 'item')} selected` : 'Double-click to show a file in its folder'}</span>
        </footer>
      )}
    </div>
  );
}

/** A short title for a model: its name-like field, else its type. */
export function modelTitle(m: UiModelItem): string {
  for (const key of ['name', 'title', 'label']) {
    const v = m.data[key];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return m.entry?.name ?? m.type;
}

/** Models as cards (with their entry's thumbnail when they have one) and the detail panel of the chosen one. */
export function ModelsView({
  extensionId,
  models,
  total,
  label,
  component,
  fields,
}: {
  extensionId: string;
  models: UiModelItem[];
  total: number;
  label: string;
  component: 'list' | 'grid' | 'detail';
  /** What the detail panel shows (the view's `fields`); absent: every field. */
  fields?: DetailField[];
}) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const [selectedId, setSelectedId] = useState<string | null>(component === 'detail' ? (models[0]?.id ?? null) : null);
  const selected = models.find((m) => m.id === selectedId) ?? null;
  return (
    <div className="ext-models">
      <ul className={`model-cards ${component === 'grid' ? 'as-grid' : 'as-list'}`} aria-label={label}>
        {models.map((m) => (
          <li key={m.id}>
            <button type="button" className={`model-card${m.id === selectedId ? ' selected' : ''}`} onClick={() => setSelectedId(m.id)} aria-pressed={m.id === selectedId}>
              <span className="model-thumb">
                {m.entry?.hasThumbnail && m.entry.contentId && libraryId ? <img src={thumbnailUrl(libraryId, m.entry.contentId)} alt="" loading="lazy" /> : <Icon name="document" size={22} />}
              </span>
              <span className="model-card-text">
                <span className="model-card-title">{modelTitle(m)}</span>
                <span className="muted small">{m.entry ? m.entry.relPath : m.type}</span>
              </span>
            </button>
          </li>
        ))}
        {total > models.length && <li className="muted small">and {(total - models.length).toLocaleString()} more</li>}
      </ul>
      {selected && (
        <div className="model-side">
          <ModelActions extensionId={extensionId} model={choiceOf(selected)} choices={models.map(choiceOf)} />
          <ModelDetail title={modelTitle(selected)} subtitle={selected.entry ? selected.entry.relPath : selected.type} data={selected.data} fields={fields} onClose={component === 'detail' ? undefined : () => setSelectedId(null)} />
        </div>
      )}
    </div>
  );
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * A person's picture: their cover face (`coverContentId` with `coverX/Y/Width/Height` as fractions of the
 * photo) when the model has one, else the thumbnail of its entry.
 */
function faceImage(m: UiModelItem, libraryId: string | null): Pick<PersonCard, 'imageUrl' | 'crop'> {
  if (!libraryId) return { imageUrl: null };
  const cover = m.data.coverContentId;
  if (typeof cover === 'string' && cover) {
    const [x, y, width, height] = [num(m.data.coverX), num(m.data.coverY), num(m.data.coverWidth), num(m.data.coverHeight)];
    const fractions = x !== null && y !== null && width && height && x + width <= 1.001 && y + height <= 1.001;
    return { imageUrl: thumbnailUrl(libraryId, cover), crop: fractions ? { x: x!, y: y!, width: width!, height: height! } : null };
  }
  return { imageUrl: m.entry?.hasThumbnail && m.entry.contentId ? thumbnailUrl(libraryId, m.entry.contentId) : null };
}

/** A number-like field of a model, for a person's photo count. */
function countOf(m: UiModelItem): number {
  for (const key of ['count', 'faceCount', 'photo_count', 'photoCount', 'faces', 'faceIds', 'photos', 'entries']) {
    const v = m.data[key];
    if (typeof v === 'number') return v;
    if (Array.isArray(v)) return v.length;
  }
  return 1;
}

/** A model as the action dialog names it. */
function choiceOf(m: UiModelItem): ModelChoice {
  const title = modelTitle(m);
  return { id: m.id, type: m.type, label: title === m.type ? `Unnamed ${m.type.toLowerCase()} (${plural(countOf(m), 'photo')})` : title };
}

function PeopleView({ extensionId, models, label, fields }: { extensionId: string; models: UiModelItem[]; label: string; fields?: DetailField[] }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const people = useMemo<PersonCard[]>(
    () =>
      models.map((m) => {
        const name = ['name', 'label'].map((k) => m.data[k]).find((v): v is string => typeof v === 'string' && v.trim() !== '') ?? null;
        return { id: m.id, name, count: countOf(m), ...faceImage(m, libraryId) };
      }),
    [models, libraryId],
  );
  const onOpen = useCallback((p: PersonCard) => setSelectedId(p.id), []);
  const selected = models.find((m) => m.id === selectedId);
  return (
    <div className="ext-models">
      <PersonGrid people={people} label={label} selectedId={selectedId} onOpen={onOpen} />
      {selected && (
        <div className="model-side">
          <ModelActions extensionId={extensionId} model={choiceOf(selected)} choices={models.map(choiceOf)} />
          <ModelDetail title={modelTitle(selected)} subtitle={`${plural(countOf(selected), 'photo')}`} data={selected.data} fields={fields} onClose={() => setSelectedId(null)} />
        </div>
      )}
    </div>
  );
}

/** Normalises a map's visible area to the contract's box (longitudes within ±180; west > east crosses 180°). */
export function toBBox(area: { west: number; south: number; east: number; north: number }): BBox {
  const wrap = (x: number) => ((((x + 180) % 360) + 360) % 360) - 180;
  const clampLat = (y: number) => Math.max(-90, Math.min(90, y));
  if (area.east - area.west >= 360) return { west: -180, south: clampLat(area.south), east: 180, north: clampLat(area.north) };
  return { west: wrap(area.west), south: clampLat(area.south), east: wrap(area.east) === -180 ? 180 : wrap(area.east), north: clampLat(area.north) };
}

