import { Fragment } from 'react';
import { Icon } from '../../components/Icon';
import { useAppStore } from '../../stores/app-store';
import { useExplorerStore } from '../../stores/explorer-store';
import { useTagsStore } from '../../stores/tags-store';

/** Where the explorer is: location › folder › subfolder, each clickable; or the view's or search's title. */
export function Breadcrumbs() {
  const place = useExplorerStore((s) => s.place);
  const searching = useExplorerStore((s) => s.searching);
  const goToCrumb = useExplorerStore((s) => s.goToCrumb);
  const clearSearch = useExplorerStore((s) => s.clearSearch);
  const location = useAppStore((s) => (place.kind === 'location' ? s.locations.find((l) => l.id === place.locationId) : undefined));
  const library = useAppStore((s) => s.libraries.find((l) => l.id === s.currentLibraryId));
  const tag = useTagsStore((s) => (place.kind === 'tag' ? s.tags.find((t) => t.id === place.tagId) : undefined));

  let crumbs: { label: string; onClick?: () => void; icon?: 'folder' | 'star' | 'copies' | 'tag' | 'library' | 'search' }[];
  switch (place.kind) {
    case 'location':
      crumbs = [
        { label: location?.name ?? 'Location', icon: 'folder', onClick: () => goToCrumb(-1) },
        ...place.trail.map((c, i) => ({ label: c.name, onClick: () => goToCrumb(i) })),
      ];
      break;
    case 'favorites':
      crumbs = [{ label: 'Favourites', icon: 'star', onClick: () => clearSearch() }];
      break;
    case 'duplicates':
      crumbs = [{ label: 'Duplicates', icon: 'copies' }];
      break;
    case 'activity':
      crumbs = [{ label: 'Activity', icon: 'library' }];
      break;
    case 'tag':
      crumbs = [{ label: tag ? tag.path.split('/').join(' › ') : 'Tag', icon: 'tag', onClick: () => clearSearch() }];
      break;
    default:
      crumbs = [{ label: library?.name ?? 'Library', icon: 'library', onClick: () => clearSearch() }];
  }
  // Search covers the whole library, so the trail says so rather than showing the folder it started from.
  if (searching) crumbs = [{ label: library?.name ?? 'Library', icon: 'library', onClick: () => clearSearch() }, { label: 'Search results', icon: 'search' }];

  return (
    <nav className="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        {crumbs.map((crumb, i) => {
          const last = i === crumbs.length - 1;
          return (
            <Fragment key={i}>
              {i > 0 && (
                <li className="crumb-sep" aria-hidden>
                  <Icon name="chevron" size={12} />
                </li>
              )}
              <li>
                {last || !crumb.onClick ? (
                  <span className="crumb current" aria-current="location">
                    {crumb.icon && <Icon name={crumb.icon} />}
                    {crumb.label}
                  </span>
                ) : (
                  <button type="button" className="crumb" onClick={crumb.onClick}>
                    {crumb.icon && <Icon name={crumb.icon} />}
                    {crumb.label}
                  </button>
                )}
              </li>
            </Fragment>
          );
        })}
      </ol>
    </nav>
  );
}
