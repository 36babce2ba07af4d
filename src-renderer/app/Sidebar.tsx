import { useState } from 'react';
import { useAppStore } from '../stores/app-store';
import { LibraryList } from '../features/library/LibraryList';
import { LocationList } from '../features/locations/LocationList';
import { AddLocationDialog } from '../features/locations/AddLocationDialog';

/** The sidebar: libraries, then the current library's locations. Extension sections join it later. */
export function Sidebar() {
  const [adding, setAdding] = useState(false);
  const hasLibrary = useAppStore((s) => s.currentLibraryId !== null);
  return (
    <nav className="sidebar" aria-label="Sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden>◭</span> Cairn
      </div>
      <LibraryList />
      <section className="sidebar-section" aria-labelledby="locations-heading">
        <header className="sidebar-heading">
          <h2 id="locations-heading">Locations</h2>
          <button type="button" className="icon-button" disabled={!hasLibrary} onClick={() => setAdding(true)} aria-label="Add location" title="Add location">
            +
          </button>
        </header>
        <LocationList />
      </section>
      {adding && <AddLocationDialog onClose={() => setAdding(false)} />}
    </nav>
  );
}
