import { useEffect, useMemo, useState } from 'react';
import { errorMessage, getBridge } from '../../bridge/get-bridge';
import { MapView, type MapArea, type MapPoint } from '../../components/MapView';
import { ViewProblem } from '../../components/ViewErrorBoundary';
import { plural } from '../../components/format';
import { useAppStore } from '../../stores/app-store';
import { useExtensionsStore } from '../store/extensions-store';
import { EntriesView, ModelsView, toBBox } from './ExtensionView';
import { useSectionQuery, type SectionRef } from './use-section-query';

/**
 * A `map_view`: the extension's points on the offline map (clustered with counts), and below it a grid of
 * the items in the visible area, which follows every pan and zoom (a cluster click zooms to its items).
 */
export function MapSection({ sectionRef, label }: { sectionRef: SectionRef; label: string }) {
  const libraryId = useAppStore((s) => s.currentLibraryId);
  const version = useExtensionsStore((s) => s.version);
  const [area, setArea] = useState<MapArea | null>(null);
  const [points, setPoints] = useState<MapPoint[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const bbox = useMemo(() => (area ? toBBox(area) : null), [area]);
  // Round the zoom so small moves do not refetch the clusters.
  const zoom = Math.round(area?.zoom ?? 2);
  const bboxKey = bbox ? JSON.stringify(bbox) : '';

  useEffect(() => {
    if (!libraryId) return;
    let live = true;
    getBridge()
      .invoke('ui.mapPoints', { libraryId, extensionId: sectionRef.extensionId, viewId: sectionRef.id, zoom, ...(bbox ? { bbox } : {}) })
      .then((r) => {
        if (!live) return;
        setTotal(r.total);
        setError(null);
        setPoints(r.points.map((p, i) => ({ key: p.entryId ?? p.modelId ?? `${p.lat},${p.lon},${i}`, latitude: p.lat, longitude: p.lon, count: p.count })));
      })
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
    // bboxKey stands for bbox.
  }, [libraryId, sectionRef.extensionId, sectionRef.id, zoom, bboxKey, version]);

  const items = useSectionQuery(sectionRef, bbox);

  if (error && points === null) return <ViewProblem title={`“${label}” could not be loaded`} message={error} />;
  return (
    <div className="map-section">
      <div className="map-pane">
        <MapView points={points ?? []} label={`${label} map`} onAreaChange={setArea} />
        <div className="map-legend" aria-live="polite">
          {points === null ? 'Loading places…' : `${plural(total, 'item')} on the map`}
        </div>
      </div>
      <div className="map-items" aria-label="Items in the visible area">
        <div className="map-items-head">
          <strong>In this area</strong>
          <span className="muted">{items.total === null ? 'Loading…' : plural(items.total, 'item')}</span>
        </div>
        {items.error ? (
          <p className="inline-error">{items.error}</p>
        ) : items.total === 0 ? (
          <p className="muted map-items-empty">Nothing in the visible area. Zoom out or drag the map.</p>
        ) : items.target === 'models' ? (
          <ModelsView extensionId={sectionRef.extensionId} models={items.models} total={items.total ?? 0} label={`${label}: visible items`} component="grid" />
        ) : (
          <EntriesView data={items} label={`${label}: visible items`} layout="grid" footer={false} />
        )}
      </div>
    </div>
  );
}
