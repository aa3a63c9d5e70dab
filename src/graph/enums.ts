import type { Category, GrantMode } from '../store/index.js';

/** How the GraphQL enum `Category` spells each category: in capitals. */
const CATEGORY_ENUM = {
  profile: 'PROFILE',
  posts: 'POSTS',
  follows: 'FOLLOWS',
  activity: 'ACTIVITY',
  messages: 'MESSAGES',
} as const satisfies { [C in Category]: Uppercase<C> };

/** How the GraphQL enum `GrantMode` names each grant mode. */
const GRANT_MODE_ENUM = { single: 'ONE_TIME', ongoing: 'RECURRING' } as const satisfies Record<GrantMode, string>;

/** A category as the GraphQL enum `Category` names it. */
export function categoryEnum(category: Category): Uppercase<Category> {
  return CATEGORY_ENUM[category];
}

/** The category a GraphQL `Category` value names. */
export function categoryFromEnum(value: Uppercase<Category>): Category {
  return value.toLowerCase() as Category;
}

/** A grant mode as the GraphQL enum `GrantMode` (and the archive manifest) names it. */
export function grantModeEnum(mode: GrantMode): (typeof GRANT_MODE_ENUM)[GrantMode] {
  return GRANT_MODE_ENUM[mode];
}

/** The categories of a stored, space-separated list (an archive's, a grant's). */
export function storedCategories(list: string): Category[] {
  return list.split(' ').filter(Boolean) as Category[];
}
