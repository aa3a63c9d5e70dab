import { ConfigError, loadConfig, type Config } from './config/index.js';
import { createLogger } from './logging/index.js';
import { startGateway } from './server/index.js';

/** SIGTERM to exit. Gateway.close keeps well inside it; past it the process gives up and exits 1. */
const SHUTDOWN_LIMIT_MS = 10_000;

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // The message names each bad variable.
  createLogger({ level: 'info' }).fatal(error.message);
  process.exit(1);
}

const logger = createLogger({ level: config.logLevel });
try {
  const gateway = await startGateway(config, { logger });
  logger.info({ url: gateway.url, store: gateway.store.dialect }, `Gateway ready at ${gateway.url}/graphql (${gateway.store.dialect} store)`);
  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.fatal(`shutdown did not finish within ${SHUTDOWN_LIMIT_MS / 1000} s`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS - 250).unref();
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.fatal({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // A second signal is not caught: it stops the process at once.
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
} catch (error) {
  logger.fatal({ err: error }, 'the gateway could not start');
  process.exit(1);
}
