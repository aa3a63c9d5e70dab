export { createApp, findApp, listApps, setAppStatus, type NewApp } from './apps.js';
export { createAuthority, type Authority, type AuthorityOptions } from './authority.js';
export { listGrants } from './grants.js';
export { hashPassword, verifyPassword } from './passwords.js';
export { EEA_COUNTRIES, isEligibleCountry } from './region.js';
export { applyRequiresScopes, assertTypeReadable } from './requires-scopes.js';
export { ALL_SCOPES, CATEGORIES, SCOPE_CATEGORIES, SCOPE_MODES, expandScopes, grantRequest, isScope, scopesFor, unknownScopes, type Category } from './scopes.js';
export { hashToken } from './tokens.js';
export { DEMO_APP, DEMO_PASSWORD, ensureDemoApp, seedDemoAccess } from './demo.js';
