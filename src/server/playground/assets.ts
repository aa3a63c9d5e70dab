import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

function packageFile(name: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${name}/package.json`)), file);
}

function ownFile(file: string): string {
  return fileURLToPath(new URL(`./browser/${file}`, import.meta.url));
}

/**
 * Everything the playground page loads, by the name it is served under at `/playground/assets/`:
 * GraphiQL's UMD build and the React it runs on, graphql-ws's browser client, and the page's own
 * script and style, all from this project's files. Nothing comes from another host, fonts
 * included: GraphiQL's stylesheet names fonts but falls back to the system's.
 */
export const PLAYGROUND_ASSETS: Readonly<Record<string, string>> = {
  'react.js': packageFile('react', 'umd/react.production.min.js'),
  'react-dom.js': packageFile('react-dom', 'umd/react-dom.production.min.js'),
  'graphiql.js': packageFile('graphiql', 'graphiql.min.js'),
  'graphiql.css': packageFile('graphiql', 'graphiql.min.css'),
  'graphql-ws.js': packageFile('graphql-ws', 'umd/graphql-ws.min.js'),
  'playground.js': ownFile('playground.js'),
  'playground.css': ownFile('playground.css'),
};
