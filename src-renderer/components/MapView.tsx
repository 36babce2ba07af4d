import { useEffect, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { countriesGeoJson } from './map-basemap';

maplibregl.setWorkerUrl(workerUrl);

/** A point (or a cluster the core already made) to draw: `count` items at this place. */
export interface MapPoint {
  key: string;
  latitude: number;
  longitude: number;
  count: number;
}

/** The visible area, as the map reports it after each move. */
export interface MapArea {
  west: number;
  south: number;
  east: number;
  north: number;
  zoom: number;
}

interface Cluster {
  key: string;
  latitude: number;
  longitude: number;
  count: number;
  members: MapPoint[];
}

/** Markers closer than this many pixels merge into one cluster. */
const CLUSTER_PX = 54;

/** Greedy screen-space clustering of points at the map's current zoom; counts add up. */
export function clusterOnScreen(points: MapPoint[], project: (p: MapPoint) => { x: number; y: number }): Cluster[] {
  const cells = new Map<string, Cluster & { x: number; y: number }>();
  for (const p of points) {
    const { x, y } = project(p);
    const cellKey = `${Math.floor(x / CLUSTER_PX)}:${Math.floor(y / CLUSTER_PX)}`;
    const c = cells.get(cellKey);
    if (!c) {
      cells.set(cellKey, { key: p.key, latitude: p.latitude, longitude: p.longitude, count: p.count, members: [p], x, y });
    } else {
      const total = c.count + p.count;
      c.latitude = (c.latitude * c.count + p.latitude * p.count) / total;
      c.longitude = (c.longitude * c.count + p.longitude * p.count) / total;
      c.count = total;
      c.members.push(p);
      c.key = `${c.key}+${p.key}`;
    }
  }
  return [...cells.values()];
}

const BASE_STYLE: maplibregl.StyleSpecification = {
  version: 8,
  sources: { countries: { type: 'geojson', data: countriesGeoJson() } },
  layers: [
    { id: 'ocean', type: 'background', paint: { 'background-color': '#dbe7f0' } },
    { id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': '#f4f2ec', 'fill-antialias': true } },
    { id: 'borders', type: 'line', source: 'countries', paint: { 'line-color': '#b9b6ab', 'line-width': ['interpolate', ['linear'], ['zoom'], 1, 0.4, 6, 1.2] } },
  ],
};

/**
 * A map of places with an offline basemap (world-atlas countries drawn as GeoJSON: no tiles, no network).
 * Points cluster on screen with their counts; clicking a cluster zooms to it, and `onAreaChange` reports the
 * visible area after every move so a list beside the map can follow it.
 */
export function MapView({ points, label, onAreaChange, onPointClick }: { points: MapPoint[]; label: string; onAreaChange?(area: MapArea): void; onPointClick?(point: MapPoint): void }) {
  const boxRef = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const markersRef = useRef<maplibregl.Marker[]>([]);
  const pointsRef = useRef(points);
  const callbacks = useRef({ onAreaChange, onPointClick });
  callbacks.current = { onAreaChange, onPointClick };
  const [idle, setIdle] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const fitted = useRef(false);

  const redraw = () => {
    const map = mapRef.current;
    if (!map) return;
    for (const m of markersRef.current) m.remove();
    const clusters = clusterOnScreen(pointsRef.current, (p) => map.project([p.longitude, p.latitude]));
    markersRef.current = clusters.map((c) => {
      const el = document.createElement('button');
      el.type = 'button';
      el.className = `map-marker${c.count >= 100 ? ' big' : c.count >= 10 ? ' mid' : ''}`;
      el.textContent = c.count.toLocaleString();
      el.setAttribute('aria-label', `${c.count.toLocaleString()} ${c.count === 1 ? 'item' : 'items'} here`);
      el.addEventListener('click', (e) => {
        e.stopPropagation();
        const lons = c.members.map((m) => m.longitude);
        const lats = c.members.map((m) => m.latitude);
        const spread = Math.max(...lons) - Math.min(...lons) + Math.max(...lats) - Math.min(...lats);
        if (c.members.length > 1 && spread > 1e-6) {
          map.fitBounds(
            [
              [Math.min(...lons), Math.min(...lats)],
              [Math.max(...lons), Math.max(...lats)],
            ],
            { padding: 80, maxZoom: 15, duration: 500 },
          );
        } else {
          map.easeTo({ center: [c.longitude, c.latitude], zoom: Math.max(map.getZoom(), 10), duration: 500 });
        }
        callbacks.current.onPointClick?.(c.members[0]!);
      });
      return new maplibregl.Marker({ element: el }).setLngLat([c.longitude, c.latitude]).addTo(map);
    });
  };

  const report = () => {
    const map = mapRef.current;
    if (!map) return;
    const b = map.getBounds();
    callbacks.current.onAreaChange?.({ west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth(), zoom: map.getZoom() });
  };

  useEffect(() => {
    if (!boxRef.current) return;
    let map: maplibregl.Map;
    try {
      map = new maplibregl.Map({
        container: boxRef.current,
        style: BASE_STYLE,
        center: [10, 25],
        zoom: 0.8,
        minZoom: 0,
        maxZoom: 16,
        attributionControl: false,
        dragRotate: false,
        pitchWithRotate: false,
      });
    } catch (error) {
      setFailure(`The map cannot start here: ${(error as Error).message}`);
      return;
    }
    mapRef.current = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: 'Natural Earth' }), 'bottom-right');
    map.on('load', () => {
      redraw();
      report();
    });
    map.on('moveend', () => {
      redraw();
      report();
    });
    map.on('idle', () => setIdle(true));
    map.on('movestart', () => setIdle(false));
    map.on('error', (e) => console.warn('map:', e.error?.message));
    return () => {
      for (const m of markersRef.current) m.remove();
      markersRef.current = [];
      map.remove();
      mapRef.current = null;
    };
    // The map is created once; redraw/report read refs.
  }, []);

  useEffect(() => {
    pointsRef.current = points;
    const map = mapRef.current;
    if (!map) return;
    if (!fitted.current && points.length > 0) {
      fitted.current = true;
      const lons = points.map((p) => p.longitude);
      const lats = points.map((p) => p.latitude);
      const fit = () =>
        map.fitBounds(
          [
            [Math.min(...lons), Math.min(...lats)],
            [Math.max(...lons), Math.max(...lats)],
          ],
          { padding: 70, maxZoom: 10, duration: 0 },
        );
      if (map.loaded()) fit();
      else map.once('load', fit);
    }
    if (map.loaded()) redraw();
  }, [points]);

  if (failure) {
    return (
      <div className="map-failure" role="alert">
        {failure}
      </div>
    );
  }
  return <div className="map-box" ref={boxRef} role="region" aria-label={label} data-idle={idle ? 'true' : 'false'} />;
}

export default MapView;
