import { FILE_KINDS } from '../../../src-shared/contract/entries.js';
import { CairnError } from '../../../src-shared/errors.js';
import { FilterSyntaxError, mentionsModels, parseFilter, type FilterNode } from '../../../src-shared/filters/filter-language.js';

/** A compiled filter: a WHERE fragment over alias `e` (entries) or `mo` (models), and its bound values. */
export interface CompiledFilter {
  target: 'entries' | 'models';
  sql: string;
  params: unknown[];
}

const DAY_MS = 86_400_000;

function likePrefix(value: string): string {
  return value.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

function parseDate(value: string, field: string): number {
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    throw new CairnError('VALIDATION', `${field}: "${value}" is not a date (use YYYY-MM-DD)`);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CairnError('VALIDATION', `${field}: "${value}" is not a date`);
  return ms;
}

const COMPARE: Record<string, string> = { '=': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

/**
 * Compiles a filter-language string (see src-shared/filters/filter-language.ts) into a parameterised WHERE
 * fragment. Only allow-listed fields map to fixed SQL; every value is a bound parameter. Filters that
 * mention `model` target the models table, others target entries; mixing both is refused.
 *
 * Fails with `VALIDATION` and a plain-words message for syntax errors, unknown kinds, bad dates, or an
 * operator a field does not support.
 *
 * @example
 * compileFilter('tag:"#person:*" kind:image')
 * // { target: 'entries', sql: '((e.uuid IN (…)) AND (e.file_kind = ?))', params: ['#person:%', …, 'image'] }
 */
export function compileFilter(text: string): CompiledFilter {
  let tree: FilterNode;
  try {
    tree = parseFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw new CairnError('VALIDATION', `Filter: ${error.message}`);
    throw error;
  }
  const target = mentionsModels(tree) ? 'models' : 'entries';
  const params: unknown[] = [];
  const sql = compileNode(tree, target, params);
  return { target, sql, params };
}

function compileNode(node: FilterNode, target: 'entries' | 'models', params: unknown[]): string {
  switch (node.type) {
    case 'and':
    case 'or':
      return `(${node.children.map((c) => compileNode(c, target, params)).join(node.type === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${compileNode(node.child, target, params)})`;
    case 'predicate':
      return target === 'entries' ? entryPredicate(node, params) : modelPredicate(node, params);
  }
}

type Predicate = Extract<FilterNode, { type: 'predicate' }>;

function isOrNot(p: Predicate, positive: string): string {
  if (p.op === ':' || p.op === '=') return positive;
  if (p.op === '!=') return `(NOT ${positive})`;
  throw new CairnError('VALIDATION', `Filter: ${p.field} does not support "${p.op}"; use ":" or "!="`);
}

/** Tag names match a tag by its own name; values with "/" match its full path (`Notes/Indexed`). */
function tagMatch(p: Predicate, params: unknown[]): string {
  const prefix = p.value.endsWith('*');
  params.push(prefix ? likePrefix(p.value) : p.value);
  const test = prefix ? "LIKE ? ESCAPE '\\'" : '= ?';
  if (!p.value.includes('/')) return `t.name ${test}`;
  return `t.id IN (WITH RECURSIVE tp(id, path) AS (SELECT id, name FROM tags WHERE parent_id IS NULL UNION ALL SELECT c.id, tp.path || '/' || c.name FROM tags c JOIN tp ON c.parent_id = tp.id) SELECT id FROM tp WHERE path ${test})`;
}

function entryPredicate(p: Predicate, params: unknown[]): string {
  switch (p.field) {
    case 'tag': {
      const first = tagMatch(p, params);
      const second = tagMatch(p, params);
      return isOrNot(
        p,
        `(e.uuid IN (SELECT m.entry_uuid FROM tag_applications ta JOIN user_metadata m ON m.id = ta.metadata_id JOIN tags t ON t.id = ta.tag_id WHERE m.entry_uuid IS NOT NULL AND ${first})` +
          ` OR e.content_uuid IN (SELECT m.content_uuid FROM tag_applications ta JOIN user_metadata m ON m.id = ta.metadata_id JOIN tags t ON t.id = ta.tag_id WHERE m.content_uuid IS NOT NULL AND ${second}))`,
      );
    }
    case 'kind': {
      const kind = p.value.toLowerCase();
      if (!(FILE_KINDS as readonly string[]).includes(kind)) {
        throw new CairnError('VALIDATION', `Filter: "${p.value}" is not a kind; kinds are ${FILE_KINDS.join(', ')}`);
      }
      params.push(kind);
      return isOrNot(p, 'e.file_kind = ?');
    }
    case 'ext':
      params.push(p.value.toLowerCase().replace(/^\./, ''));
      return isOrNot(p, 'e.extension = ?');
    case 'name':
      if (p.value.endsWith('*')) {
        params.push(likePrefix(p.value));
        return isOrNot(p, "e.name LIKE ? ESCAPE '\\'");
      }
      params.push(p.value);
      return isOrNot(p, 'e.name = ? COLLATE NOCASE');
    case 'location':
      params.push(p.value);
      return isOrNot(p, 'e.location_id = ?');
    case 'modified':
      return dateCompare(p, 'e.modified_at', params, (ms) => ms);
    case 'captured':
      return `EXISTS (SELECT 1 FROM media_data md WHERE md.content_uuid = e.content_uuid AND ${dateCompare(p, 'substr(md.captured_at, 1, 10)', params, (ms) => new Date(ms).toISOString().slice(0, 10))})`;
    default:
      throw new CairnError('VALIDATION', `Filter: ${p.field} applies to models; a filter cannot mix entry and model conditions`);
  }
}

function dateCompare(p: Predicate, column: string, params: unknown[], encode: (ms: number) => number | string): string {
  const ms = parseDate(p.value, p.field);
  if (p.op === ':') {
    params.push(encode(ms), encode(ms + DAY_MS));
    return `(${column} >= ? AND ${column} < ?)`;
  }
  params.push(encode(ms));
  return `${column} ${COMPARE[p.op]} ?`;
}

function modelPredicate(p: Predicate, params: unknown[]): string {
  if (p.field === 'model') {
    params.push(p.value);
    return isOrNot(p, 'mo.model_type = ?');
  }
  if (p.field.startsWith('model.')) {
    // The field name passed the grammar's identifier check; it is still bound, never spliced.
    params.push(`$.${p.field.slice('model.'.length)}`);
    const value = /^-?\d+(\.\d+)?$/.test(p.value) ? Number(p.value) : p.value;
    if (p.op === ':' && typeof value === 'string' && value.endsWith('*')) {
      params.push(likePrefix(value));
      return "json_extract(mo.data, ?) LIKE ? ESCAPE '\\'";
    }
    params.push(value);
    return `json_extract(mo.data, ?) ${p.op === ':' ? '=' : COMPARE[p.op]} ?`;
  }
  if (p.field === 'tag') {
    const match = tagMatch(p, params);
    return isOrNot(p, `mo.uuid IN (SELECT mt.model_uuid FROM model_tags mt JOIN tags t ON t.id = mt.tag_id WHERE ${match})`);
  }
  if (p.field === 'modified') return dateCompare(p, 'mo.updated_at', params, (ms) => new Date(ms).toISOString());
  throw new CairnError('VALIDATION', `Filter: ${p.field} applies to files; a filter cannot mix entry and model conditions`);
}
