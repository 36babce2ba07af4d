import { useAppStore } from '../stores/app-store';

/** The status area: which shell is running, and the last error in plain words. */
export function StatusBar() {
  const shell = useAppStore((s) => s.shell);
  const error = useAppStore((s) => s.error);
  const dismiss = useAppStore((s) => s.dismissError);
  return (
    <footer className="statusbar" role="status">
      {error ? (
        <span className="status-error">
          {error}{' '}
          <button type="button" className="link-button" onClick={dismiss}>
            Dismiss
          </button>
        </span>
      ) : (
        <span>{shell ? `Cairn ${shell.version} · ${shell.shell === 'electron' ? 'desktop' : 'headless shell'}` : 'Connecting…'}</span>
      )}
    </footer>
  );
}
