import { useState } from 'react';
import { useAppStore } from '../stores/app-store';
import { LibraryList } from '../features/library/LibraryList';
import { LocationList } from '../features/locations/LocationList';
import { AddLocationDialog } from '../features/locations/AddLocationDialog';
import { PlaceList } from '../features/explorer/PlaceList';
import { TagTree } from '../features/tags/TagTree';
import { ExtensionsSidebar } from '../features/extension-views/ExtensionsSidebar';

/** The sidebar: libraries, the library's views, its locations, its tags, and the sections extensions contribute. */
export function Sidebar() {
  const [adding, setAdding] = useState(false);
  const hasLibrary = useAppStore((s) => s.currentLibraryId !== null);
  return (
    <nav className="sidebar" aria-label="Sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden>◭</span> Cairn
      </div>
      <LibraryList />
      {hasLibrary && (
        <section className="sidebar-section" aria-labelledby="views-heading">
          <header className="sidebar-heading">
            <h2 id="views-heading">Library</h2>
          </header>
          <PlaceList />
        </section>
      )}
      <section className="sidebar-section" aria-labelledby="locations-heading">
        <header className="sidebar-heading">
          <h2 id="locations-heading">Locations</h2>
          <button type="button" className="icon-button" disabled={!hasLibrary} onClick={() => setAdding(true)} aria-label="Add location" title="Add location">
            +
          </button>
        </header>
        <LocationList />
      </section>
      {hasLibrary && (
        <section className="sidebar-section" aria-labelledby="tags-heading">
          <header className="sidebar-heading">
            <h2 id="tags-heading">Tags</h2>
          </header>
          <TagTree />
        </section>
      )}
      {hasLibrary && <ExtensionsSidebar />}
      {adding && <AddLocationDialog onClose={() => setAdding(false)} />}
    </nav>
  );
}
