const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe to place in HTML content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A template tag that escapes every interpolated value except {@link raw} fragments. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0]!;
  values.forEach((value, i) => {
    const parts = Array.isArray(value) ? value : [value];
    out += parts.map((part) => (part instanceof Raw ? part.value : escapeHtml(String(part ?? '')))).join('') + strings[i + 1]!;
  });
  return new Raw(out);
}

/** Markup that {@link html} inserts as it is. */
export class Raw {
  constructor(readonly value: string) {}
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2129; }
  main { max-width: 34rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 3px #0002; }
  h1 { font-size: 1.4rem; margin-top: 0; }
  label { display: block; margin: .75rem 0 .25rem; }
  input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; }
  fieldset { border: 1px solid #d0d4da; border-radius: 6px; margin: 1rem 0; }
  fieldset label { display: flex; gap: .5rem; align-items: baseline; }
  button { font: inherit; padding: .5rem 1.25rem; margin: 1rem .5rem 0 0; border-radius: 6px; border: 1px solid #888; cursor: pointer; }
  button.primary { background: #1a56db; color: #fff; border-color: #1a56db; }
  .error { color: #b42318; }
  table { border-collapse: collapse; width: 100%; font-size: .9rem; }
  th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
`;

/** The labelled sign-in form both the OAuth sign-in and the account page show. */
export function signInForm(action: string, error?: string, username = ''): Raw {
  return html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="${action}">
  <label for="username">Username</label>
  <input id="username" name="username" type="text" autocomplete="username" value="${username}" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button class="primary" type="submit">Sign in</button>
</form>`;
}

/** What a throttled sign-in gets, with 429 and `Retry-After`: how long to wait, in words. */
export function tooManySignInsPage(retryAfterSeconds: number): string {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const wait = retryAfterSeconds < 60 ? `${retryAfterSeconds} seconds` : minutes === 1 ? 'a minute' : `${minutes} minutes`;
  return page(
    'Too many sign-in attempts',
    html`<h1>Too many sign-in attempts</h1>
<p class="error" role="alert">There have been too many failed sign-ins from here. Wait ${wait}, then try again.</p>`,
  );
}

/** A whole page: inline style only, nothing loaded from anywhere else. */
export function page(title: string, body: Raw): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new Raw(STYLE)}</style>
</head>
<body><main>${body}</main></body>
</html>`.value;
}
