import type { IntrospectionQuery } from 'graphql';
import { DEMO_APP, setAppStatus } from '../../src/auth/index.js';
import { Browser, formAction } from '../helpers/browser.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

function open(gw: TestGateway, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${gw.gateway.url}${path}`, { redirect: 'manual', ...init, headers: { accept: BROWSER_ACCEPT, ...(init.headers as object) } });
}

describe('the playground in development', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('serves GraphiQL to a browser that GETs /graphql', async () => {
    const response = await open(gw, '/graphql');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain('<div id="graphiql">');
    expect(page).toMatch(/<button type="submit" id="playground-sign-in">Sign in<\/button>/);
  });

  it('loads only the gateway\'s own assets, and its CSP allows nothing else', async () => {
    const response = await open(gw, '/graphql');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const page = await response.text();
    const urls = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.filter((url) => url.startsWith('/playground/assets/'))).toHaveLength(7);
    for (const url of urls) expect(url).toMatch(/^(\/playground\/assets\/|\/playground\/sign-in$|data:)/);
    for (const url of urls.filter((u) => u.startsWith('/'))) {
      if (url === '/playground/sign-in') continue;
      expect([url, (await open(gw, url)).status]).toEqual([url, 200]);
    }
  });

  it('leaves a GET that prefers JSON to GraphQL', async () => {
    const response = await fetch(`${gw.gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/graphql-response+json, application/json' },
    });
    expect(response.headers.get('content-type')).toMatch(/json/);
  });

  it('gives the page the schema, documentation included', async () => {
    const body = (await (await open(gw, '/playground/schema.json')).json()) as IntrospectionQuery;
    const viewer = body.__schema.types.find((t) => t.name === 'Viewer');
    expect(body.__schema.subscriptionType).toMatchObject({ name: 'Subscription' });
    expect(viewer?.description).toEqual(expect.any(String));
  });

  it('starts the demo app\'s authorization with PKCE S256, a state, and the playground\'s callback', async () => {
    const response = await open(gw, '/playground/sign-in?mode=ongoing');
    expect(response.status).toBe(303);
    const target = new URL(response.headers.get('location')!);
    expect(target.origin).toBe(gw.gateway.url);
    expect(Object.fromEntries(target.searchParams)).toMatchObject({
      client_id: DEMO_APP.clientId,
      redirect_uri: `${gw.gateway.url}/playground/callback`,
      response_type: 'code',
      code_challenge_method: 'S256',
      scope: 'portability.profile.ongoing portability.posts.ongoing portability.follows.ongoing portability.activity.ongoing portability.messages.ongoing',
    });
    expect(target.searchParams.get('state')).toEqual(expect.any(String));
    expect(response.headers.get('set-cookie')).toMatch(/HttpOnly/i);
  });

  it('shows a sign-in against a suspended demo app a clear message', async () => {
    await setAppStatus(gw.store.db, DEMO_APP.clientId, 'SUSPENDED');
    try {
      const response = await open(gw, '/playground/sign-in');
      expect(response.status).toBe(403);
      const page = await response.text();
      expect(page).toMatch(/<p class="playground-error" role="alert">Sign-in is unavailable: the demo app \(demo-app\) is suspended\./);
      expect(page).toContain('npm run -s cli -- apps approve demo-app');
    } finally {
      await setAppStatus(gw.store.db, DEMO_APP.clientId, 'APPROVED');
    }
  });

  it('tells a user outside the EEA who signs in why the playground has no token', async () => {
    const browser = new Browser(gw.gateway.url);
    const login = await browser.follow('/playground/sign-in');
    const { response } = await browser.submit(formAction(await login.response.text(), '/login'), { username: 'carol', password: 'demo' });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('This user is registered outside the EEA, where data portability is not offered');
  });

  it('refuses a callback that no sign-in in this browser started', async () => {
    const response = await open(gw, '/playground/callback?code=abc&state=def');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('This sign-in expired or began in another browser');
  });

  it('asks for a mode it knows', async () => {
    const response = await open(gw, '/playground/sign-in?mode=forever');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Choose continuous (ongoing) or one-time (single) access.');
  });
});

describe('the playground in production', () => {
  it('is not served unless PLAYGROUND=on', async () => {
    const gw = await startTestGateway('sqlite', { NODE_ENV: 'production' });
    try {
      const response = await open(gw, '/graphql');
      expect(response.headers.get('content-type')).not.toMatch(/html/);
      expect((await open(gw, '/playground/assets/graphiql.js')).status).toBe(404);
    } finally {
      await gw.close();
    }
  });

  it('is served with PLAYGROUND=on, but without the sign-in', async () => {
    const gw = await startTestGateway('sqlite', { NODE_ENV: 'production', PLAYGROUND: 'on' });
    try {
      const page = await (await open(gw, '/graphql')).text();
      expect(page).toContain('<div id="graphiql">');
      expect(page).not.toContain('Sign in');
      expect((await open(gw, '/playground/sign-in')).status).toBe(404);
      expect((await open(gw, '/playground/schema.json')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
