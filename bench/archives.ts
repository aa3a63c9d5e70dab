import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/index.js';
import { seedArchiveUser, VOLUMES } from './archive-seed.js';
import { canPin, median } from './gateway-process.js';
import { npmStartNodeFlags } from './npm-start-flags.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** One measured run: records and bytes out, seconds, and the process's peak RSS. */
export interface ArchiveRun {
  records: number;
  bytes: number;
  seconds: number;
  /** CPU time of the main thread and zlib's threads: what the run costs, whatever else the machine does. */
  cpuSeconds: number;
  peakRssBytes: number;
}

export interface ArchiveFigures {
  dialect: 'sqlite' | 'postgres';
  seedSeconds: number;
  /** The runs, alternating: the dump, then the archive, `runs` times. */
  archive: ArchiveRun[];
  dump: ArchiveRun[];
}

/**
 * A run in a process of its own, started with the Node flags `npm start` gives the gateway, on
 * every core: the harness pins itself to the load generator's core, which a child would inherit,
 * but an export job has no load generator beside it. The dump is one thread whatever it is given;
 * the archive builds its ZIP on a second. `BENCH_CPU_PROF=<dir>` writes each run's CPU profiles there.
 */
function child(mode: 'archive' | 'dump', dataDir: string, databaseUrl: string): Promise<ArchiveRun> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, mode)}`] : [];
  const command = [process.execPath, ...npmStartNodeFlags(), ...profile, '--import', 'tsx', 'bench/archive-child.ts', mode, dataDir, databaseUrl];
  const [file, ...args] = canPin ? ['taskset', '-c', `0-${os.cpus().length - 1}`, ...command] : command;
  return new Promise((resolve, reject) => {
    execFile(file!, args, { cwd: repoRoot, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${mode} run failed: ${stderr || error.message}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as ArchiveRun);
    });
  });
}

/**
 * Seeds one user with 1 000 000 records (100 000 posts, 400 000 messages in 400 conversations,
 * 500 000 activity events) in a fresh store, then measures, each in its own process, a plain
 * keyset SQL dump of those rows to JSON Lines and a full archive of the user through the
 * archive worker, `runs` times each, alternating. `databaseUrl` runs it on PostgreSQL (in a schema
 * of its own), else SQLite.
 */
export async function benchArchives(runs: number, databaseUrl?: string): Promise<ArchiveFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-archives-'));
  const schema = `bench_archives_${process.pid}`;
  const url = databaseUrl ? `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}` : '';
  const store = await openStore({ databaseUrl, dataDir, pgSchema: databaseUrl ? schema : undefined });
  try {
    await store.migrate();
    const seeding = performance.now();
    await seedArchiveUser(store.db);
    const seedSeconds = (performance.now() - seeding) / 1000;
    const dump: ArchiveRun[] = [];
    const archive: ArchiveRun[] = [];
    for (let run = 0; run < runs; run++) {
      dump.push(await child('dump', dataDir, url));
      archive.push(await child('archive', dataDir, url));
    }
    return { dialect: databaseUrl ? 'postgres' : 'sqlite', seedSeconds, archive, dump };
  } finally {
    await store.close();
    if (databaseUrl) {
      const { dropSchema } = await import('../src/store/index.js');
      await dropSchema(databaseUrl, schema);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => bytes / 1_000_000;
const fixed = (n: number, digits = 1) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The report's archive section for these runs. */
export function archiveSection(results: ArchiveFigures[], machine: string): string {
  const rows = results.flatMap((r) => {
    // Medians over the runs, but the largest peak RSS: the bound is what matters there.
    const line = (what: string, runs: ArchiveRun[]) => {
      const of = (figure: (run: ArchiveRun) => number) => median(runs.map(figure));
      const records = runs[0]!.records;
      return `| ${r.dialect} | ${what} | ${records.toLocaleString('en')} | ${fixed(of((run) => run.seconds))} | ${Math.round(of((run) => run.records / run.seconds)).toLocaleString('en')} | ${fixed(of((run) => mb(run.bytes) / run.seconds))} | ${fixed(mb(runs[0]!.bytes))} | ${fixed(of((run) => run.cpuSeconds))} | ${Math.round(of((run) => run.records / run.cpuSeconds)).toLocaleString('en')} | ${Math.round(mb(Math.max(...runs.map((run) => run.peakRssBytes))))} |`;
    };
    return [line('archive (ZIP)', r.archive), line('plain SQL dump (JSONL)', r.dump)];
  });
  const verdicts = results.map((r) => {
    // Each archive against the dump run just before it, as the queries are against their references.
    const ratios = r.archive.map((run, i) => run.records / run.seconds / (r.dump[i]!.records / r.dump[i]!.seconds));
    const ratio = median(ratios);
    const cpuRatio = median(r.archive.map((run, i) => run.records / run.cpuSeconds / (r.dump[i]!.records / r.dump[i]!.cpuSeconds)));
    const rss = mb(Math.max(...r.archive.map((run) => run.peakRssBytes)));
    const holds = ratio >= 0.5 && rss < 256;
    const range = `${Math.round(Math.min(...ratios) * 100)}–${Math.round(Math.max(...ratios) * 100)} %`;
    return `On ${r.dialect}, the archive runs at ${Math.round(ratio * 100)} % of the dump's records/s (median of ${ratios.length} pairs, ${range}; ${Math.round(cpuRatio * 100)} % per CPU second) with a peak RSS of at most ${Math.round(rss)} MB: the target (≥ 50 %, < 256 MB) ${holds ? 'holds' : 'does not hold'}. Seeding took ${fixed(r.seedSeconds)} s.`;
  });
  return `## Archives

One user with ${(VOLUMES.posts + VOLUMES.messages + VOLUMES.activity).toLocaleString('en')} records (${VOLUMES.posts.toLocaleString('en')} posts, ${VOLUMES.messages.toLocaleString('en')} messages in ${VOLUMES.conversations} conversations, ${VOLUMES.activity.toLocaleString('en')} activity events), written by set-based
inserts. Each run is a process of its own, so its peak RSS (\`VmHWM\`) is its own, and has every
core. The archive is the gateway's worker writing the full ZIP (GraphQL-shaped records, deflated,
hashed, with the manifest), the ZIP built on a second thread; the reference reads the same rows
with plain keyset SQL (1 000 a page) on one thread and writes them unshaped as JSON Lines,
uncompressed. CPU s and records per CPU s are what each costs, however many cores it used.
MB/s counts the bytes written (the ZIP, or the JSONL file). Both run with Node's default heap
settings. \`npm start\` gives the gateway a 64 MB young generation (\`--max-semi-space-size=64\`), which
saves streams about 15 % of their CPU. An export allocates fast enough to fill it, so in a process
started that way the same archive peaked at 315–328 MB (2026-11-30). Where that matters more than
stream CPU, start the gateway without the flag.
Each figure is the median of ${results[0]?.archive.length ?? 0} runs that alternate the dump and the archive; peak RSS is the largest.
Written by \`npm run bench -- --sections archives\` on ${new Date().toISOString().slice(0, 10)}; ${machine}.

| store | run | records | seconds | records/s | MB/s written | MB written | CPU s | records per CPU s | peak RSS MB |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

${verdicts.join('\n\n')}
`;
}
