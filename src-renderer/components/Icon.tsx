/** Small inline SVG icons, so the UI needs no icon font or emoji font. */
const PATHS = {
  folder: 'M2 4.5A1.5 1.5 0 0 1 3.5 3h3l1.5 1.5h4.5A1.5 1.5 0 0 1 14 6v5.5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 11.5z',
  library: 'M3 2.5h2v11H3zM6.5 2.5h2v11h-2zM10 3l2-.5 2 10.5-2 .5z',
  warning: 'M8 1.5 15 14H1zM7.3 6v4h1.4V6zm0 5v1.4h1.4V11z',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 14 }: { name: IconName; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="currentColor" aria-hidden focusable="false">
      <path d={PATHS[name]} />
    </svg>
  );
}
