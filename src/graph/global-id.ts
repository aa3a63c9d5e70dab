import { badInput } from '../errors/index.js';

/** The types `Query.node` can return. */
export const NODE_TYPES = ['Profile', 'User', 'Post', 'Follow', 'ActivityEvent', 'Conversation', 'Message', 'Archive'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/** An opaque global id: the type and the platform id, base64url-encoded. */
export function toGlobalId(type: NodeType, id: string): string {
  return Buffer.from(`${type}:${id}`).toString('base64url');
}

/** Reads a global id, or throws `BAD_USER_INPUT` for one this gateway could not have issued. */
export function fromGlobalId(globalId: string): { type: NodeType; id: string } {
  const decoded = /^[A-Za-z0-9_-]+$/.test(globalId) ? Buffer.from(globalId, 'base64url').toString() : '';
  const separator = decoded.indexOf(':');
  const type = decoded.slice(0, separator) as NodeType;
  const id = decoded.slice(separator + 1);
  if (separator < 0 || !NODE_TYPES.includes(type) || id === '') {
    throw badInput(`"${globalId}" is not a valid node id. Use an \`id\` returned by this API.`, 'id');
  }
  return { type, id };
}
