import { Explorer } from '../features/explorer/Explorer';
import { useAppStore } from '../stores/app-store';
import { ExtensionPages } from '../features/store/ExtensionPages';
import { useExtensionsStore } from '../features/store/extensions-store';

/** The main view: the explorer of the current library (or an extensions page over it), or what to do when there is none. */
export function MainView() {
  const hasLibrary = useAppStore((s) => s.currentLibraryId !== null);
  const loaded = useAppStore((s) => s.loaded);
  const page = useExtensionsStore((s) => s.page);
  if (!loaded) return <div className="empty">Loading…</div>;
  if (!hasLibrary) {
    return (
      <div className="empty">
        <h1>No library yet</h1>
        <p>Create a library in the sidebar to start.</p>
      </div>
    );
  }
  if (page) return <ExtensionPages page={page} />;
  return <Explorer />;
}
