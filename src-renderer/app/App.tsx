import { useEffect } from 'react';
import { useAppStore } from '../stores/app-store';
import { startLiveUpdates } from '../stores/live-updates';
import { ActionDialogHost } from '../features/actions/ActionDialog';
import { ContextMenu } from '../features/actions/ActionMenu';
import { ExtensionActionHost } from '../features/extension-views/ExtensionActions';
import { UndoToast } from '../features/actions/UndoToast';
import { JobsPanel } from '../features/jobs/JobsPanel';
import { startJobUpdates } from '../features/jobs/jobs-store';
import { Sidebar } from './Sidebar';
import { MainView } from './MainView';
import { StatusBar } from './StatusBar';

/** The window: sidebar, main view and status bar. */
export function App() {
  const init = useAppStore((s) => s.init);
  useEffect(() => {
    const stop = startLiveUpdates();
    const stopJobs = startJobUpdates();
    void init();
    return () => {
      stop();
      stopJobs();
    };
  }, [init]);
  return (
    <div className="app">
      <Sidebar />
      <main className="main" aria-label="Main view">
        <MainView />
      </main>
      <StatusBar />
      <JobsPanel />
      <ContextMenu />
      <ExtensionActionHost />
      <ActionDialogHost />
      <UndoToast />
    </div>
  );
}
