import { ConfigError, loadConfig } from './config/index.js';
import { startGateway } from './server/index.js';

try {
  const config = loadConfig();
  const gateway = await startGateway(config);
  console.log(`Gateway ready at ${gateway.url}/graphql (${gateway.store.dialect} store)`);
  const shutdown = () => {
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
