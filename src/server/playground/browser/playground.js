// The gateway's playground: GraphiQL (UMD build, with React) over this gateway's own endpoints.
// Queries and mutations go over HTTP POST, subscriptions over graphql-ws on the same path, both
// with the Authorization header the headers editor holds; "Sign in" fills that header in.
// One function around the whole file on purpose: a classic script keeps its names out of the page's
// globals this way; its parts are the named functions inside.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('playground-config').textContent);
  var SESSION_KEY = 'playground.session';

  // A sign-in just finished: keep it for this tab only, and take the callback out of the address bar.
  if (config.session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(config.session));
  if (location.pathname !== config.endpoint) history.replaceState(null, '', config.endpoint);
  var session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');

  var status = document.getElementById('playground-status');
  var signOut = document.getElementById('playground-sign-out');
  if (session) {
    status.textContent = 'Signed in as ' + session.user + ' for ' + session.app + ': ' + session.access;
    signOut.hidden = false;
  } else {
    status.textContent = config.signIn
      ? 'Sign in as a demo user (alice or bob, password demo) to query their data.'
      : 'Put an access token in the headers editor: {"Authorization": "Bearer <token>"}';
  }
  signOut.addEventListener('click', function () {
    sessionStorage.removeItem(SESSION_KEY);
    location.assign(config.endpoint);
  });

  var socketUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + config.endpoint;

  function authorizationOf(headers) {
    for (var name in headers || {}) if (name.toLowerCase() === 'authorization') return String(headers[name]);
    return undefined;
  }

  // Whether the operation to run is a subscription: the keyword that opens it, outside braces,
  // strings and comments. GraphiQL names the operation when the document holds several.
  function isSubscription(query, operationName) {
    var text = query.replace(/"""[\s\S]*?"""|"(?:\\.|[^"\\])*"|#[^\n]*/g, ' ');
    var depth = 0;
    var first;
    var token = /[{}]|\b(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/g;
    for (var match; (match = token.exec(text)); ) {
      if (match[0] === '{') depth++;
      else if (match[0] === '}') depth--;
      else if (depth === 0) {
        if (!operationName || match[2] === operationName) return match[1] === 'subscription';
        if (first === undefined) first = match[1];
      }
    }
    // Right after a tab switch GraphiQL may still name the previous tab's operation.
    return first === 'subscription';
  }

  function subscribe(params, authorization) {
    return {
      subscribe: function (observer) {
        var client = graphqlWs.createClient({
          url: socketUrl,
          lazy: false,
          retryAttempts: 0,
          connectionParams: authorization ? { authorization: authorization } : {},
        });
        var dispose = client.subscribe(params, {
          next: function (value) { observer.next(value); },
          complete: function () { observer.complete(); },
          error: function (error) {
            if (Array.isArray(error)) {
              observer.next({ errors: error });
              observer.complete();
            } else if (error && typeof error.code === 'number') {
              var hint = error.code === 4403 ? ': the token was refused, or its grant ended. Sign in again.' : error.reason ? ': ' + error.reason : '';
              observer.error(new Error('The stream closed with code ' + error.code + hint));
            } else {
              observer.error(error instanceof Error ? error : new Error('The stream failed'));
            }
          },
        });
        return {
          unsubscribe: function () {
            dispose();
            client.dispose();
          },
        };
      },
    };
  }

  async function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    if (isSubscription(params.query || '', params.operationName)) {
      // A stale name (the previous tab's) is dropped: the document's one operation runs.
      var named = !params.operationName || new RegExp('\\b(query|mutation|subscription)\\s+' + params.operationName + '\\b').test(params.query || '');
      return subscribe(named ? params : Object.assign({}, params, { operationName: undefined }), authorizationOf(headers));
    }
    var response = await fetch(config.endpoint, {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }, headers),
      body: JSON.stringify(params),
    });
    var text = await response.text();
    try {
      return JSON.parse(text);
    } catch (_) {
      return { errors: [{ message: 'HTTP ' + response.status + ': ' + text }] };
    }
  }

  var VIEWER = [
    '# Your data, as the signed-in app sees it. Ctrl-Enter runs it.',
    'query Viewer {',
    '  grant { app { name } categories mode expiresAt }',
    '  viewer {',
    '    profile { username displayName country }',
    '    posts(first: 5) {',
    '      edges { cursor node { id caption createdAt } }',
    '      pageInfo { hasNextPage endCursor }',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
  var CHANGES = [
    '# Each change to your data as it commits (continuous access).',
    '# Run it, then make changes happen: npm run simulate (README).',
    'subscription Changes {',
    '  changes(categories: [POSTS, FOLLOWS, MESSAGES]) {',
    '    cursor category operation id occurredAt',
    '    node { id ... on Post { caption } ... on Message { text } }',
    '  }',
    '}',
    '',
  ].join('\n');

  var headers = session ? JSON.stringify({ Authorization: 'Bearer ' + session.token }, null, 2) : '{}';

  fetch(config.schema)
    .then(function (response) { return response.json(); })
    .then(function (introspection) {
      var root = ReactDOM.createRoot(document.getElementById('graphiql'));
      root.render(
        React.createElement(GraphiQL, {
          fetcher: fetcher,
          schema: introspection,
          defaultTabs: [{ query: VIEWER, headers: headers }, { query: CHANGES, headers: headers }],
          defaultHeaders: headers,
          headers: headers,
          defaultEditorToolsVisibility: 'headers',
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: false,
        }),
      );
    });
})();
