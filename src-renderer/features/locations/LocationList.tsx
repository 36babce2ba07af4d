import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { useAppStore } from '../../stores/app-store';
import { useExplorerStore } from '../../stores/explorer-store';

/**
 * The current library's locations. Clicking one opens it in the explorer; each is removable (the folder
 * on disk is never touched). A location with an `indexing` entry in the app store shows a progress bar.
 */
export function LocationList() {
  const locations = useAppStore((s) => s.locations);
  const indexing = useAppStore((s) => s.indexing);
  const remove = useAppStore((s) => s.removeLocation);
  const activeId = useExplorerStore((s) => (!s.searching && s.place.kind === 'location' ? s.place.locationId : null));
  const navigate = useExplorerStore((s) => s.navigate);
  if (locations.length === 0) return <p className="sidebar-empty">No folders yet.</p>;
  return (
    <ul className="sidebar-list" aria-label="Locations">
      {locations.map((loc) => {
        const progress = indexing[loc.id];
        const active = loc.id === activeId;
        return (
          <li key={loc.id}>
            <div className="location-row">
              <button
                type="button"
                className={`sidebar-item${active ? ' active' : ''}`}
                title={loc.path}
                aria-current={active ? 'page' : undefined}
                onClick={() => navigate({ kind: 'location', locationId: loc.id, trail: [] })}
              >
                <span className="item-icon">
                  <Icon name="folder" />
                </span>
                <span className="item-label">{loc.name}</span>
              </button>
              <button
                type="button"
                className="icon-button subtle"
                aria-label={`Remove location ${loc.name}`}
                title="Remove from library (the folder stays on disk)"
                onClick={() => {
                  if (confirm(`Remove "${loc.name}" from this library? The folder and its files stay on disk.`)) void remove(loc.id);
                }}
              >
                ×
              </button>
            </div>
            {progress && (
              <div className="location-progress">
                <ProgressBar fraction={progress.fraction} label={`Indexing ${loc.name}: ${progress.label}`} />
                <span className="location-progress-label">{progress.label}</span>
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
