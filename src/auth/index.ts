export { authenticate } from './authenticate.js';
export { EEA_COUNTRIES, isEligibleCountry } from './region.js';
export { findAccessToken, hashToken, issueAccessToken, type IssueTokenOptions, type TokenHolder } from './tokens.js';
export { applyRequiresScopes, assertTypeReadable } from './requires-scopes.js';
export { SCOPE_CATEGORIES, SCOPE_MODES, expandScopes, isScope, unknownScopes } from './scopes.js';
