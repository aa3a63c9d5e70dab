import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from './gateway.js';

/** Debian's Chromium (`apt-get install chromium`); playwright downloads no browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests keep their screenshots; git ignores it. */
export const ARTIFACTS_DIR = path.resolve('test-artifacts');

/** One headless Chromium, for every test of a file. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
}

/** Saves the whole page as `test-artifacts/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** Signs in on the gateway's sign-in page the browser is on. */
export async function signIn(page: Page, username: string, password = 'demo'): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A page in a browser context of its own (its own cookies), and what it did. */
export interface TrackedPage {
  page: Page;
  /** Every URL the context requested, WebSocket ones included, in order. */
  requested: string[];
  /** The page's uncaught errors, and the Content Security Policy violations its console reported. */
  problems: string[];
  /** Closes the page and its context. */
  close(): Promise<void>;
}

/** A file's browser tests: one gateway on the embedded store and one Chromium for all of them. */
export interface BrowserSuite {
  /** The gateway, once `beforeAll` has run. */
  readonly gw: TestGateway;
  /** Opens a page in a fresh context, tracking its requests and problems. */
  open(options?: BrowserContextOptions): Promise<TrackedPage>;
}

/**
 * Starts a gateway and Chromium side by side before the file's tests and closes both after them
 * (call it inside `describe`; a later `beforeAll` there sees both started).
 */
export function browserSuite(): BrowserSuite {
  let gw: TestGateway | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [gw, browser] = await Promise.all([startTestGateway('sqlite'), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });
  return {
    get gw() {
      if (!gw) throw new Error('the gateway starts in beforeAll');
      return gw;
    },
    async open(options = {}) {
      if (!browser) throw new Error('Chromium starts in beforeAll');
      const context = await browser.newContext(options);
      const page = await context.newPage();
      const requested: string[] = [];
      const problems: string[] = [];
      context.on('request', (request) => requested.push(request.url()));
      page.on('websocket', (socket) => requested.push(socket.url()));
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
      });
      return { page, requested, problems, close: () => context.close() };
    },
  };
}
