/** Small inline SVG icons, so the UI needs no icon font or emoji font. */
const FILLED = {
  folder: 'M2 4.5A1.5 1.5 0 0 1 3.5 3h3l1.5 1.5h4.5A1.5 1.5 0 0 1 14 6v5.5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 11.5z',
  library: 'M3 2.5h2v11H3zM6.5 2.5h2v11h-2zM10 3l2-.5 2 10.5-2 .5z',
  warning: 'M8 1.5 15 14H1zM7.3 6v4h1.4V6zm0 5v1.4h1.4V11z',
  'star-filled': 'M8 1.6l1.95 3.95 4.35.63-3.15 3.07.74 4.33L8 11.53l-3.89 2.05.74-4.33L1.7 6.18l4.35-.63z',
} as const;

/** Outline icons, drawn with the current text colour. */
const STROKED = {
  file: 'M4 1.75h5.25L12.5 5v9.25h-8.5z M9.25 1.75V5h3.25',
  image: 'M2 3h12v10H2z M2.5 11.5l3.5-3.5 3 3 2-2 3 3 M10.5 5.25h.5v.5h-.5z',
  video: 'M1.75 4h9v8h-9z M10.75 7l3.5-2v6l-3.5-2',
  audio: 'M6 12.25V3.25l7-1.5v9 M6 12.25a1.75 1.75 0 1 1-3.5 0 1.75 1.75 0 0 1 3.5 0z M13 10.75a1.75 1.75 0 1 1-3.5 0 1.75 1.75 0 0 1 3.5 0z',
  document: 'M4 1.75h5.25L12.5 5v9.25h-8.5z M9.25 1.75V5h3.25 M6 8h4.5 M6 10.5h4.5',
  text: 'M3 3h10 M3 6h10 M3 9h10 M3 12h6',
  archive: 'M2.5 2.5h11v3h-11z M3.5 5.5v8h9v-8 M6.5 8h3',
  code: 'M5.5 4.5 2 8l3.5 3.5 M10.5 4.5 14 8l-3.5 3.5',
  executable: 'M2 3h12v10H2z M4.5 6.5 6.5 8l-2 1.5 M8 10h3',
  font: 'M3 13 7 3h2l4 10 M5 9.5h6',
  star: 'M8 1.6l1.95 3.95 4.35.63-3.15 3.07.74 4.33L8 11.53l-3.89 2.05.74-4.33L1.7 6.18l4.35-.63z',
  grid: 'M2.5 2.5h4.5v4.5H2.5z M9 2.5h4.5v4.5H9z M2.5 9h4.5v4.5H2.5z M9 9h4.5v4.5H9z',
  list: 'M5 4h8.5 M5 8h8.5 M5 12h8.5 M2.5 4h.5 M2.5 8h.5 M2.5 12h.5',
  search: 'M7 11.75a4.75 4.75 0 1 0 0-9.5 4.75 4.75 0 0 0 0 9.5z M10.5 10.5 14 14',
  tag: 'M2.25 2.25h5.5l6 6-5.5 5.5-6-6z M5.25 5.25h.5v.5h-.5z',
  copies: 'M5.5 5.5h8v8h-8z M3 10.5V2.75h7.75',
  chevron: 'M6 3.5 10.5 8 6 12.5',
  up: 'M8 13V3 M4 7l4-4 4 4',
  close: 'M4 4l8 8M12 4l-8 8',
  panel: 'M2 3h12v10H2z M10 3v10',
  check: 'M3 8.5 6.5 12 13 4.5',
  pin: 'M8 14.5s4.5-4.6 4.5-8a4.5 4.5 0 0 0-9 0c0 3.4 4.5 8 4.5 8z M8 8a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z',
  camera: 'M1.75 4.5h3l1.25-2h4l1.25 2h3v9h-12.5z M8 11.25a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z',
  location: 'M1.75 3h4l1.5 1.5h7v8.5H1.75z',
  activity: 'M1.5 8h3l2-5 3 10 2-5h3',
  person: 'M8 7.75a2.75 2.75 0 1 0 0-5.5 2.75 2.75 0 0 0 0 5.5z M2.75 14c.5-2.9 2.6-4.5 5.25-4.5s4.75 1.6 5.25 4.5',
  map: 'M1.75 3.5 5.5 2l5 1.5 3.75-1.5v10.5l-3.75 1.5-5-1.5-3.75 1.5z M5.5 2v10.5 M10.5 3.5V14',
  trash: 'M2.5 4h11 M6 4V2.5h4V4 M3.75 4l.75 9.5h7l.75-9.5 M6.5 6.5v4.5 M9.5 6.5v4.5',
  pause: 'M5.5 3.5v9 M10.5 3.5v9',
  play: 'M5 3l8 5-8 5z',
  undo: 'M5.5 3 2.5 6l3 3 M2.5 6h7a3.75 3.75 0 0 1 0 7.5H6',
} as const;

export type IconName = keyof typeof FILLED | keyof typeof STROKED;

export function Icon({ name, size = 14, className }: { name: IconName; size?: number; className?: string }) {
  const filled = name in FILLED;
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      className={className}
      fill={filled ? 'currentColor' : 'none'}
      stroke={filled ? undefined : 'currentColor'}
      strokeWidth={filled ? undefined : 1.3}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden
      focusable="false"
    >
      <path d={filled ? FILLED[name as keyof typeof FILLED] : STROKED[name as keyof typeof STROKED]} />
    </svg>
  );
}
