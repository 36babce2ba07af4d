import { Explorer } from '../features/explorer/Explorer';
import { useAppStore } from '../stores/app-store';

/** The main view: the explorer of the current library, or what to do when there is none. */
export function MainView() {
  const hasLibrary = useAppStore((s) => s.currentLibraryId !== null);
  const loaded = useAppStore((s) => s.loaded);
  if (!loaded) return <div className="empty">Loading…</div>;
  if (!hasLibrary) {
    return (
      <div className="empty">
        <h1>No library yet</h1>
        <p>Create a library in the sidebar to start.</p>
      </div>
    );
  }
  return <Explorer />;
}
