import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tokens } from './session.js';

/** A record as the API returns it: any object with a global id (and `__typename`). */
export type Record = { id: string; [field: string]: unknown };

/** What the backup remembers between runs, in `state.json`. */
export interface State {
  server?: string;
  clientId?: string;
  tokens?: Tokens;
  /** Where the change stream resumes; set only once the initial sync has completed. */
  cursor?: string;
}

const STATE = 'state.json';

/**
 * The local copy: `<dir>/<category>/<global id>.json`, one file per record (global ids are
 * base64url, safe as file names), and `<dir>/state.json`. Every write goes to a temporary file
 * renamed into place, so a crash never leaves a half-written record or cursor.
 */
export class Folder {
  constructor(readonly dir: string) {}

  async readState(): Promise<State> {
    try {
      return JSON.parse(await readFile(join(this.dir, STATE), 'utf8')) as State;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  /** The state holds tokens: readable by the owner only. */
  async writeState(state: State): Promise<void> {
    await this.#write(STATE, state, 0o600);
  }

  /** Empties a category's folder before a full sync, so nothing deleted meanwhile survives. */
  async clear(category: string): Promise<void> {
    await rm(join(this.dir, category), { recursive: true, force: true });
    await mkdir(join(this.dir, category), { recursive: true });
  }

  async put(category: string, record: Record): Promise<void> {
    await mkdir(join(this.dir, category), { recursive: true });
    await this.#write(join(category, `${record.id}.json`), record);
  }

  async remove(category: string, id: string): Promise<void> {
    await rm(join(this.dir, category, `${id}.json`), { force: true });
  }

  /** Every record of a category, by id. */
  async records(category: string): Promise<Map<string, Record>> {
    const names = await readdir(join(this.dir, category)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const records = await Promise.all(names.filter((n) => n.endsWith('.json')).map(async (n) => JSON.parse(await readFile(join(this.dir, category, n), 'utf8')) as Record));
    return new Map(records.map((r) => [r.id, r]));
  }

  async #write(path: string, value: unknown, mode = 0o644): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = join(this.dir, path);
    await writeFile(`${target}.tmp`, JSON.stringify(value, null, 2) + '\n', { mode });
    await rename(`${target}.tmp`, target);
  }
}
