import { memo, useMemo, useRef } from 'react';
import { Grid, getScrollbarSize, type CellComponentProps } from 'react-window';
import { plural } from './format';
import { useElementSize } from './use-element-size';

/** One person: a face thumbnail, a name (or none yet) and how many photos show them. */
export interface PersonCard {
  id: string;
  name: string | null;
  count: number;
  /** URL of a face crop or photo thumbnail, if any. */
  imageUrl: string | null;
  /** The face inside that image, as fractions of its width and height (0–1), to zoom the card onto it. */
  crop?: { x: number; y: number; width: number; height: number } | null;
}

/**
 * CSS that shows only the `crop` part of an image (fractions of its width and height), with a little margin,
 * scaled to fill the element it styles.
 *
 * @example
 * <span className="person-crop" style={cropStyle(url, { x: 0.3, y: 0.2, width: 0.4, height: 0.4 })} />
 */
export function cropStyle(url: string, crop: NonNullable<PersonCard['crop']>) {
  // A little margin around the face, kept inside the image.
  const pad = 0.35;
  const w = Math.min(1, crop.width * (1 + pad * 2));
  const h = Math.min(1, crop.height * (1 + pad * 2));
  const x = Math.max(0, Math.min(1 - w, crop.x - crop.width * pad));
  const y = Math.max(0, Math.min(1 - h, crop.y - crop.height * pad));
  return {
    backgroundImage: `url("${url}")`,
    backgroundSize: `${100 / w}% ${100 / h}%`,
    backgroundPosition: `${w < 1 ? (x / (1 - w)) * 100 : 50}% ${h < 1 ? (y / (1 - h)) * 100 : 50}%`,
  };
}

const CELL = 148;
const LABEL = 46;

interface CellData {
  people: PersonCard[];
  columns: number;
  selectedId: string | null;
  onOpen(person: PersonCard): void;
}

function PersonCell({ columnIndex, rowIndex, style, ariaAttributes, people, columns, selectedId, onOpen }: CellComponentProps<CellData>) {
  const p = people[rowIndex * columns + columnIndex];
  if (!p) return <div style={style} aria-hidden />;
  const name = p.name ?? 'Unnamed';
  return (
    <div {...ariaAttributes} style={style} className="person-cell">
      <button type="button" className={`person-card${selectedId === p.id ? ' selected' : ''}`} onClick={() => onOpen(p)} aria-label={`${name}, ${plural(p.count, 'photo')}`}>
        <span className="person-face">
          {p.imageUrl && p.crop ? (
            <span className="person-crop" style={cropStyle(p.imageUrl, p.crop)} />
          ) : p.imageUrl ? (
            <img src={p.imageUrl} alt="" loading="lazy" draggable={false} />
          ) : (
            <span className="person-initial">{p.name ? p.name.charAt(0).toUpperCase() : '?'}</span>
          )}
        </span>
        <span className={`person-name${p.name ? '' : ' unnamed'}`}>{name}</span>
        <span className="person-count">{plural(p.count, 'photo')}</span>
      </button>
    </div>
  );
}

/** A virtualized grid of people, one round face card per person. */
export const PersonGrid = memo(function PersonGrid({ people, label, selectedId = null, onOpen }: { people: PersonCard[]; label: string; selectedId?: string | null; onOpen(person: PersonCard): void }) {
  const boxRef = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(boxRef);
  const usable = Math.max(0, width - getScrollbarSize() - 16);
  const columns = Math.max(1, Math.floor(usable / CELL));
  const columnWidth = Math.floor(usable / columns);
  const cellProps = useMemo<CellData>(() => ({ people, columns, selectedId, onOpen }), [people, columns, selectedId, onOpen]);
  return (
    <div className="view-box" ref={boxRef}>
      {width > 0 && (
        <Grid
          className="person-grid"
          style={{ width, height, paddingLeft: 8 }}
          cellComponent={PersonCell}
          cellProps={cellProps}
          columnCount={columns}
          columnWidth={columnWidth}
          rowCount={Math.ceil(people.length / columns)}
          rowHeight={Math.min(columnWidth, CELL) - 20 + LABEL + 12}
          aria-label={label}
        />
      )}
    </div>
  );
});
