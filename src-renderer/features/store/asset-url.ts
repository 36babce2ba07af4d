/**
 * Where both shells serve an installed extension's packaged assets (icons, images):
 * `/ext-asset/<libraryId>/<extensionId>/assets/…` (see src-main/core/sidecars/ext-asset-request.ts).
 */
export function extensionAssetUrl(libraryId: string, extensionId: string, assetPath: string): string {
  const path = assetPath.split('/').map(encodeURIComponent).join('/');
  return `/ext-asset/${encodeURIComponent(libraryId)}/${encodeURIComponent(extensionId)}/${path}`;
}
