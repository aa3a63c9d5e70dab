import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { freePort } from './gateway-process.js';
import { npmStartNodeFlags } from './npm-start-flags.js';
import { startPinnedProcess, type PinnedProcess } from './pinned-process.js';

// The federated benchmark's reference: Hive Gateway (The Guild's Node federation gateway) over a
// supergraph composed from the very subgraphs the candidate federates. It is a devDependency of
// the benchmark only; nothing in src/ loads it.

/** A subgraph a supergraph is composed from: its name and its GraphQL endpoint. */
export interface SubgraphEndpoint {
  name: string;
  url: string;
}

/** A gateway under test: its `/graphql` endpoint and its process. */
export interface GatewayServer extends PinnedProcess {
  url: string;
}

const require = createRequire(import.meta.url);
const packageJson = require.resolve('@graphql-hive/gateway/package.json');

/** The Hive Gateway release the benchmark runs, as its package states it. */
export const HIVE_GATEWAY_VERSION = (JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version: string }).version;

/**
 * The supergraph of `subgraphs`: each one's SDL read from its own `_service { sdl }` (what it
 * really serves), composed by `@theguild/federation-composition`. Composition errors throw.
 */
export async function composeSupergraph(subgraphs: readonly SubgraphEndpoint[]): Promise<string> {
  const services = await Promise.all(
    subgraphs.map(async ({ name, url }) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ _service { sdl } }' }) });
      const body = (await response.json()) as { data?: { _service?: { sdl?: string } } };
      const sdl = body.data?._service?.sdl;
      if (!response.ok || sdl === undefined) throw new Error(`the ${name} subgraph at ${url} did not give its SDL: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
      return { name, url, typeDefs: parse(sdl) };
    }),
  );
  const composed = composeServices(services);
  if (compositionHasErrors(composed)) throw new Error(`the supergraph does not compose:\n${composed.errors.map((error) => error.message).join('\n')}`);
  return composed.supergraphSdl;
}

/**
 * Hive Gateway serving `supergraphSdl`, run as its CLI runs it (`hive-gateway supergraph
 * <file>`: one process, no forks) with `NODE_ENV=production`, pinned to core 0 like the other
 * servers under test, and given the Node flags `npm start` gives this gateway.
 */
export async function startHiveGateway(supergraphSdl: string): Promise<GatewayServer> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-hive-'));
  const supergraph = path.join(directory, 'supergraph.graphql');
  fs.writeFileSync(supergraph, supergraphSdl);
  const port = await freePort();
  const cli = path.join(path.dirname(packageJson), 'dist', 'bin.js');
  try {
    const server = await startPinnedProcess({
      command: [process.execPath, ...npmStartNodeFlags(), cli, 'supergraph', supergraph, '--host', '127.0.0.1', '--port', String(port)],
      // Its working directory holds no gateway.config.*: the CLI's defaults, nothing configured.
      cwd: directory,
      env: { NODE_ENV: 'production', FORK: '1', CONFIG_PATH: undefined },
      ready: /Listening on http/,
    });
    return {
      ...server,
      url: `http://127.0.0.1:${port}/graphql`,
      async stop() {
        await server.stop();
        fs.rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    fs.rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}
