import { useAppStore } from '../stores/app-store';

/** The main view. The explorer fills it later; for now it greets the user and says what to do next. */
export function MainView() {
  const library = useAppStore((s) => s.libraries.find((l) => l.id === s.currentLibraryId) ?? null);
  const locationCount = useAppStore((s) => s.locations.length);
  const loaded = useAppStore((s) => s.loaded);
  if (!loaded) return <div className="empty">Loading…</div>;
  if (!library) {
    return (
      <div className="empty">
        <h1>No library yet</h1>
        <p>Create a library in the sidebar to start.</p>
      </div>
    );
  }
  return (
    <div className="empty">
      <h1>{library.name}</h1>
      {locationCount === 0 ? (
        <p>Add a folder with the + next to Locations, and Cairn will keep track of what is inside it.</p>
      ) : (
        <p>
          {locationCount} {locationCount === 1 ? 'location' : 'locations'} in this library.
        </p>
      )}
      <p className="muted">Library folder: {library.path}</p>
    </div>
  );
}
