import type { Kysely } from 'kysely';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { Database } from '../store/index.js';
import { hashToken } from './tokens.js';

/**
 * oidc-provider's storage on the gateway's store, so tokens, codes, sessions and grants survive a
 * restart and are shared by every instance. Ids are the bearer values themselves (an opaque access
 * token *is* its id), so rows are keyed by their SHA-256 and payloads never keep the raw `jti`
 * (nor an interaction its session's).
 * Clients are not stored here: they are the approved apps of the registry.
 */
export function kyselyAdapter(db: Kysely<Database>, findClient: (id: string) => Promise<AdapterPayload | undefined>): AdapterFactory {
  return (model: string): Adapter => (model === 'Client' ? clientAdapter(findClient) : payloadAdapter(db, model));
}

/** One model's payloads (tokens, codes, sessions, grants, …) in `oidcPayloads`. */
function payloadAdapter(db: Kysely<Database>, model: string): Adapter {
  const row = (id: string) => db.selectFrom('oidcPayloads').selectAll().where('model', '=', model).where('idHash', '=', hashToken(id));
  const revive = (id: string, found: { payload: string; consumedAt: number | null } | undefined): AdapterPayload | undefined => {
    if (!found) return undefined;
    const payload = JSON.parse(found.payload) as AdapterPayload;
    return { ...payload, jti: id, ...(found.consumedAt !== null ? { consumed: Math.floor(found.consumedAt / 1000) } : {}) };
  };
  return {
    async upsert(id, payload, expiresIn) {
      const values = storedValues(payload, expiresIn);
      await db
        .insertInto('oidcPayloads')
        .values({ model, idHash: hashToken(id), consumedAt: null, ...values })
        .onConflict((oc) => oc.columns(['model', 'idHash']).doUpdateSet(values))
        .execute();
    },
    async find(id) {
      const found = await row(id).where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', Date.now())])).executeTakeFirst();
      return revive(id, found);
    },
    async findByUid(uid) {
      const found = await db
        .selectFrom('oidcPayloads')
        .selectAll()
        .where('model', '=', model)
        .where('uidHash', '=', hashToken(uid))
        .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', Date.now())]))
        .executeTakeFirst();
      if (!found) return undefined;
      const payload = JSON.parse(found.payload) as AdapterPayload;
      // A session's id is not recoverable from its hash; oidc-provider looks it up by uid only to read it.
      return payload;
    },
    async findByUserCode(userCode) {
      const found = await db.selectFrom('oidcPayloads').selectAll().where('model', '=', model).where('userCode', '=', userCode).executeTakeFirst();
      return found ? (JSON.parse(found.payload) as AdapterPayload) : undefined;
    },
    async consume(id) {
      await db.updateTable('oidcPayloads').set({ consumedAt: Date.now() }).where('model', '=', model).where('idHash', '=', hashToken(id)).execute();
    },
    async destroy(id) {
      await db.deleteFrom('oidcPayloads').where('model', '=', model).where('idHash', '=', hashToken(id)).execute();
    },
    async revokeByGrantId(grantId) {
      await db.deleteFrom('oidcPayloads').where('grantId', '=', grantId).execute();
    },
  };
}

/** A payload's columns as stored: no raw id, and no session cookie value. */
function storedValues(payload: AdapterPayload, expiresIn: number) {
  const { jti: _jti, ...stored } = payload;
  // An interaction names its browser session by uid, which is all oidc-provider reads back;
  // the session's id (`cookie`) is the session cookie's value, a bearer secret like the rest.
  if (stored.session?.cookie) stored.session = { ...stored.session, cookie: undefined };
  return {
    payload: JSON.stringify(stored),
    grantId: payload.grantId ?? null,
    uidHash: payload.uid ? hashToken(payload.uid) : null,
    userCode: payload.userCode ?? null,
    expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null,
  };
}

function clientAdapter(findClient: (id: string) => Promise<AdapterPayload | undefined>): Adapter {
  const readOnly = async () => {
    throw new Error('clients are managed through the app registry');
  };
  return {
    find: findClient,
    upsert: readOnly,
    findByUid: readOnly,
    findByUserCode: readOnly,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: readOnly,
  };
}
