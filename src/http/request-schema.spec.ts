import { Type } from '@sinclair/typebox';
import { COMMAND_BODIES } from '../articles/commands/command.schemas';
import { bodySchema, fieldPath } from './request-schema';

describe('request schemas', () => {
  it('names fields as API.md problem documents do', () => {
    expect(fieldPath('/body/2/text')).toBe('body[2].text');
    expect(fieldPath('/quotes/0', 'source')).toBe('quotes[0].source');
    expect(fieldPath('', '')).toBe('[""]');
    expect(fieldPath('/a~1b/c~0d')).toBe('a/b.c~d');
    expect(fieldPath('', 'with.dot')).toBe('["with.dot"]');
  });

  it('lists every failing field once, with a message a person can read', () => {
    const schema = bodySchema(Type.Object({ a: Type.String(), b: Type.Integer() }, { additionalProperties: false }));
    expect(() => schema.check({ b: 'x', c: 1 })).toThrow(
      expect.objectContaining({
        errors: [
          { field: 'a', message: 'is required' },
          { field: 'c', message: 'is not a field of this request' },
          { field: 'b', message: 'must be integer' },
        ],
      }),
    );
  });

  it('names the allowed block types once, not once per branch', () => {
    expect(() => COMMAND_BODIES.body.check({ body: [{ type: 'video', text: 'x' }] })).toThrow(
      expect.objectContaining({ errors: [{ field: 'body[0].type', message: 'must be one of "paragraph", "heading", "list"' }] }),
    );
  });

  it('returns a valid body as it is', () => {
    const body = { body: [{ type: 'list', items: ['a', 'b'] }], reason: 'r' };
    expect(COMMAND_BODIES.body.check(body)).toBe(body);
  });
});
