import { Icon } from '../../components/Icon';
import { useState, type FormEvent } from 'react';
import { useAppStore } from '../../stores/app-store';

/** The libraries section: pick the current library, or create a new one. */
export function LibraryList() {
  const libraries = useAppStore((s) => s.libraries);
  const currentId = useAppStore((s) => s.currentLibraryId);
  const select = useAppStore((s) => s.selectLibrary);
  const create = useAppStore((s) => s.createLibrary);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    await create(name.trim());
    setName('');
    setCreating(false);
  };

  return (
    <section className="sidebar-section" aria-labelledby="libraries-heading">
      <header className="sidebar-heading">
        <h2 id="libraries-heading">Libraries</h2>
        <button type="button" className="icon-button" onClick={() => setCreating((v) => !v)} aria-label="New library" title="New library">
          +
        </button>
      </header>
      {creating && (
        <form className="inline-form" onSubmit={submit}>
          <input autoFocus aria-label="Library name" placeholder="Library name" value={name} onChange={(e) => setName(e.target.value)} maxLength={120} />
          <button type="submit">Create</button>
        </form>
      )}
      <ul className="sidebar-list" aria-label="Libraries">
        {libraries.map((lib) => (
          <li key={lib.id}>
            <button
              type="button"
              className={`sidebar-item${lib.id === currentId ? ' active' : ''}${lib.problem ? ' problem' : ''}`}
              aria-current={lib.id === currentId ? 'true' : undefined}
              disabled={lib.problem !== null}
              title={lib.problem ?? lib.path}
              onClick={() => void select(lib.id)}
            >
              <span className="item-icon"><Icon name={lib.problem ? 'warning' : 'library'} /></span>
              <span className="item-label">{lib.name}</span>
            </button>
            {lib.problem && <p className="item-problem">{lib.problem}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}
