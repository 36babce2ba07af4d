import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, mentionsModels, parseFilter } from './filter-language.js';

describe('parseFilter', () => {
  it('parses predicates, implicit AND, OR, NOT and parentheses', () => {
    expect(parseFilter('kind:image')).toEqual({ type: 'predicate', field: 'kind', op: ':', value: 'image' });
    expect(parseFilter('tag:"#person:*" kind:image captured>=2024-01-01')).toEqual({
      type: 'and',
      children: [
        { type: 'predicate', field: 'tag', op: ':', value: '#person:*' },
        { type: 'predicate', field: 'kind', op: ':', value: 'image' },
        { type: 'predicate', field: 'captured', op: '>=', value: '2024-01-01' },
      ],
    });
    expect(parseFilter('(tag:vacation OR tag:trip) AND NOT kind:video')).toEqual({
      type: 'and',
      children: [
        { type: 'or', children: [{ type: 'predicate', field: 'tag', op: ':', value: 'vacation' }, { type: 'predicate', field: 'tag', op: ':', value: 'trip' }] },
        { type: 'not', child: { type: 'predicate', field: 'kind', op: ':', value: 'video' } },
      ],
    });
    expect(parseFilter('tag:#person:Ada')).toEqual({ type: 'predicate', field: 'tag', op: ':', value: '#person:Ada' });
    expect(parseFilter('model.name="Ada \\"The\\" Lovelace"')).toEqual({ type: 'predicate', field: 'model.name', op: '=', value: 'Ada "The" Lovelace' });
    expect(mentionsModels(parseFilter('model:Person'))).toBe(true);
    expect(mentionsModels(parseFilter('NOT (kind:image OR tag:x)'))).toBe(false);
  });

  it.each([
    ['', /empty/],
    ['kind', /Expected an operator/],
    ['kind:', /Expected a value/],
    ['colour:red', /Unknown field "colour"/],
    ['kind:image)', /Unexpected "\)"/],
    ['(kind:image', /Missing "\)"/],
    ['tag:"unterminated', /Unterminated/],
    ['name:"bad \\n escape"', /may be escaped/],
    ['kind ! image', /Expected "!="/],
    ['model.Bad-Field:1', /Unknown field/],
    ["tags LIKE '#person:%'", /Unknown field "tags"/],
    ["kind:image'; DROP TABLE entries; --", /Unknown field|Expected/],
    ['kind:image OR 1=1', /Unknown field "1"/],
  ])('refuses %j with a clear message', (input, message) => {
    expect(() => parseFilter(input)).toThrow(FilterSyntaxError);
    expect(() => parseFilter(input)).toThrow(message);
  });

  it('limits length, depth and the number of conditions', () => {
    expect(() => parseFilter('('.repeat(30) + 'kind:image' + ')'.repeat(30))).toThrow(/nested too deeply/);
    expect(() => parseFilter(Array.from({ length: 60 }, () => 'kind:image').join(' '))).toThrow(/at most 50/);
    expect(() => parseFilter('kind:' + 'x'.repeat(3000))).toThrow(/longer than/);
  });

  it('fuzz: arbitrary input either parses or throws FilterSyntaxError, never anything else', () => {
    const alphabet = fc.constantFrom(...'tagkindmodel.:=!<>()"\\ *#ORANDNOT\'-;%_0123456789'.split(''), ' OR ', ' AND ', 'NOT ', 'tag:', 'kind:', 'model.', '"');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(alphabet, { maxLength: 60 }).map((a) => a.join(''))), (input) => {
        try {
          const tree = parseFilter(input);
          expect(tree).toBeTypeOf('object');
        } catch (error) {
          expect(error).toBeInstanceOf(FilterSyntaxError);
        }
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
});
