import { ViewErrorBoundary } from '../../components/ViewErrorBoundary';
import { ExtensionView } from '../extension-views/ExtensionView';
import { ExtensionSettingsPage } from './ExtensionSettingsPage';
import { StorePage } from './StorePage';
import type { ExtensionPage } from './extensions-store';

/** The main view while an extensions page is open: the store, an extension's settings, or one of its views. */
export function ExtensionPages({ page }: { page: ExtensionPage }) {
  const key = page.kind === 'view' ? `view:${page.extensionId}:${page.part}:${page.viewId}` : page.kind === 'settings' ? `settings:${page.id}` : `store:${page.detailId ?? ''}`;
  return (
    <ViewErrorBoundary resetKey={key} what={page.kind === 'view' ? 'This extension view' : page.kind === 'settings' ? 'The extension settings' : 'The Extension Store'}>
      {page.kind === 'store' && <StorePage detailId={page.detailId} />}
      {page.kind === 'settings' && <ExtensionSettingsPage key={page.id} id={page.id} />}
      {page.kind === 'view' && <ExtensionView key={key} extensionId={page.extensionId} part={page.part} viewId={page.viewId} />}
    </ViewErrorBoundary>
  );
}
