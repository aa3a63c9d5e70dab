import type { Session } from './session.js';

/** A GraphQL error as the gateway reports it, with its stable `extensions.code`. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface Response<Data> {
  data?: Data;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs an operation against `/graphql` as the session's user. An expired or revoked token is
 * refreshed once and the request retried; a rate limit is waited out as `Retry-After` says.
 * Any GraphQL error fails the call: a backup must not silently skip what it could not read.
 */
export async function request<Data>(session: Session, endpoint: URL, query: string, variables: Record<string, unknown> = {}): Promise<Data> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await session.accessToken()}` },
      body: JSON.stringify({ query, variables }),
    });
    if (response.status === 401 && attempt === 0) {
      await session.refresh();
      continue;
    }
    if (response.status === 429 && attempt < 10) {
      await sleep(Number(response.headers.get('retry-after') ?? '1') * 1000);
      continue;
    }
    const body = (await response.json()) as Response<Data>;
    const error = body.errors?.[0];
    if (error) throw new GatewayError(error.message, error.extensions?.code);
    if (!response.ok || !body.data) throw new GatewayError(`HTTP ${response.status} from ${endpoint}`, undefined);
    return body.data;
  }
}
