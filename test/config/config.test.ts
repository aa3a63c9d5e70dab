import { ConfigError, loadConfig } from '../../src/config/index.js';

/** The ConfigError `loadConfig(env)` throws; fails the test when it throws nothing or something else. */
function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('listens on port 4000', () => {
    expect(loadConfig({}).port).toBe(4000);
  });

  it('leaves the public URL to the port the gateway listens on when PUBLIC_URL is unset', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBeUndefined();
  });

  it('takes PUBLIC_URL without its trailing slash', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://gateway.example/' }).publicUrl).toBe('https://gateway.example');
  });

  it('needs JWT_ISSUER and JWT_JWKS_URL together', () => {
    expect(() => loadConfig({ JWT_ISSUER: 'https://issuer.example' })).toThrow(/JWT_ISSUER and JWT_JWKS_URL/);
    expect(loadConfig({ JWT_ISSUER: 'https://issuer.example', JWT_JWKS_URL: 'https://issuer.example/jwks', JWT_AUDIENCE: 'portability' }).externalIssuer).toEqual({
      issuer: 'https://issuer.example',
      jwksUrl: 'https://issuer.example/jwks',
      audience: 'portability',
    });
  });

  it('needs JWT_AUDIENCE whenever JWT_ISSUER is set, naming it', () => {
    const error = configErrorFor({ JWT_ISSUER: 'https://issuer.example', JWT_JWKS_URL: 'https://issuer.example/jwks' });
    expect(error.message).toMatch(/JWT_AUDIENCE: required when JWT_ISSUER is set/);
  });

  it('runs in development', () => {
    expect(loadConfig({}).nodeEnv).toBe('development');
  });

  it('seeds demo data in development', () => {
    expect(loadConfig({}).demoData).toBe(true);
  });

  it('does not seed demo data with NODE_ENV=production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).demoData).toBe(false);
  });

  it('lets DEMO_DATA=true override the production default', () => {
    expect(loadConfig({ NODE_ENV: 'production', DEMO_DATA: 'true' }).demoData).toBe(true);
  });

  it('uses the embedded store under ./data', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('./data');
  });

  it('batches loads', () => {
    expect(loadConfig({}).batching).toBe(true);
  });

  it('treats a blank variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 4000, databaseUrl: undefined });
  });

  it('accepts a postgres:// DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/x' }).databaseUrl).toBe('postgres://u@db:5432/x');
  });
});

describe('loadConfig refuses bad values', () => {
  it.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'mysql://x'],
    ['DEMO_DATA', 'yes'],
    ['BATCHING', 'maybe'],
    ['TRUST_PROXY', 'yes'],
    ['METRICS_TOKEN', 'too-short'],
    ['RATE_LIMIT_ANONYMOUS_REQUESTS', '0'],
    ['RATE_LIMIT_SIGN_IN_FAILURES', 'ten'],
    ['RATE_LIMIT_SIGN_IN_FAILURES_PER_ADDRESS', '-1'],
  ])('%s=%s throws a ConfigError naming the variable', (name, value) => {
    expect(configErrorFor({ [name]: value }).message).toContain(name);
  });

  it('names every bad variable at once', () => {
    const { message } = configErrorFor({ PORT: 'abc', DATABASE_URL: 'mysql://x', DEMO_DATA: 'yes', BATCHING: 'maybe' });
    for (const name of ['PORT', 'DATABASE_URL', 'DEMO_DATA', 'BATCHING']) expect(message).toContain(name);
  });

  it('does not name a variable that is fine', () => {
    const { message } = configErrorFor({ PORT: 'abc', BATCHING: 'on' });
    expect(message).not.toContain('BATCHING');
  });
});

describe('EXTRA_ELIGIBLE_COUNTRIES', () => {
  it('reads a comma-separated list of country codes', () => {
    expect([...loadConfig({ EXTRA_ELIGIBLE_COUNTRIES: 'GB,CH' }).extraEligibleCountries]).toEqual(['GB', 'CH']);
  });

  it('refuses anything but two-letter codes, naming the variable', () => {
    expect(() => loadConfig({ EXTRA_ELIGIBLE_COUNTRIES: 'uk; switzerland' })).toThrow(/EXTRA_ELIGIBLE_COUNTRIES/);
  });
});

describe('PLAYGROUND', () => {
  it('serves the playground in development', () => {
    expect(loadConfig({}).playground).toBe(true);
  });

  it('serves no playground with NODE_ENV=production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).playground).toBe(false);
  });

  it('lets PLAYGROUND=on turn the playground on in production', () => {
    expect(loadConfig({ NODE_ENV: 'production', PLAYGROUND: 'on' }).playground).toBe(true);
  });

  it('refuses anything but on or off, naming the variable', () => {
    expect(configErrorFor({ PLAYGROUND: 'yes' }).message).toContain('PLAYGROUND');
  });
});

describe('TRUST_PROXY', () => {
  it('trusts no forwarded headers unless TRUST_PROXY=on', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'on' }).trustProxy).toBe(true);
  });
});

describe('loadConfig limits', () => {
  it('turns introspection off in production unless INTROSPECTION=on', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).limits.introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', INTROSPECTION: 'on' }).limits.introspection).toBe(true);
    expect(loadConfig({}).limits.introspection).toBe(true);
  });

  it('refuses a user bucket smaller than the most one operation may cost', () => {
    expect(configErrorFor({ MAX_QUERY_COST: '5000', RATE_LIMIT_USER_POINTS: '4000' }).message).toMatch(/RATE_LIMIT_USER_POINTS/);
  });
});

describe('SUBGRAPHS', () => {
  it('leaves every category embedded when unset', () => {
    expect(loadConfig({}).federation).toEqual({ subgraphs: [], token: undefined, timeoutMs: 5000 });
  });

  it('takes category=url pairs, the token and the timeout', () => {
    const { federation } = loadConfig({
      SUBGRAPHS: 'posts=http://posts.internal:4001/graphql, messages=https://dm.internal/graphql',
      SUBGRAPH_TOKEN: 'subgraph-secret',
      SUBGRAPH_TIMEOUT_MS: '1500',
    });
    expect(federation).toEqual({
      subgraphs: [
        { category: 'posts', url: 'http://posts.internal:4001/graphql' },
        { category: 'messages', url: 'https://dm.internal/graphql' },
      ],
      token: 'subgraph-secret',
      timeoutMs: 1500,
    });
  });

  it.each([
    ['an unknown category', 'post=http://posts.internal/graphql', /"post" is not a category/],
    ['the same category twice', 'posts=http://a.internal/graphql,posts=http://b.internal/graphql', /posts is named twice/],
    ['a URL that is not http(s)', 'posts=ftp://posts.internal/graphql', /posts's URL "ftp:\/\/posts.internal\/graphql" is not an http\(s\) URL/],
    ['a pair without a URL', 'posts', /posts's URL "" is not an http\(s\) URL/],
  ])('refuses %s, naming SUBGRAPHS', (_what, value, reason) => {
    const error = configErrorFor({ SUBGRAPHS: value });
    expect(error.message).toMatch(/SUBGRAPHS: /);
    expect(error.message).toMatch(reason);
  });

  it('refuses a timeout that is not a positive whole number of milliseconds', () => {
    expect(configErrorFor({ SUBGRAPH_TIMEOUT_MS: '0' }).message).toMatch(/SUBGRAPH_TIMEOUT_MS/);
    expect(configErrorFor({ SUBGRAPH_TIMEOUT_MS: 'soon' }).message).toMatch(/SUBGRAPH_TIMEOUT_MS/);
  });
});
