import { Icon } from '../../components/Icon';
import { useAppStore } from '../../stores/app-store';
import { useExplorerStore } from '../../stores/explorer-store';

/** The start view of a library: what it holds and where to begin. */
export function Welcome() {
  const library = useAppStore((s) => s.libraries.find((l) => l.id === s.currentLibraryId) ?? null);
  const locations = useAppStore((s) => s.locations);
  const navigate = useExplorerStore((s) => s.navigate);
  if (!library) return null;
  return (
    <div className="empty">
      <h1>{library.name}</h1>
      {locations.length === 0 ? (
        <p>Add a folder with the + next to Locations, and Cairn will keep track of what is inside it.</p>
      ) : (
        <>
          <p>
            {locations.length} {locations.length === 1 ? 'location' : 'locations'} in this library. Open one, or search everything above.
          </p>
          <div className="welcome-locations">
            {locations.map((loc) => (
              <button key={loc.id} type="button" className="welcome-location" onClick={() => navigate({ kind: 'location', locationId: loc.id, trail: [] })}>
                <Icon name="folder" size={22} />
                <span>{loc.name}</span>
              </button>
            ))}
          </div>
        </>
      )}
      <p className="muted">Library folder: {library.path}</p>
    </div>
  );
}
