import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the operator's CLI (`tsx src/cli/main.ts …args`) on the embedded store in `dataDir`, with
 * `extraEnv` set; `options.command` and `options.cwd` run another build of it, such as the compiled one.
 */
export function cli(
  dataDir: string,
  args: string[],
  extraEnv: Record<string, string> = {},
  options: { command?: string[]; cwd?: string } = {},
): Promise<CliResult> {
  const [file, ...prefix] = options.command ?? ['npx', 'tsx', 'src/cli/main.ts'];
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  return new Promise((resolve) => {
    execFile(file!, [...prefix, ...args], { cwd: options.cwd ?? repoRoot, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
