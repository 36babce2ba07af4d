/**
 * The filter language of `ui_manifest.json` sidebar sections and views: a small, documented query syntax
 * over an allow-list of fields, parsed here and compiled by the core into parameterised SQL. It is never
 * SQL: user text only ever becomes a bound parameter, so injection attempts either parse as plain values
 * or fail to parse.
 *
 * Grammar (case-insensitive keywords):
 *   query     := or
 *   or        := and ('OR' and)*
 *   and       := unary (['AND'] unary)*          -- juxtaposition means AND
 *   unary     := 'NOT' unary | '(' or ')' | predicate
 *   predicate := field op value
 *   field     := tag | kind | ext | name | location | modified | captured | model | model.<field>
 *   op        := ':' | '=' | '!=' | '>' | '>=' | '<' | '<='
 *   value     := word | "quoted string" (\" and \\ escapes)
 *
 * `:` means "is" for most fields, and prefix match when the value ends in `*` (`tag:#person:*`).
 * Dates are `YYYY-MM-DD` or ISO timestamps. Examples:
 *   tag:"#person:*"            kind:image captured>=2024-01-01
 *   model:Person                model:Place AND model.country:"France"
 *   (tag:vacation OR tag:trip) NOT kind:video
 *
 * This parser is hand-written: the grammar is a dozen lines, and a parser generator would add a build
 * step and a dependency for less clarity in the error messages.
 */

export const FILTER_FIELDS = ['tag', 'kind', 'ext', 'name', 'location', 'modified', 'captured', 'model'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number] | `model.${string}`;
export const FILTER_OPS = [':', '=', '!=', '>', '>=', '<', '<='] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export type FilterNode =
  | { type: 'and' | 'or'; children: FilterNode[] }
  | { type: 'not'; child: FilterNode }
  | { type: 'predicate'; field: FilterField; op: FilterOp; value: string };

/** A parse failure, with the character offset where it happened. */
export class FilterSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at character ${offset + 1})`);
    this.name = 'FilterSyntaxError';
    this.offset = offset;
  }
}

/** Limits that keep a hostile filter from costing much. */
export const MAX_FILTER_LENGTH = 2000;
export const MAX_FILTER_DEPTH = 20;
export const MAX_FILTER_PREDICATES = 50;

type Token = { kind: 'word' | 'string' | 'op' | 'lparen' | 'rparen'; text: string; offset: number };

const MODEL_FIELD = /^model\.[a-z_][a-z0-9_]{0,63}$/;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, offset: i });
      i++;
    } else if (c === '"') {
      const start = i++;
      let text = '';
      for (;;) {
        if (i >= input.length) throw new FilterSyntaxError('Unterminated quoted string', start);
        const d = input[i]!;
        if (d === '\\') {
          const next = input[i + 1];
          if (next !== '"' && next !== '\\') throw new FilterSyntaxError('Only \\" and \\\\ may be escaped in a quoted string', i);
          text += next;
          i += 2;
        } else if (d === '"') {
          i++;
          break;
        } else {
          text += d;
          i++;
        }
      }
      tokens.push({ kind: 'string', text, offset: start });
    } else if ('!<>=:'.includes(c)) {
      const two = input.slice(i, i + 2);
      const op = ['!=', '>=', '<='].includes(two) ? two : c;
      if (op === '!') throw new FilterSyntaxError('Expected "!="', i);
      tokens.push({ kind: 'op', text: op, offset: i });
      i += op.length;
    } else {
      const start = i;
      // Words stop at spaces, parentheses, quotes and operators, except that ':' inside a value word
      // (e.g. #person:Ada) is kept when a field and operator have already been read; see parsePredicate.
      while (i < input.length && !/[\s()"!<>=:]/.test(input[i]!)) i++;
      tokens.push({ kind: 'word', text: input.slice(start, i), offset: start });
    }
  }
  return tokens;
}

/**
 * Parses a filter into a tree. Throws {@link FilterSyntaxError} with a plain-words message for anything
 * outside the grammar, an unknown field, or a filter over the size limits.
 *
 * @example
 * parseFilter('tag:"#person:*" kind:image')
 * // { type: 'and', children: [{ type: 'predicate', field: 'tag', op: ':', value: '#person:*' }, …] }
 */
export function parseFilter(input: string): FilterNode {
  if (input.length > MAX_FILTER_LENGTH) throw new FilterSyntaxError(`Filter is longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH);
  const tokens = tokenize(input);
  let pos = 0;
  let predicates = 0;
  const peek = () => tokens[pos];
  const isKeyword = (t: Token | undefined, kw: string) => t?.kind === 'word' && t.text.toUpperCase() === kw;

  const parseOr = (depth: number): FilterNode => {
    if (depth > MAX_FILTER_DEPTH) throw new FilterSyntaxError('Filter is nested too deeply', peek()?.offset ?? input.length);
    const children = [parseAnd(depth)];
    while (isKeyword(peek(), 'OR')) {
      pos++;
      children.push(parseAnd(depth));
    }
    return children.length === 1 ? children[0]! : { type: 'or', children };
  };
  const parseAnd = (depth: number): FilterNode => {
    const children = [parseUnary(depth)];
    for (;;) {
      const t = peek();
      if (!t || t.kind === 'rparen' || isKeyword(t, 'OR')) break;
      if (isKeyword(t, 'AND')) pos++;
      children.push(parseUnary(depth));
    }
    return children.length === 1 ? children[0]! : { type: 'and', children };
  };
  const parseUnary = (depth: number): FilterNode => {
    const t = peek();
    if (!t) throw new FilterSyntaxError('Expected a condition such as kind:image', input.length);
    if (isKeyword(t, 'NOT')) {
      pos++;
      return { type: 'not', child: parseUnary(depth + 1) };
    }
    if (t.kind === 'lparen') {
      pos++;
      const inner = parseOr(depth + 1);
      if (peek()?.kind !== 'rparen') throw new FilterSyntaxError('Missing ")"', peek()?.offset ?? input.length);
      pos++;
      return inner;
    }
    return parsePredicate();
  };
  const parsePredicate = (): FilterNode => {
    const fieldTok = peek();
    if (!fieldTok || fieldTok.kind !== 'word') throw new FilterSyntaxError('Expected a field name such as tag, kind or model', fieldTok?.offset ?? input.length);
    const field = fieldTok.text.toLowerCase();
    if (!(FILTER_FIELDS as readonly string[]).includes(field) && !MODEL_FIELD.test(field)) {
      throw new FilterSyntaxError(`Unknown field "${fieldTok.text}"; fields are ${FILTER_FIELDS.join(', ')} and model.<field>`, fieldTok.offset);
    }
    pos++;
    const opTok = peek();
    if (!opTok || opTok.kind !== 'op') throw new FilterSyntaxError(`Expected an operator (: = != > >= < <=) after "${fieldTok.text}"`, opTok?.offset ?? input.length);
    pos++;
    // The value: one quoted string, or a run of adjacent words and ':' operators (so #person:Ada is one value).
    let value = '';
    const first = peek();
    if (!first || (first.kind !== 'word' && first.kind !== 'string')) {
      throw new FilterSyntaxError(`Expected a value after "${fieldTok.text}${opTok.text}"`, first?.offset ?? input.length);
    }
    if (first.kind === 'string') {
      value = first.text;
      pos++;
    } else {
      let end = first.offset;
      while (pos < tokens.length) {
        const t = tokens[pos]!;
        if (t.offset !== end || !(t.kind === 'word' || (t.kind === 'op' && t.text === ':'))) break;
        value += t.text;
        end = t.offset + t.text.length;
        pos++;
      }
    }
    if (++predicates > MAX_FILTER_PREDICATES) throw new FilterSyntaxError(`A filter may hold at most ${MAX_FILTER_PREDICATES} conditions`, fieldTok.offset);
    return { type: 'predicate', field: field as FilterField, op: opTok.text as FilterOp, value };
  };

  if (tokens.length === 0) throw new FilterSyntaxError('The filter is empty', 0);
  const tree = parseOr(0);
  if (pos < tokens.length) {
    const t = tokens[pos]!;
    throw new FilterSyntaxError(t.kind === 'rparen' ? 'Unexpected ")"' : `Unexpected "${t.text}"`, t.offset);
  }
  return tree;
}

/** True when any predicate of the tree is about models (`model` or `model.<field>`). */
export function mentionsModels(node: FilterNode): boolean {
  if (node.type === 'predicate') return node.field === 'model' || node.field.startsWith('model.');
  if (node.type === 'not') return mentionsModels(node.child);
  return node.children.some(mentionsModels);
}
