import type { Page } from 'playwright-core';
import { browserSuite, screenshot, signIn } from '../helpers/chromium.js';

/** The text GraphiQL's response editor shows. */
function responseText(page: Page): Promise<string> {
  return page.locator('.result-window').innerText();
}

function waitForResponse(page: Page, text: string, timeout = 10_000): Promise<unknown> {
  return page.locator('.result-window', { hasText: text }).waitFor({ timeout });
}

describe('the playground in a browser', () => {
  const suite = browserSuite();

  it('signs in, runs a query and receives a change on a subscription, asking nothing of any other host', async () => {
    const { gw } = suite;
    const gateway = new URL(gw.gateway.url);
    const { page, requested, problems, close } = await suite.open({ viewport: { width: 1400, height: 900 } });

    await page.goto(`${gw.gateway.url}/graphql`);
    await page.locator('.graphiql-container').waitFor();
    await screenshot(page, 'playground-1-loaded');

    await page.getByRole('button', { name: 'Sign in' }).click();
    await signIn(page, 'alice');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.locator('.graphiql-container').waitFor();
    expect(page.url()).toBe(`${gw.gateway.url}/graphql`);
    expect(await page.locator('#playground-status').innerText()).toMatch(/^Signed in as alice for Demo backup app/);

    await page.locator('.graphiql-execute-button').click();
    await waitForResponse(page, '"username": "alice"');
    expect(await responseText(page)).toContain('"RECURRING"');
    await screenshot(page, 'playground-2-viewer-query');

    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.getByText('Root Types').waitFor();
    await page.getByRole('link', { name: 'Query' }).first().click();
    await page.getByText('The grant the caller\'s access token was issued under.').waitFor();
    await screenshot(page, 'playground-3-docs');

    await page.locator('.graphiql-tab', { hasText: 'Changes' }).click();
    await page.locator('.graphiql-execute-button').click();
    // Without `after` the stream starts at the present: post until one arrives, so the test never depends on timing.
    for (let n = 1; ; n++) {
      const caption = `Hello from the playground test, take ${n}`;
      const { body } = await gw.ingest([
        { id: `evt-playground-${n}`, type: 'post.upsert', data: { id: `playground-${n}`, authorId: 'alice', caption, visibility: 'PUBLIC', createdAt: new Date().toISOString() } },
      ]);
      expect(body.results?.[0]?.status ?? body).toBe('applied');
      const arrived = await waitForResponse(page, caption, 2000).then(() => true, () => false);
      if (arrived) break;
      if (n === 5) throw new Error(`no change reached the playground: ${await responseText(page)}`);
    }
    expect(await responseText(page)).toContain('"operation": "UPSERT"');
    await screenshot(page, 'playground-4-change-received');
    await close();

    expect(problems).toEqual([]);
    expect(requested.length).toBeGreaterThan(8);
    const elsewhere = requested.filter((url) => new URL(url).host !== gateway.host);
    expect(elsewhere).toEqual([]);
  }, 90_000);
});
