import { useEffect, useLayoutEffect, useRef, useState, type MouseEvent as ReactMouseEvent } from 'react';
import type { CoreActionName } from '../../../src-shared/contract';
import { Icon, type IconName } from '../../components/Icon';
import { useExplorerStore } from '../../stores/explorer-store';
import { ExtensionMenuItems } from '../extension-views/ExtensionActions';
import { ACTION_TITLES } from './ActionDialog';
import { useActionsStore } from './actions-store';

interface MenuItem {
  action: CoreActionName;
  icon: IconName;
  /** Only for exactly one selected item. */
  single?: boolean;
  danger?: boolean;
  separatorBefore?: boolean;
}

const ITEMS: MenuItem[] = [
  { action: 'tags.apply', icon: 'tag' },
  { action: 'tags.remove', icon: 'tag' },
  { action: 'collections.createFrom', icon: 'copies' },
  { action: 'files.rename', icon: 'file', single: true, separatorBefore: true },
  { action: 'files.move', icon: 'folder' },
  { action: 'files.trash', icon: 'trash', danger: true, separatorBefore: true },
];

/** The actions on the selection, as menu items; each opens the preview dialog. */
function MenuItems({ count, onChoose }: { count: number; onChoose(action: CoreActionName): void }) {
  return (
    <>
      {ITEMS.map((item) => (
        <li key={item.action} role="none" className={item.separatorBefore ? 'separated' : undefined}>
          <button
            type="button"
            role="menuitem"
            className={`menu-item${item.danger ? ' danger' : ''}`}
            disabled={count === 0 || (item.single === true && count !== 1)}
            onClick={() => onChoose(item.action)}
          >
            <Icon name={item.icon} />
            <span>{ACTION_TITLES[item.action]}…</span>
          </button>
        </li>
      ))}
    </>
  );
}

/** The toolbar's "…" button: the selection's actions. */
export function SelectionActionsButton() {
  const count = useExplorerStore((s) => s.selected.size);
  const openAction = useActionsStore((s) => s.open);
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  if (count === 0) return null;
  return (
    <div className="menu-root" ref={rootRef}>
      <button type="button" className="tool-button" aria-haspopup="menu" aria-expanded={open} aria-label="More actions" title="More actions on the selection" onClick={() => setOpen((v) => !v)}>
        <span className="dots" aria-hidden>
          •••
        </span>
      </button>
      {open && (
        <ul className="menu dropdown" role="menu" aria-label="Actions">
          <MenuItems
            count={count}
            onChoose={(action) => {
              setOpen(false);
              openAction(action);
            }}
          />
        </ul>
      )}
    </div>
  );
}

/**
 * Right-click on the entries: the item under the pointer joins the selection (or becomes it, when it was
 * not selected), then the actions menu opens there. Use as the `onContextMenu` of the entries' container.
 */
export function onEntriesContextMenu(e: ReactMouseEvent) {
  const target = (e.target as HTMLElement).closest('[id^="entry-item-"]');
  const explorer = useExplorerStore.getState();
  if (target) {
    const index = Number(target.id.slice('entry-item-'.length));
    const entry = explorer.items[index];
    if (entry && !explorer.selected.has(entry.id)) explorer.click(index, { shift: false, toggle: false });
  }
  if (useExplorerStore.getState().selected.size === 0) return;
  e.preventDefault();
  useActionsStore.getState().openMenu(e.clientX, e.clientY);
}

/** The right-click menu, placed at the pointer and kept inside the window. */
export function ContextMenu() {
  const menu = useActionsStore((s) => s.menu);
  const closeMenu = useActionsStore((s) => s.closeMenu);
  const openAction = useActionsStore((s) => s.open);
  const count = useExplorerStore((s) => s.selected.size);
  const selected = useExplorerStore((s) => s.selected);
  const ref = useRef<HTMLUListElement>(null);
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);

  useLayoutEffect(() => {
    if (!menu || !ref.current) return setPos(null);
    const { width, height } = ref.current.getBoundingClientRect();
    setPos({ left: Math.min(menu.x, window.innerWidth - width - 8), top: Math.min(menu.y, window.innerHeight - height - 8) });
    ref.current.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, [menu]);

  useEffect(() => {
    if (!menu) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) closeMenu();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') closeMenu();
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [])];
        const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
        buttons[(at + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    window.addEventListener('blur', closeMenu);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('blur', closeMenu);
    };
  }, [menu, closeMenu]);

  if (!menu) return null;
  return (
    <ul
      ref={ref}
      className="menu context"
      role="menu"
      aria-label="Actions"
      style={pos ? { left: pos.left, top: pos.top } : { left: menu.x, top: menu.y, visibility: 'hidden' }}
      onContextMenu={(e) => e.preventDefault()}
    >
      <li role="none" className="menu-caption">
        {count === 1 ? '1 item selected' : `${count.toLocaleString()} items selected`}
      </li>
      <MenuItems
        count={count}
        onChoose={(action) => {
          closeMenu();
          openAction(action);
        }}
      />
      <ExtensionMenuItems entryIds={[...selected]} onChoose={closeMenu} />
    </ul>
  );
}
