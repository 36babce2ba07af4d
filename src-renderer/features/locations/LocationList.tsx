import { Icon } from '../../components/Icon';
import { useAppStore } from '../../stores/app-store';

/** The current library's locations, each removable (the folder on disk is never touched). */
export function LocationList() {
  const locations = useAppStore((s) => s.locations);
  const remove = useAppStore((s) => s.removeLocation);
  if (locations.length === 0) return <p className="sidebar-empty">No folders yet.</p>;
  return (
    <ul className="sidebar-list" aria-label="Locations">
      {locations.map((loc) => (
        <li key={loc.id} className="location-row">
          <span className="sidebar-item" title={loc.path}>
            <span className="item-icon"><Icon name="folder" /></span>
            <span className="item-label">{loc.name}</span>
          </span>
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
        </li>
      ))}
    </ul>
  );
}
