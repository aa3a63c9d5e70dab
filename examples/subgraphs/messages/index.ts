import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { demoRows } from '../demo-data.js';
import { parseRecords, platformId, rfc3339Millis } from '../records.js';
import type { Subgraph } from '../subgraph.js';
import { messagesContext, messagesSchema } from './schema.js';
import { MessagesStore, type MessagesBatch } from './store.js';

/** A conversation or a message as `_entities` answers it. */
const record = z.discriminatedUnion('__typename', [
  z.object({
    __typename: z.literal('Conversation'),
    id: platformId,
    participantIds: z.array(platformId).min(1),
    createdAt: rfc3339Millis,
  }),
  z.object({
    __typename: z.literal('Message'),
    id: platformId,
    conversationId: platformId,
    senderId: platformId,
    text: z.string().min(1),
    sentAt: rfc3339Millis,
  }),
]);

/** Records in the contract's shape as a batch for the store: every participant joins when the conversation begins. */
function toBatch(records: readonly z.infer<typeof record>[]): MessagesBatch {
  const batch: MessagesBatch = { conversations: [], participants: [], messages: [] };
  for (const item of records) {
    if (item.__typename === 'Message') {
      const { __typename: _type, ...message } = item;
      batch.messages.push(message);
      continue;
    }
    batch.conversations.push({ id: item.id, createdAt: item.createdAt });
    for (const userId of item.participantIds) batch.participants.push({ conversationId: item.id, userId, joinedAt: item.createdAt });
  }
  return batch;
}

/** The messages reference subgraph over its own SQLite database. */
export function messagesSubgraph(db: Database): Subgraph {
  const store = new MessagesStore(db);
  return {
    name: 'messages',
    schema: messagesSchema(),
    context: () => messagesContext(store),
    async seedDemo() {
      const { conversations, participants, messages } = await demoRows();
      return store.save({ conversations, participants, messages });
    },
    load: (records) => store.save(toBatch(parseRecords(records, record))),
    close: () => db.close(),
  };
}
