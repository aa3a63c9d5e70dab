import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from 'kysely';

/**
 * A write to a table whose rows decide whether a grant is served: grants, apps, users (their
 * country) and external access. Matched on the statement's text, so any table write through the
 * store is seen, whoever builds it.
 */
const STANDING_WRITE = /^\s*(insert\s+into|update|delete\s+from)\s+"(grants|apps|users|external_access)"/i;

/** Whether a statement that ran may have changed a row; an unknown count is taken as yes. */
function changedRows(result: QueryResult<unknown>): boolean {
  return result.numAffectedRows === undefined || result.numAffectedRows > 0n;
}

/** A connection that marks itself dirty, or reports at once outside a transaction, when a statement changes a standing row. */
class WatchedConnection implements DatabaseConnection {
  inTransaction = false;
  dirty = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly onCommit: () => void,
  ) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.inner.executeQuery<R>(compiledQuery);
    if (STANDING_WRITE.test(compiledQuery.sql) && changedRows(result)) {
      if (this.inTransaction) this.dirty = true;
      else this.onCommit();
    }
    return result;
  }

  streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(compiledQuery, chunkSize);
  }
}

/** The driver of {@link watchStandingWrites}: every call passes through, with the connection unwrapped. */
class WatchedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly onCommit: () => void,
  ) {}

  init = () => this.inner.init();
  destroy = () => this.inner.destroy();

  async acquireConnection(): Promise<DatabaseConnection> {
    return new WatchedConnection(await this.inner.acquireConnection(), this.onCommit);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection((connection as WatchedConnection).inner);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const watched = connection as WatchedConnection;
    await this.inner.beginTransaction(watched.inner, settings);
    watched.inTransaction = true;
    watched.dirty = false;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const watched = connection as WatchedConnection;
    await this.inner.commitTransaction(watched.inner);
    watched.inTransaction = false;
    if (watched.dirty) this.onCommit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const watched = connection as WatchedConnection;
    await this.inner.rollbackTransaction(watched.inner);
    watched.inTransaction = false;
  }

  // Savepoints nest inside a transaction: a write rolled back to one still counts (erring safe).
  savepoint: Driver['savepoint'] = (connection, name, compile) => this.inner.savepoint!((connection as WatchedConnection).inner, name, compile);
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (connection, name, compile) => this.inner.rollbackToSavepoint!((connection as WatchedConnection).inner, name, compile);
  releaseSavepoint: Driver['releaseSavepoint'] = (connection, name, compile) => this.inner.releaseSavepoint!((connection as WatchedConnection).inner, name, compile);
}

/**
 * `dialect`, with `onCommit` called once a write to a grant's standing rows has committed: right
 * after the statement outside a transaction, after COMMIT inside one. It runs before the writer
 * sees its result, so this process can stop trusting what it remembers before it answers.
 */
export function watchStandingWrites(dialect: Dialect, onCommit: () => void): Dialect {
  return {
    createDriver: () => new WatchedDriver(dialect.createDriver(), onCommit),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
