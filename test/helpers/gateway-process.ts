import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * The gateway in a child process, `node …args` in `cwd` on the embedded store (the variables in
 * `env` on top of this process's, minus `DATABASE_URL`), with its log lines parsed as they come.
 */
export class GatewayProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, any>[] = [];
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[], options: { cwd: string; env: Record<string, string> }) {
    const base: NodeJS.ProcessEnv = { ...process.env };
    delete base.DATABASE_URL;
    this.child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...base, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const complete = text.split('\n');
      partial = complete.pop()!;
      for (const line of complete) {
        this.output.push(line);
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          // Not a log line.
        }
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Resolves once a log line whose message contains `text` has been written. */
  async logged(text: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.lines.some((line) => String(line.msg).includes(text))) {
      if (Date.now() > deadline) throw new Error(`never logged "${text}":\n${this.output.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A TCP port nothing listens on at the moment. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
