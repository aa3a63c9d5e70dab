import { DEMO_APP } from '../../src/auth/index.js';

/** Revokes a token at the gateway's RFC 7009 revocation endpoint, as the app that holds it would. */
export async function revokeToken(
  gatewayUrl: string,
  token: string,
  app: { clientId: string; clientSecret: string } = DEMO_APP,
  hint: 'access_token' | 'refresh_token' = 'access_token',
): Promise<Response> {
  const metadata = (await (await fetch(`${gatewayUrl}/.well-known/oauth-authorization-server`)).json()) as { revocation_endpoint: string };
  return fetch(metadata.revocation_endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ token, token_type_hint: hint }),
  });
}
