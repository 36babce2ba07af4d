import { CairnError } from '../../src-shared/errors.js';
import type { CairnCore, ExtensionHandlers } from '../../src-main/core/cairn-core.js';
import type { Handler, HandlerContext } from '../../src-main/core/registry/operation-registry.js';
import { readAuditActivity } from '../permissions/audit-trail.js';
import { ExtensionInstaller, type ExtensionInstallerOptions } from './extension-installer.js';

export interface ExtensionHandlerOptions {
  /** Installer settings (core version, features, limits); tests inject faults here. */
  installer?: Omit<ExtensionInstallerOptions, 'onChange'>;
  /**
   * `extensions.runJob`, provided by the extension runtime (extension-host/jobs). Until a shell passes one,
   * the operation answers NOT_SUPPORTED.
   */
  runJob?: Handler<'extensions.runJob'>;
  /** `extensions.actionOptions`, provided by the extension runtime; NOT_SUPPORTED without one. */
  actionOptions?: Handler<'extensions.actionOptions'>;
}

/**
 * Every `extensions.*` handler, for the shells to pass to the core (`CairnCore.start({ extensions: extensionHandlers })`).
 * Each handler works on the library its input names, through an {@link ExtensionInstaller}, and emits
 * `extensions.onDidChange` on the core's event bus after every committed change.
 *
 * Failure modes: those of {@link ExtensionInstaller}, as `{code, message}` values through the registry.
 *
 * @example
 * const core = await CairnCore.start({ shell, extensions: (c) => extensionHandlers(c) });
 * await core.registry.call('extensions.install', { libraryId, path: 'hello.cairnext' }, ctx);
 */
export function extensionHandlers(core: Pick<CairnCore, 'events'>, options: ExtensionHandlerOptions = {}): ExtensionHandlers {
  const installer = new ExtensionInstaller({
    ...options.installer,
    onChange: (libraryId, id, change) => core.events.emit('extensions.onDidChange', { libraryId, id, change }),
  });
  const handlers: ExtensionHandlers = {
    'extensions.list': ({ libraryId }, ctx) => installer.list(ctx.library(libraryId)),
    'extensions.info': ({ libraryId, id }, ctx) => installer.info(ctx.library(libraryId), id),
    'extensions.inspectPackage': async ({ path, libraryId }, ctx) => {
      const { pkg, problems, installedVersion } = await installer.inspect(path, libraryId ? ctx.library(libraryId) : undefined);
      return { manifest: pkg.manifest, sha256: pkg.sha256 ?? '', signedBy: pkg.signer?.fingerprint ?? null, installedVersion, problems };
    },
    'extensions.install': ({ libraryId, path, grants }, ctx) => installer.install(ctx.library(libraryId), path, grants ?? []),
    'extensions.upgrade': ({ libraryId, path }, ctx) => installer.upgrade(ctx.library(libraryId), path),
    'extensions.consent': ({ libraryId, id, accept, grants }, ctx) => installer.consent(ctx.library(libraryId), id, accept, grants ?? []),
    'extensions.rollback': ({ libraryId, id }, ctx) => installer.rollback(ctx.library(libraryId), id),
    'extensions.grant': ({ libraryId, id, permission, scopes }, ctx) => installer.grant(ctx.library(libraryId), id, permission, scopes ?? []),
    'extensions.revoke': ({ libraryId, id, permission, scopes }, ctx) => installer.revoke(ctx.library(libraryId), id, permission, scopes ?? []),
    'extensions.enable': ({ libraryId, id }, ctx) => installer.enable(ctx.library(libraryId), id),
    'extensions.disable': ({ libraryId, id }, ctx) => installer.disable(ctx.library(libraryId), id),
    'extensions.uninstall': ({ libraryId, id, keepData }, ctx) => installer.uninstall(ctx.library(libraryId), id, keepData),
    'extensions.getSettings': ({ libraryId, id }, ctx) => installer.getSettings(ctx.library(libraryId), id),
    'extensions.setSettings': ({ libraryId, id, values }, ctx) => installer.setSettings(ctx.library(libraryId), id, values),
    'extensions.activity': ({ libraryId, id, offset, limit, deniedOnly }, ctx) => {
      const lib = ctx.library(libraryId);
      installer.getSettings(lib, id); // NOT_FOUND when it is not installed
      return readAuditActivity(lib.path, id, { offset, limit, deniedOnly });
    },
    'extensions.actionOptions':
      options.actionOptions ??
      (() => {
        throw new CairnError('NOT_SUPPORTED', 'Extension actions do not run in this shell (extensions.actionOptions comes from the extension runtime).');
      }),
    // NOT YET PROVIDED: the extension runtime (extension-host/jobs) supplies this through `options.runJob`.
    'extensions.runJob':
      options.runJob ??
      (() => {
        throw new CairnError('NOT_SUPPORTED', 'Running extension jobs is not wired into this shell yet (extensions.runJob comes from the extension runtime).');
      }),
  };
  // Defence in depth: the bridge already denies extensions.* to guests (not in its capability table), but an
  // extension must never manage extensions, its own grants least of all.
  for (const name of Object.keys(handlers) as (keyof ExtensionHandlers)[]) {
    const inner = handlers[name] as (input: unknown, ctx: HandlerContext) => unknown;
    (handlers as Record<string, unknown>)[name] = (input: unknown, ctx: HandlerContext) => {
      if (ctx.caller.kind === 'extension') throw new CairnError('PERMISSION_DENIED', `Extensions cannot call ${name}.`);
      return inner(input, ctx);
    };
  }
  return handlers;
}
