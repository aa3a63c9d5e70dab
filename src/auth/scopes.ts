/** Scope categories: the five of the graph, plus `all`. */
export const SCOPE_CATEGORIES = ['profile', 'posts', 'follows', 'activity', 'messages', 'all'] as const;
/** `single`: a one-time transfer; `ongoing`: recurring until revoked or expired. */
export const SCOPE_MODES = ['single', 'ongoing'] as const;

const SCOPE_PATTERN = new RegExp(`^portability\\.(${SCOPE_CATEGORIES.join('|')})\\.(${SCOPE_MODES.join('|')})$`);

/** Whether `scope` is one of `portability.<category>.<mode>`. */
export function isScope(scope: string): boolean {
  return SCOPE_PATTERN.test(scope);
}

/**
 * The scopes a grant holds, with `portability.all.<mode>` spelled out as each category's scope,
 * so `@requiresScopes` can name categories alone.
 */
export function expandScopes(scope: string): Set<string> {
  const scopes = new Set<string>();
  for (const s of scope.split(' ').filter(isScope)) {
    const [, category, mode] = s.split('.');
    if (category !== 'all') scopes.add(s);
    else for (const c of SCOPE_CATEGORIES) if (c !== 'all') scopes.add(`portability.${c}.${mode}`);
  }
  return scopes;
}

/** Splits a space-separated scope string, returning the scopes this gateway does not know. */
export function unknownScopes(scope: string): string[] {
  return scope.split(' ').filter((s) => s !== '' && !isScope(s));
}
