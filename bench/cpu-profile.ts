import fs from 'node:fs';
import path from 'node:path';

/** Where the self time of a V8 CPU profile went. */
export interface ProfileSummary {
  /** Sampled milliseconds, idle excluded. */
  busyMs: number;
  /** Share of busy time by package (a node_modules package, the gateway's own code, Node's internals, GC). */
  packages: { name: string; percent: number }[];
  /** The functions with the most self time. */
  functions: { name: string; where: string; percent: number }[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/**
 * Reads the `.cpuprofile` files in `dir` (one gateway's) and sums self time by package and by
 * function, leaving out the first `skipMs` of each profile (start-up: loading modules, migrating).
 */
export function summarizeProfile(dir: string, skipMs: number, top = 12): ProfileSummary {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, { name: string; where: string; ms: number }>();
  let busyMs = 0;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    let elapsedMs = 0;
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      elapsedMs += ms;
      const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
      if (elapsedMs < skipMs || functionName === '(idle)') return;
      busyMs += ms;
      const owner = packageOf(functionName, url);
      byPackage.set(owner, (byPackage.get(owner) ?? 0) + ms);
      const where = url ? `${shortPath(url)}:${lineNumber + 1}` : owner;
      const key = `${functionName}@${where}`;
      const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', where, ms: 0 };
      entry.ms += ms;
      byFunction.set(key, entry);
    });
  }
  const percent = (ms: number) => Math.round((1000 * ms) / Math.max(busyMs, 1)) / 10;
  return {
    busyMs: Math.round(busyMs),
    packages: [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, percent: percent(ms) })),
    functions: [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, top).map((f) => ({ name: f.name, where: f.where, percent: percent(f.ms) })),
  };
}

function packageOf(functionName: string, url: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return 'node (internals)';
  return 'gateway';
}

function shortPath(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const repo = /\/(src|resolvers|bench)\//.exec(url);
  return repo ? url.slice(repo.index + 1) : url;
}
