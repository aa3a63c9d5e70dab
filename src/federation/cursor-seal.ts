import { createHmac, timingSafeEqual } from 'node:crypto';
import { badInput } from '../errors/index.js';
import type { SourceCursor } from '../store/index.js';

/** The MAC's length in the sealed cursor: 128 bits, base64url. */
const MAC_CHARS = 22;

/**
 * Seals the cursors a subgraph gives, so that the only ones the gateway ever passes back to a
 * subgraph are ones it issued for that very list (the list's name and its parent, a user or a
 * conversation). An app that edits a cursor, or moves one to another list or another person's,
 * gets `BAD_USER_INPUT`, exactly as for a malformed cursor of the embedded store.
 */
export class CursorSeal {
  constructor(private readonly key: Buffer) {}

  seal(list: string, parentId: string, token: string): SourceCursor {
    return { token: `${this.#mac(list, parentId, token)}.${token}` };
  }

  /** The subgraph's own cursor inside `cursor`, or `BAD_USER_INPUT` when this gateway did not seal it for this list. */
  open(list: string, parentId: string, cursor: SourceCursor, argumentName: string): string {
    const mac = cursor.token.slice(0, MAC_CHARS);
    const token = cursor.token.slice(MAC_CHARS + 1);
    const expected = Buffer.from(this.#mac(list, parentId, token));
    const given = Buffer.from(mac);
    if (cursor.token[MAC_CHARS] !== '.' || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw badInput(`\`${argumentName}\` is not a valid cursor. Use a \`cursor\` returned by this connection.`, argumentName);
    }
    return token;
  }

  #mac(list: string, parentId: string, token: string): string {
    return createHmac('sha256', this.key).update(`${list}\n${parentId}\n${token}`).digest('base64url').slice(0, MAC_CHARS);
  }
}
