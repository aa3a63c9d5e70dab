import { GraphQLScalarType } from 'graphql';
import { URLResolver } from 'graphql-scalars';

/** Serialized URLs remembered; the memo starts over when it is full. */
const MAX_REMEMBERED = 10_000;

/**
 * graphql-scalars' `URL`, its serialization remembered: it parses every value with `new URL` to
 * write it out normalized, and a page repeats the same few avatars and media URLs many times.
 * The answer is the same text; a value that does not parse still fails as it did.
 */
function rememberedSerialize(serialize: (value: unknown) => unknown): (value: unknown) => unknown {
  const serialized = new Map<string, unknown>();
  return (value) => {
    if (value === null || value === undefined) return serialize(value);
    const text = String(value);
    let result = serialized.get(text);
    if (result === undefined) {
      result = serialize(text);
      if (serialized.size >= MAX_REMEMBERED) serialized.clear();
      serialized.set(text, result);
    }
    return result;
  };
}

export const URLScalar = new GraphQLScalarType({ ...URLResolver.toConfig(), serialize: rememberedSerialize(URLResolver.serialize) });
