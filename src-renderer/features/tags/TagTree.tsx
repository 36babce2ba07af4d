import { Icon } from '../../components/Icon';
import { useExplorerStore } from '../../stores/explorer-store';
import { useTagsStore } from '../../stores/tags-store';

/** The sidebar's tags, indented by their place in the hierarchy; clicking one lists what carries it. */
export function TagTree() {
  const tags = useTagsStore((s) => s.tags);
  const activeTagId = useExplorerStore((s) => (!s.searching && s.place.kind === 'tag' ? s.place.tagId : null));
  const navigate = useExplorerStore((s) => s.navigate);
  if (tags.length === 0) return <p className="sidebar-empty">No tags yet. Select files and use “Add tag”.</p>;
  return (
    <ul className="sidebar-list" aria-label="Tags">
      {tags.map((tag) => {
        const depth = tag.path.split('/').length - 1;
        const active = tag.id === activeTagId;
        return (
          <li key={tag.id}>
            <button
              type="button"
              className={`sidebar-item${active ? ' active' : ''}`}
              style={{ paddingLeft: 8 + depth * 14 }}
              aria-current={active ? 'page' : undefined}
              title={tag.path}
              onClick={() => navigate({ kind: 'tag', tagId: tag.id })}
            >
              <span className="item-icon" style={tag.color ? { color: tag.color } : undefined}>
                <Icon name="tag" />
              </span>
              <span className="item-label">{tag.name}</span>
              <span className="item-count" aria-hidden>
                {tag.usage.toLocaleString()}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
