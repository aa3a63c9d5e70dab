/**
 * The GraphQL documents the backup client sends. Each record type has one fragment, used both by
 * the initial sync and by the change stream, so a record looks the same whichever way it arrived.
 * People other than the user are kept as `{ id username }` references.
 */
const PERSON = 'fragment Person on User { id username }';
const PROFILE_RECORD = ['fragment ProfileRecord on Profile { __typename id username displayName bio avatarUrl email birthDate country createdAt updatedAt }'];
const POST_RECORD = [
  'fragment PostRecord on Post { __typename id caption media { url type durationSeconds } visibility counts { likes comments shares views } createdAt updatedAt }',
];
const FOLLOW_RECORD = ['fragment FollowRecord on Follow { __typename id follower { ...Person } followee { ...Person } since }', PERSON];
const ACTIVITY_RECORD = ['fragment ActivityRecord on ActivityEvent { __typename id kind target { type ref text } occurredAt }'];
const CONVERSATION_RECORD = ['fragment ConversationRecord on Conversation { __typename id createdAt participants { ...Person } }', PERSON];
const MESSAGE_RECORD = ['fragment MessageRecord on Message { __typename id text sentAt sender { ...Person } conversation { id } }', PERSON];

/** An operation with the fragments it spreads, each once (the server rejects a fragment defined twice). */
const gql = (operation: string, ...fragments: string[][]) => [operation, ...new Set(fragments.flat())].join('\n');

const PAGE = 'pageInfo { hasNextPage endCursor }';
const MESSAGES = `messages(first: 100, after: $messagesAfter) { edges { node { ...MessageRecord } } ${PAGE} }`;

export const GRANT = '{ grant { categories mode } }';
export const CHANGE_CURSOR = '{ changeCursor }';

export const PROFILE = gql('{ viewer { profile { ...ProfileRecord } } }', PROFILE_RECORD);
export const POSTS = gql(`query ($after: String) { viewer { page: posts(first: 100, after: $after) { edges { node { ...PostRecord } } ${PAGE} } } }`, POST_RECORD);
// A follow edge's `node` is the other person; its `follow` is the record, with the id deletes name.
export const FOLLOWERS = gql(
  `query ($after: String) { viewer { page: followers(first: 100, after: $after) { edges { node: follow { ...FollowRecord } } ${PAGE} } } }`,
  FOLLOW_RECORD,
);
export const FOLLOWING = gql(
  `query ($after: String) { viewer { page: following(first: 100, after: $after) { edges { node: follow { ...FollowRecord } } ${PAGE} } } }`,
  FOLLOW_RECORD,
);
export const ACTIVITY = gql(
  `query ($after: String) { viewer { page: activity(first: 100, after: $after) { edges { node { ...ActivityRecord } } ${PAGE} } } }`,
  ACTIVITY_RECORD,
);
export const CONVERSATIONS = gql(
  `query ($after: String, $messagesAfter: String) { viewer { page: conversations(first: 5, after: $after) { edges { node { ...ConversationRecord ${MESSAGES} } } ${PAGE} } } }`,
  CONVERSATION_RECORD,
  MESSAGE_RECORD,
);
export const CONVERSATION_MESSAGES = gql(`query ($id: ID!, $messagesAfter: String) { node(id: $id) { ... on Conversation { ${MESSAGES} } } }`, MESSAGE_RECORD);

export const CHANGES = gql(
  `subscription ($after: String) { changes(after: $after) {
    cursor category operation id
    node { ...ProfileRecord ...PostRecord ...FollowRecord ...ActivityRecord ...ConversationRecord ...MessageRecord }
  } }`,
  PROFILE_RECORD,
  POST_RECORD,
  FOLLOW_RECORD,
  ACTIVITY_RECORD,
  CONVERSATION_RECORD,
  MESSAGE_RECORD,
);
