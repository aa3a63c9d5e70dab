export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { requestLogger } from './request-logger.js';
