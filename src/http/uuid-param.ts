import { applyDecorators, Param, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { InvalidInputError } from '../common/app-error';

/** A UUID in its canonical text form (RFC 9562 §4), any version. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path parameter that must be a UUID: 400 naming it otherwise, the same on every route. */
class ParseUuid implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}

  transform(value: string): string {
    if (!UUID.test(value)) throw new InvalidInputError(`${this.name} must be a UUID`, [{ field: this.name, message: 'must be a UUID' }]);
    return value.toLowerCase();
  }
}

/** The `:name` path parameter as a UUID (lower case), declared so in the OpenAPI document. */
export const UuidParam = (name: string): ParameterDecorator => {
  const param = Param(name, new ParseUuid(name));
  const doc = applyDecorators(ApiParam({ name, schema: { type: 'string', format: 'uuid' } }));
  return (target, key, index) => {
    param(target, key, index);
    doc(target, key!, Object.getOwnPropertyDescriptor(target, key!)!);
  };
};
