import type { Category, GrantMode } from '../store/index.js';

export type { Category };
/** The five categories of a user's data, in the order the gateway lists them. */
export const CATEGORIES = ['profile', 'posts', 'follows', 'activity', 'messages'] as const satisfies readonly Category[];
/** Scope categories: the five, plus `all`. */
export const SCOPE_CATEGORIES = [...CATEGORIES, 'all'] as const;
/** `single`: a one-time transfer; `ongoing`: recurring until revoked or expired. */
export const SCOPE_MODES = ['single', 'ongoing'] as const satisfies readonly GrantMode[];

/** The scope that grants `category` in `mode`: the one place a scope string is built. */
export function scopeOf(category: Category | 'all', mode: GrantMode): string {
  return `portability.${category}.${mode}`;
}

/** Every scope the gateway knows, `portability.<category>.<mode>`. */
export const ALL_SCOPES: readonly string[] = SCOPE_CATEGORIES.flatMap((c) => SCOPE_MODES.map((m) => scopeOf(c, m)));

const SCOPE_PATTERN = new RegExp(`^portability\\.(${SCOPE_CATEGORIES.join('|')})\\.(${SCOPE_MODES.join('|')})$`);

/** Whether `scope` is one of `portability.<category>.<mode>`. */
export function isScope(scope: string): boolean {
  return SCOPE_PATTERN.test(scope);
}

function split(scope: string): string[] {
  return scope.split(' ').filter((s) => s !== '');
}

/**
 * The scopes a grant holds, with `portability.all.<mode>` spelled out as each category's scope,
 * so `@requiresScopes` can name categories alone.
 */
export function expandScopes(scope: string): Set<string> {
  const scopes = new Set<string>();
  for (const s of split(scope).filter(isScope)) {
    const [, category, mode] = s.split('.');
    if (category !== 'all') scopes.add(s);
    else for (const c of CATEGORIES) scopes.add(scopeOf(c, mode as GrantMode));
  }
  return scopes;
}

/** The scopes of a space-separated scope string this gateway does not know. */
export function unknownScopes(scope: string): string[] {
  return split(scope).filter((s) => !isScope(s));
}

/**
 * What a scope string asks for: categories in one mode. Undefined when it names no category, a
 * scope this gateway does not know, or both modes at once (one grant is either a one-time copy or
 * recurring access).
 */
export function grantRequest(scope: string): { categories: Category[]; mode: GrantMode } | undefined {
  if (unknownScopes(scope).length > 0) return undefined;
  const expanded = [...expandScopes(scope)];
  const modes = new Set(expanded.map((s) => s.split('.')[2] as GrantMode));
  const [mode] = modes;
  if (modes.size !== 1 || !mode) return undefined;
  const categories = CATEGORIES.filter((c) => expanded.includes(scopeOf(c, mode)));
  return { categories, mode };
}

/** The scopes that grant `categories` in `mode`. */
export function scopesFor(categories: readonly Category[], mode: GrantMode): string[] {
  return categories.map((c) => scopeOf(c, mode));
}

/** Whether a grant's scopes (as {@link expandScopes} spells them) hold `category`, in either mode. */
export function holdsCategory(scopes: ReadonlySet<string>, category: Category): boolean {
  return SCOPE_MODES.some((mode) => scopes.has(scopeOf(category, mode)));
}

/** The categories a grant's scopes (as {@link expandScopes} spells them) hold in `mode`, in {@link CATEGORIES} order. */
export function heldCategories(scopes: ReadonlySet<string>, mode: GrantMode): Category[] {
  return CATEGORIES.filter((c) => scopes.has(scopeOf(c, mode)));
}
