import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DialectName } from '../src/store/index.js';
import { summarizeProfile, type ProfileSummary } from './cpu-profile.js';
import { prepareStore } from './fixtures.js';
import { startGatewayProcess } from './gateway-process.js';
import { load } from './load.js';
import { OPERATIONS, requestBody } from './operations.js';

/** Which operations are profiled. */
export const PROFILED = ['profile', 'portability page'];

export interface OperationProfile {
  dialect: DialectName;
  operation: string;
  requestsPerSecond: number;
  summary: ProfileSummary;
}

/**
 * Runs one gateway per profiled operation under `--cpu-prof` while the load generator drives
 * that operation alone for `seconds`, then sums the profile's self time.
 */
export async function profileOperations(options: {
  dialects: DialectName[];
  seconds: number;
  postgresUrl?: string | undefined;
  databaseName: string;
  log(message: string): void;
}): Promise<OperationProfile[]> {
  const profiles: OperationProfile[] = [];
  for (const dialect of options.dialects) {
    const store = await prepareStore(dialect, options);
    try {
      for (const operation of OPERATIONS.filter((o) => PROFILED.includes(o.name))) {
        options.log(`profiles: ${dialect} ${operation.name}`);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-prof-'));
        const spawnedAt = Date.now();
        const gateway = await startGatewayProcess(store.env, { cpuProfileDir: dir });
        let requestsPerSecond: number;
        let skipMs: number;
        try {
          const headers = { 'content-type': 'application/json', authorization: `Bearer ${store.token}` };
          const body = requestBody(operation);
          const target = { url: `${gateway.url}/graphql`, headers, body, expectedBody: await (await fetch(`${gateway.url}/graphql`, { method: 'POST', headers, body })).text() };
          // Warmed up first, and only the measured load counted: start-up and JIT compilation are not the steady state.
          await load(target, 1);
          skipMs = Date.now() - spawnedAt;
          ({ requestsPerSecond } = await load(target, options.seconds));
        } finally {
          await gateway.stop();
        }
        profiles.push({ dialect, operation: operation.name, requestsPerSecond, summary: summarizeProfile(dir, skipMs) });
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await store.close();
    }
  }
  return profiles;
}
