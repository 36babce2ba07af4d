import { JobsIndicator } from '../features/jobs/JobsIndicator';
import { useAppStore } from '../stores/app-store';

/** The status area: which shell is running, the last error in plain words, and the jobs indicator. */
export function StatusBar() {
  const shell = useAppStore((s) => s.shell);
  const error = useAppStore((s) => s.error);
  const dismiss = useAppStore((s) => s.dismissError);
  const hasLibrary = useAppStore((s) => s.currentLibraryId !== null);
  return (
    <footer className="statusbar">
      <span role="status" className="status-text">
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
      </span>
      {hasLibrary && <JobsIndicator />}
    </footer>
  );
}
