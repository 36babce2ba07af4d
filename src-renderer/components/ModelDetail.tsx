import { Icon } from './Icon';

/** A value of an extension's model, drawn readably: text, numbers, lists, nested fields. */
function Value({ value, depth }: { value: unknown; depth: number }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  if (typeof value === 'boolean') return <span>{value ? 'Yes' : 'No'}</span>;
  if (typeof value === 'number') return <span className="num">{value.toLocaleString()}</span>;
  if (typeof value === 'string') return <span className="model-text">{value}</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    if (value.every((v) => typeof v === 'number') && value.length > 8) return <span className="muted">{value.length} numbers</span>;
    return (
      <ul className="model-list">
        {value.slice(0, 50).map((v, i) => (
          <li key={i}>
            <Value value={v} depth={depth + 1} />
          </li>
        ))}
        {value.length > 50 && <li className="muted">and {value.length - 50} more</li>}
      </ul>
    );
  }
  if (typeof value === 'object') {
    if (depth > 3) return <span className="muted">…</span>;
    return <Fields data={value as Record<string, unknown>} depth={depth + 1} />;
  }
  return <span>{String(value)}</span>;
}

function humanKey(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function Fields({ data, depth, only }: { data: Record<string, unknown>; depth: number; only?: DetailField[] }) {
  const shown = only ? only.filter((f) => Object.prototype.hasOwnProperty.call(data, f.key)) : Object.keys(data).map((key) => ({ key, label: null }));
  if (shown.length === 0) return <span className="muted">No fields</span>;
  return (
    <dl className="model-fields">
      {shown.map(({ key: k, label }) => (
        <div key={k} className="model-field">
          <dt>{label ?? humanKey(k)}</dt>
          <dd>
            <Value value={data[k]} depth={depth} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A field the panel shows, with the words for it (null: the key in words). */
export interface DetailField {
  key: string;
  label: string | null;
}

/**
 * The `detail` panel: one model of an extension, its fields in words. With `fields` (the view's declaration in
 * ui_manifest.json) only those fields show, in that order and under those labels; fields missing from the model
 * are skipped. Without it every field shows.
 *
 * @example
 * <ModelDetail title="Grace" data={person.data} fields={[{ key: 'faceCount', label: 'Photos' }]} />
 */
export function ModelDetail({ title, subtitle, data, fields, onClose }: { title: string; subtitle?: string; data: Record<string, unknown>; fields?: DetailField[]; onClose?(): void }) {
  return (
    <aside className="model-detail" aria-label={`Details of ${title}`}>
      <header className="model-detail-header">
        <div>
          <h2>{title}</h2>
          {subtitle && <p className="muted">{subtitle}</p>}
        </div>
        {onClose && (
          <button type="button" className="ghost-button" aria-label="Close details" onClick={onClose}>
            <Icon name="close" size={14} />
          </button>
        )}
      </header>
      {fields ? <Fields data={data} depth={0} only={fields} /> : <Fields data={data} depth={0} />}
    </aside>
  );
}
