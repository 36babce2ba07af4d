import { useState } from 'react';

/** An extension's icon from its asset URL, or a coloured tile with its initial when it has none or it fails. */
export function ExtensionIcon({ name, url, size = 40 }: { name: string; url: string | null | undefined; size?: number }) {
  // Remembers which URL failed, so a new URL (an icon fetched since) is tried again.
  const [failed, setFailed] = useState<string | null>(null);
  if (url && failed !== url) {
    return <img className="ext-icon" src={url} alt="" width={size} height={size} style={{ width: size, height: size }} onError={() => setFailed(url)} />;
  }
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  return (
    <span
      className="ext-icon ext-icon-fallback"
      aria-hidden
      style={{ width: size, height: size, fontSize: Math.round(size * 0.45), background: `hsl(${hue} 55% 92%)`, color: `hsl(${hue} 45% 35%)` }}
    >
      {name.trim().charAt(0).toUpperCase() || '?'}
    </span>
  );
}
