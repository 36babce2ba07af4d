import { useEffect } from 'react';
import { Icon, type IconName } from '../../components/Icon';
import { ExtensionIcon } from '../store/ExtensionIcon';
import { startExtensionUpdates, useExtensionsStore } from '../store/extensions-store';
import '../store/store.css';
import './extension-views.css';

const KNOWN_ICONS: readonly IconName[] = ['folder', 'library', 'warning', 'file', 'image', 'video', 'audio', 'document', 'text', 'archive', 'code', 'star', 'grid', 'list', 'search', 'tag', 'copies', 'pin', 'camera', 'location', 'activity', 'person', 'map'];

/** A section's icon: one from Cairn's set when the ui_manifest names one, else a list. */
export function sectionIcon(name: string | null, fallback: IconName = 'list'): IconName {
  return name && (KNOWN_ICONS as readonly string[]).includes(name) ? (name as IconName) : fallback;
}

const VIEW_ICONS: Record<string, IconName> = { list: 'list', grid: 'grid', map_view: 'map', person_grid: 'person', detail: 'document' };

/**
 * The sidebar's Extensions group: the store, then each active extension under its name and icon with the
 * sections and views its ui_manifest declares. A broken entry is listed with its problem, never hidden.
 */
export function ExtensionsSidebar() {
  const contributions = useExtensionsStore((s) => s.contributions);
  const page = useExtensionsStore((s) => s.page);
  const open = useExtensionsStore((s) => s.open);
  useEffect(() => startExtensionUpdates(), []);
  const activeView = page?.kind === 'view' ? `${page.extensionId}/${page.part}/${page.viewId}` : null;

  return (
    <section className="sidebar-section" aria-labelledby="extensions-heading">
      <header className="sidebar-heading">
        <h2 id="extensions-heading">Extensions</h2>
      </header>
      <ul className="sidebar-list" aria-label="Extensions">
        <li>
          <button
            type="button"
            className={`sidebar-item${page?.kind === 'store' ? ' active' : ''}`}
            aria-current={page?.kind === 'store' ? 'page' : undefined}
            onClick={() => open({ kind: 'store', detailId: null })}
          >
            <span className="item-icon">
              <Icon name="grid" />
            </span>
            <span className="item-label">Extension Store</span>
          </button>
        </li>
      </ul>
      {contributions.map((c) => {
        const items = [
          ...c.sidebar.map((s) => ({ part: 'section' as const, id: s.id, label: s.label, icon: sectionIcon(s.icon, s.render === 'grid' ? 'grid' : 'list'), problem: s.problem })),
          ...c.views.map((v) => ({ part: 'view' as const, id: v.id, label: v.label ?? v.id, icon: VIEW_ICONS[v.component] ?? 'list', problem: v.problem })),
        ];
        return (
          <div key={c.extensionId} className="ext-sidebar-group">
            <div className="ext-sidebar-name">
              <ExtensionIcon name={c.name} url={c.iconUrl} size={16} />
              <span className="item-label">{c.name}</span>
              <button
                type="button"
                className="icon-button subtle-always"
                aria-label={`${c.name} settings`}
                title={`${c.name} settings`}
                onClick={() => open({ kind: 'settings', id: c.extensionId })}
              >
                ⚙
              </button>
            </div>
            {c.problem && <p className="item-problem">{c.problem}</p>}
            <ul className="sidebar-list" aria-label={`${c.name} sections`}>
              {items.map((item) => {
                const active = activeView === `${c.extensionId}/${item.part}/${item.id}`;
                return (
                  <li key={`${item.part}/${item.id}`}>
                    <button
                      type="button"
                      className={`sidebar-item ext-item${active ? ' active' : ''}${item.problem ? ' problem' : ''}`}
                      aria-current={active ? 'page' : undefined}
                      title={item.problem ?? undefined}
                      onClick={() => open({ kind: 'view', extensionId: c.extensionId, part: item.part, viewId: item.id })}
                    >
                      <span className="item-icon">
                        <Icon name={item.problem ? 'warning' : item.icon} />
                      </span>
                      <span className="item-label">{item.label}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
    </section>
  );
}
