import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
let built: string | undefined;

/**
 * `file`'s path in the gateway compiled as `npm start` runs it (`npm run build`), with the
 * benchmark's programs that must run as the gateway does (Apollo alone, the archive run) compiled
 * beside it (bench/tsconfig.build.json). Built on first use, in a directory of this run's own, so
 * a short run beside the test suite's build never touches `dist/`; it lies inside the checkout
 * (`.scratch/`, ignored by git) so Node finds `node_modules`, and goes when the harness exits.
 */
export function compiled(file: string): string {
  if (built === undefined) {
    const dir = path.join(repoRoot, '.scratch', `bench-build-${process.pid}`);
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    execFileSync('npm', ['run', '-s', 'build'], {
      cwd: repoRoot,
      env: { ...process.env, BUILD_OUT: dir, BUILD_TSCONFIG: 'bench/tsconfig.build.json' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    built = dir;
  }
  return path.join(built, file);
}
