import * as oauth from 'oauth4webapi';
import { DEMO_APP } from '../../src/auth/index.js';

/** Where the demo app sends a user of the gateway at `base` to sign in and consent to `scope` (state and PKCE included). */
export async function demoAuthorizationUrl(base: string, scope = 'portability.posts.single'): Promise<string> {
  const metadata = (await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json()) as { authorization_endpoint: string };
  const url = new URL(metadata.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: DEMO_APP.clientId,
    redirect_uri: DEMO_APP.redirectUris[0],
    response_type: 'code',
    scope,
    state: oauth.generateRandomState(),
    code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
    code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

/**
 * A user agent for OAuth flows without a browser: it keeps cookies, follows redirects within the
 * gateway, and stops at the first redirect that leaves it (the app's redirect URI).
 */
export class Browser {
  #cookies = new Map<string, string>();

  constructor(readonly origin: string) {}

  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(new URL(url, this.origin), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = pair!.split('=');
      if (/expires=Thu, 01 Jan 1970/i.test(header) || value.join('=') === '') this.#cookies.delete(name!.trim());
      else this.#cookies.set(name!.trim(), value.join('='));
    }
    return response;
  }

  /** Requests `url` and follows redirects inside the gateway; returns the last response and where it ended. */
  async follow(url: string, init: RequestInit = {}): Promise<{ response: Response; url: URL }> {
    let current = new URL(url, this.origin);
    let response = await this.request(current.href, init);
    for (let hops = 0; response.status >= 300 && response.status < 400 && hops < 10; hops++) {
      current = new URL(response.headers.get('location')!, current);
      if (current.origin !== this.origin) return { response, url: current };
      response = await this.request(current.href);
    }
    return { response, url: current };
  }

  /** Submits a form as a browser would: urlencoded, following redirects. */
  submit(url: string, fields: Record<string, string>): Promise<{ response: Response; url: URL }> {
    return this.follow(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

/** The `action` of the page's form that posts to a path ending in `suffix`. */
export function formAction(html: string, suffix: string): string {
  const action = [...html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1]!).find((a) => a.endsWith(suffix));
  if (!action) throw new Error(`no form posting to …${suffix} in:\n${html}`);
  return action;
}
