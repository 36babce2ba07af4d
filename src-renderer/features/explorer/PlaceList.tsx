import { Icon } from '../../components/Icon';
import { useExplorerStore } from '../../stores/explorer-store';

/** The sidebar's "Library" group: views across every location. */
export function PlaceList() {
  const active = useExplorerStore((s) => (s.searching ? null : s.place.kind));
  const navigate = useExplorerStore((s) => s.navigate);
  const items = [
    { kind: 'favorites' as const, label: 'Favourites', icon: 'star' as const },
    { kind: 'duplicates' as const, label: 'Duplicates', icon: 'copies' as const },
    { kind: 'activity' as const, label: 'Activity', icon: 'activity' as const },
  ];
  return (
    <ul className="sidebar-list" aria-label="Library views">
      {items.map((item) => (
        <li key={item.kind}>
          <button
            type="button"
            className={`sidebar-item${active === item.kind ? ' active' : ''}`}
            aria-current={active === item.kind ? 'page' : undefined}
            onClick={() => navigate({ kind: item.kind })}
          >
            <span className="item-icon">
              <Icon name={item.icon} />
            </span>
            <span className="item-label">{item.label}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
