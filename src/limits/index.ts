// The limits module's public surface: everything other modules may use.
export { AnonymousLimit } from './anonymous-limit.js';
export { actualCost, requestedCost, LIST_SIZE_ESTIMATE } from './cost.js';
export { applyExecutionDeadline } from './deadline.js';
export { Guard, MAX_ALIASES, MAX_DIRECTIVES, MAX_DOCUMENT_CHARS, MAX_TOKENS, type PreparedOperation } from './guard.js';
export { limitsPlugin } from './plugin.js';
export { RateLimits, type Standing, type ThrottleStatus } from './rate-limits.js';
export { tooManySubscriptions } from './refusals.js';
export { SignInThrottle, type SignInOutcome } from './sign-in-throttle.js';
