import fs from 'node:fs';

/**
 * The Node flags `npm start` gives the gateway, read from package.json's `start` script (the
 * options between `node` and its script, or a `--import` loader), so a benchmark process runs as the gateway does.
 */
export function npmStartNodeFlags(): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json's start script does not start with node: ${scripts.start}`);
  const flags: string[] = [];
  for (const word of words.slice(1)) {
    if (!word.startsWith('--') || word === '--import') break;
    flags.push(word);
  }
  return flags;
}
