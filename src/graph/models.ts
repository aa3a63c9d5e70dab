import type { ConversationParticipantRow } from '../store/index.js';
import type { Edge } from './connection.js';

/** A follow edge: the other person and when the follow began. */
export type FollowEdgeModel = Edge<{ userId: string; since: number }>;

/** A conversation edge holds the viewer's membership; its node is loaded by conversation id. */
export type ConversationEdgeModel = Edge<ConversationParticipantRow>;
