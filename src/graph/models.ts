import type { ConversationParticipantRow, FollowRow } from '../store/index.js';
import type { Edge } from './connection.js';

/** A follow edge: the other person, when the follow began, and the follow itself. */
export type FollowEdgeModel = Edge<{ userId: string; since: number; follow: FollowRow }>;

/** A conversation edge holds the viewer's membership; its node is loaded by conversation id. */
export type ConversationEdgeModel = Edge<ConversationParticipantRow>;
