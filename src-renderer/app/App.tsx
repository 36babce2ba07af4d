import { useEffect } from 'react';
import { useAppStore } from '../stores/app-store';
import { startLiveUpdates } from '../stores/live-updates';
import { Sidebar } from './Sidebar';
import { MainView } from './MainView';
import { StatusBar } from './StatusBar';

/** The window: sidebar, main view and status bar. */
export function App() {
  const init = useAppStore((s) => s.init);
  useEffect(() => {
    const stop = startLiveUpdates();
    void init();
    return stop;
  }, [init]);
  return (
    <div className="app">
      <Sidebar />
      <main className="main" aria-label="Main view">
        <MainView />
      </main>
      <StatusBar />
    </div>
  );
}
