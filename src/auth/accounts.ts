import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { verifyPassword } from './passwords.js';

// Checked when the username is unknown, so that costs the same scrypt as a wrong password.
const NO_SUCH_USER = `scrypt$${'A'.repeat(22)}$${'A'.repeat(43)}`;

/**
 * The id of the user with this username and password, or undefined. An unknown username takes as
 * long as a wrong password, so timing does not tell which usernames exist.
 */
export async function checkCredentials(db: Kysely<Database>, username: string, password: string): Promise<string | undefined> {
  const account = await db
    .selectFrom('users')
    .innerJoin('credentials', 'credentials.userId', 'users.id')
    .select(['users.id', 'credentials.passwordHash'])
    .where('users.username', '=', username)
    .executeTakeFirst();
  const matches = await verifyPassword(password, account?.passwordHash ?? NO_SUCH_USER);
  return account && matches ? account.id : undefined;
}
