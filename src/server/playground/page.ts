import { html, Raw } from '../../auth/index.js';

/** The signed-in developer, as the page shows it; the token goes into the Authorization header. */
export interface PlaygroundSession {
  token: string;
  user: string;
  app: string;
  /** The granted categories and mode, in words. */
  access: string;
}

export interface PageOptions {
  /** Offer the demo app's sign-in (development only). */
  signIn: boolean;
  /** A session just signed in: the page keeps it for the tab and clears the callback from the address bar. */
  session?: PlaygroundSession | undefined;
  /** Why a sign-in failed, in words a developer acts on. */
  error?: string | undefined;
}


/** The page loads its own scripts and styles only; GraphiQL sets inline styles, and the stream is same-origin. */
export const PLAYGROUND_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/** JSON for a `<script type="application/json">`: nothing in it can close the element. */
function scriptJson(value: unknown): Raw {
  return new Raw(JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'));
}

const asset = (name: string) => `/playground/assets/${name}`;

/** GraphiQL's page, with the sign-in bar above it. */
export function playgroundPage(options: PageOptions): string {
  const config = { endpoint: '/graphql', schema: '/playground/schema.json', signIn: options.signIn, session: options.session };
  const signIn = options.signIn
    ? html`<form class="sign-in" method="get" action="/playground/sign-in">
    <label for="playground-mode">Access</label>
    <select id="playground-mode" name="mode">
      <option value="ongoing">continuous (ongoing): queries and subscriptions</option>
      <option value="single">one-time copy (single): queries only</option>
    </select>
    <button type="submit" id="playground-sign-in">Sign in</button>
  </form>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Playground · portability gateway</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset('graphiql.css')}">
<link rel="stylesheet" href="${asset('playground.css')}">
</head>
<body>
<header class="playground-bar">
  <strong>Portability gateway</strong>
  <span id="playground-status" role="status"></span>
  ${signIn}
  <button type="button" id="playground-sign-out" hidden>Sign out</button>
  ${options.error ? html`<p class="playground-error" role="alert">${options.error}</p>` : ''}
</header>
<div id="graphiql">Loading GraphiQL…</div>
<script type="application/json" id="playground-config">${scriptJson(config)}</script>
<script src="${asset('react.js')}"></script>
<script src="${asset('react-dom.js')}"></script>
<script src="${asset('graphiql.js')}"></script>
<script src="${asset('graphql-ws.js')}"></script>
<script src="${asset('playground.js')}"></script>
</body>
</html>`.value;
}
