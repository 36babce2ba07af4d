import type { CairnCore, StoreHandlers, UiHandlers } from '../../src-main/core/cairn-core.js';
import type { HandlerContext } from '../../src-main/core/registry/operation-registry.js';
import { CairnError } from '../../src-shared/errors.js';
import { catalogIconCacheDir } from '../../src-main/core/sidecars/ext-asset-request.js';
import type { ExtensionInstallerOptions } from '../packages/extension-installer.js';
import { ExtensionStore } from './extension-store.js';
import type { IconCacheOptions } from './icon-cache.js';
import { uiContributions, uiMapPoints, uiQuerySection } from './ui-contributions.js';

export interface StoreHandlerOptions {
  /** The bundled catalog folder (default `<APP_ROOT>/out/catalog`). */
  bundledDir?: string;
  /** Installer settings (core version, features, limits). */
  installer?: Omit<ExtensionInstallerOptions, 'onChange'>;
  /** Limits of the cache of URL-catalog icons (`<home>/cache/catalog-icons/`). */
  iconCache?: IconCacheOptions;
}

/** Neither the Store nor the UI contributions are for extensions to call: they manage and reveal other extensions. */
function userOnly<H extends object>(handlers: H): H {
  for (const name of Object.keys(handlers) as (keyof H)[]) {
    const inner = handlers[name] as (input: unknown, ctx: HandlerContext) => unknown;
    (handlers as Record<string, unknown>)[name as string] = (input: unknown, ctx: HandlerContext) => {
      if (ctx.caller.kind === 'extension') throw new CairnError('PERMISSION_DENIED', `Extensions cannot call ${String(name)}.`);
      return inner(input, ctx);
    };
  }
  return handlers;
}

/**
 * Every `store.*` handler, for the shells to pass to the core: `CairnCore.start({ store: (c) => storeHandlers(c) })`.
 * Emits `extensions.onDidChange` after installs, updates and revocations.
 *
 * Failure modes: those of {@link ExtensionStore}, as `{code, message}` through the registry.
 *
 * @example
 * const core = await CairnCore.start({ shell, store: (c) => storeHandlers(c), ui: (c) => uiHandlers(c) });
 * await core.registry.call('store.catalog', { libraryId }, ctx);
 */
export function storeHandlers(core: Pick<CairnCore, 'events' | 'home'>, options: StoreHandlerOptions = {}): StoreHandlers {
  const store = new ExtensionStore({
    home: core.home,
    iconCacheDir: catalogIconCacheDir(core.home.dir),
    ...(options.iconCache ? { iconCache: options.iconCache } : {}),
    ...(options.bundledDir ? { bundledDir: options.bundledDir } : {}),
    installer: { ...options.installer, onChange: (libraryId, id, change) => core.events.emit('extensions.onDidChange', { libraryId, id, change }) },
  });
  return userOnly<StoreHandlers>({
    'store.catalog': ({ libraryId }, ctx) => store.catalog(ctx.library(libraryId)),
    'store.sources': () => store.sources(),
    'store.addSource': ({ url }) => store.addSource(url),
    'store.removeSource': ({ url }) => store.removeSource(url),
    'store.install': ({ libraryId, extensionId, version, sourceId, grants }, ctx) => store.install(ctx.library(libraryId), { extensionId, version, sourceId, grants }),
    'store.update': ({ libraryId, extensionId, version, sourceId }, ctx) => store.update(ctx.library(libraryId), { extensionId, version, sourceId }),
    'store.inspectFile': ({ path, libraryId }, ctx) => store.inspectFile(path, libraryId ? ctx.library(libraryId) : undefined),
    'store.installFromFile': ({ libraryId, path, grants }, ctx) => store.installFromFile(ctx.library(libraryId), path, grants ?? []),
    'store.checkRevocations': ({ libraryId }, ctx) => store.checkRevocations(ctx.library(libraryId)),
  });
}

/**
 * Every `ui.*` handler, for the shells to pass to the core: `CairnCore.start({ ui: (c) => uiHandlers(c) })`.
 *
 * @example
 * await core.registry.call('ui.contributions', { libraryId }, ctx);
 */
export function uiHandlers(_core?: unknown): UiHandlers {
  return userOnly<UiHandlers>({
    'ui.contributions': ({ libraryId }, ctx) => uiContributions(ctx.library(libraryId)),
    'ui.querySection': (input, ctx) => uiQuerySection(ctx.library(input.libraryId), input),
    'ui.mapPoints': (input, ctx) => uiMapPoints(ctx.library(input.libraryId), input),
  });
}
