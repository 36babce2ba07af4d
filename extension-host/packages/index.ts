/**
 * `.cairnext` packages and the install lifecycle. See docs/extension-runtime.md ("Package format",
 * "Lifecycle").
 */
export * from './package-format.js';
export { pack, packPackage, type PackageParts, type PackOptions } from './pack.js';
export { readPackage, readPackageFolder, parseManifest, type ExtensionPackage, type ReadPackageOptions } from './read-package.js';
export { verifyPackageSignature, signFilesJson, type PackageSigner } from './package-signature.js';
export { SUPPORTED_CORE_FEATURES, missingFeatures } from './core-features.js';
export { ExtensionInstaller, extensionsDir, type ExtensionInstallerOptions, type InstallStep, type InstallerLibrary } from './extension-installer.js';
export { defaultSettings, effectiveSettings, settingsToConfig, validateSettings, type SettingValues } from './extension-settings.js';
export { extensionHandlers, type ExtensionHandlerOptions } from './extension-handlers.js';
