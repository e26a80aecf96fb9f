// The three ways people use RDP Doctor, end to end against the Worker: the help page (someone who
// only connects), the support link (an agent prepares it, the user opens it and sends results
// back) and the wiki embed. Each saves screenshots under target/screenshots/ to be looked at.
import { test, expect, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { screenshot } from './helpers';
import { makeCertificate, startTlsOnlyServer } from './rdp_tls_server';

const port = Number(process.env.E2E_PORT ?? 8799);
// Allowed by the Worker's ALLOWED_PORTS in playwright.config.ts.
const TLS_PORT = port + 5;
const CLOSED_PORT = port + 6;
// A second wiki's origin, one the Worker's FRAME_ANCESTORS does not list.
const OTHER_WIKI_PORT = port + 7;

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** Answers each question the wizard puts with the option `pick` chooses, until none is left. */
async function answerAll(page: Page, pick: (labels: string[]) => number, seen: string[] = []) {
  const question = page.locator('fieldset.question');
  for (let i = 0; i < 20 && (await question.count()) > 0; i++) {
    const legend = await question.locator('legend').innerText();
    seen.push(legend);
    const options = await question.getByRole('button').allInnerTexts();
    await question.getByRole('button').nth(pick(options)).click();
    await expect(page.locator('.answers')).toContainText(legend);
  }
  return seen;
}

test('help page: someone who only connects gets their own checks and a message for IT', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');
  const question = page.locator('fieldset.question');
  // The first question assumes no access to the server, and nothing server-side is open yet.
  await expect(question.locator('legend')).toHaveText('Are you trying to connect, do you manage the server, or are you helping someone?');
  await expect(page.locator('li.cause details[open]')).toHaveCount(0);
  await screenshot(page, 'journeys-help-1-role');

  await question.getByRole('button', { name: 'I am trying to connect to a remote computer' }).click();
  // Focus moves to the next question's text, not to one of its buttons.
  await expect(question.locator('legend')).toBeFocused();
  const asked = await answerAll(page, (labels) => labels.length - 1);
  expect(asked.join('\n')).not.toContain("server's event log");
  // Commands in the questions show as code, not as backticks.
  await expect(page.locator('.answers')).not.toContainText('`');

  // Fixes only the server's administrator can make stay folded, and say who makes them.
  const folded = page.locator('details.for-it');
  expect(await folded.count()).toBeGreaterThan(0);
  await expect(folded.first().locator('summary')).toContainText("the server's administrator");

  // The hand-over: a ready message with the link to the results.
  const message = page.getByRole('textbox', { name: 'Send this to your IT' });
  await expect(message).toHaveValue(/I cannot connect with Remote Desktop\.\nThe error says: Error code 0x904, Extended error code 0x7\./);
  await expect(message).toHaveValue(/answers=[^ ]*role%3Aend_user/);
  await page.getByRole('button', { name: 'Copy the message for IT' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("RDP Doctor's diagnosis: Most likely");
  await screenshot(page, 'journeys-help-2-handover');

  // The ticket export: small, dated, leading with the top cause.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download Markdown (for a ticket)' }).click(),
  ]);
  const md = fs.readFileSync(await download.path(), 'utf8');
  expect(Buffer.byteLength(md)).toBeLessThanOrEqual(10 * 1024);
  expect(md.split('\n')[2]).toMatch(/^\*\*Most likely: /);
  expect(md).toMatch(/- Date: \d{4}-\d\d-\d\dT/);
});

test('help page: an internal server name gets the commands to run inside its network', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Server name or public IP address').fill('MYPC.corp.local');
  const inside = page.getByRole('note', { name: /run the check inside it/ });
  await expect(inside).toContainText('rdp-doctor probe MYPC.corp.local:3389');
  await expect(inside).toContainText('Test-NetConnection MYPC.corp.local -Port 3389');
  await expect(inside.getByRole('button', { name: 'Copy the probe command for MYPC.corp.local:3389' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Probe from outside' })).toBeDisabled();
  for (const host of ['10.1.2.3', 'fileserver', '192.168.0.20']) {
    await page.getByLabel('Server name or public IP address').fill(host);
    await expect(page.getByRole('note', { name: /run the check inside it/ })).toContainText(`rdp-doctor probe ${host}:3389`);
  }
  await screenshot(page, 'journeys-help-3-internal');
});

test('help page: untrusted text never enters the ticket as markup', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Paste the error message').fill('Error code: 0x904');
  await page.getByLabel('Server name or public IP address').fill('<img src=x onerror=alert(1)>[a](javascript:x)');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download Markdown (for a ticket)' }).click(),
  ]);
  const md = fs.readFileSync(await download.path(), 'utf8');
  expect(md).not.toContain('<img');
  expect(md).not.toContain('](javascript');
  expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;\\[a\\]\\(javascript:x\\)');
});

test('support link: an agent prepares it, the user opens it, probes in one click and sends results back', async ({ page, browser }) => {
  // The agent.
  await page.goto('/');
  await page.locator('fieldset.question').getByRole('button', { name: 'I am helping someone who cannot connect' }).click();
  const form = page.getByRole('region', { name: 'Prepare a link for a user' });
  await form.getByLabel('Server name or address').fill('127.0.0.1');
  await form.getByLabel('Port', { exact: true }).fill(String(CLOSED_PORT));
  await form.getByLabel('The error the user reported').fill('Error code: 0x904\nExtended error code: 0x7');
  await form.getByLabel('A note for the user').fill('Please press the check button & send me the results link. <b>Thanks</b>');
  await form.getByLabel(/Who you are and how to reach you/).fill('Sam at Contoso IT, ext. 1234');
  const prepared = await form.getByLabel('The link to send').inputValue();
  expect(prepared).toContain('contact=Sam%20at%20Contoso%20IT');
  await form.getByRole('button', { name: 'Copy the link for the user' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(prepared);
  await screenshot(page, 'journeys-link-1-agent');

  // The user, in a browser of their own.
  const user = await browser.newContext();
  const userPage = await user.newPage();
  await userPage.goto(prepared);
  const banner = userPage.getByRole('region', { name: 'Prepared for you by Sam at Contoso IT, ext. 1234' });
  await expect(banner).toContainText('Please press the check button & send me the results link. <b>Thanks</b>');
  await expect(userPage.getByRole('region', { name: 'What the codes mean' })).toContainText('0x904');
  await banner.getByRole('button', { name: `Check 127.0.0.1:${CLOSED_PORT} from outside now` }).click();
  await expect(userPage.getByText(/Probe finished in/)).toBeVisible({ timeout: 45_000 });
  await userPage.locator('fieldset.question').getByRole('button', { name: 'I am trying to connect to a remote computer' }).click();
  await screenshot(userPage, 'journeys-link-2-user');
  const results = await userPage.getByLabel('Link to my results', { exact: true }).inputValue();
  const ranking = await userPage.locator('.leading ol').textContent();
  await user.close();

  // The agent opens the results.
  const agent = await browser.newContext();
  const agentPage = await agent.newPage();
  await agentPage.goto(results);
  await expect(agentPage.locator('.leading ol')).toHaveText(ranking ?? '');
  await expect(agentPage.locator('.answers')).toContainText('I am trying to connect');
  // The probe's report comes back in full, not as a list of ids.
  await expect(agentPage.getByRole('list', { name: 'Probe stages' })).toContainText('TCP connection');
  await expect(agentPage.locator('.probe-summary')).toContainText('Reachable');
  await screenshot(agentPage, 'journeys-link-3-results');
  await agent.close();
});

test('wiki embed: the frame follows the content both ways, and a blocked frame explains itself', async ({ page, baseURL }) => {
  // A wiki page on the app's own origin (allowed by the default FRAME_ANCESTORS 'self').
  const wiki = (title: string) => `<!doctype html><html lang="en"><head><title>${title}</title></head><body>
    <h1>IT wiki: Remote Desktop</h1>
    <div data-rdp-doctor></div><script src="${baseURL}/embed.js"></script></body></html>`;
  await page.route(`${baseURL}/wiki-page`, (route) => route.fulfill({ contentType: 'text/html', body: wiki('Wiki') }));
  await page.setViewportSize({ width: 800, height: 900 });
  await page.goto('/wiki-page');
  const iframe = page.locator('iframe[title^="RDP Doctor"]');
  const frame = page.frameLocator('iframe[title^="RDP Doctor"]');
  await frame.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');
  await expect(frame.locator('.site-header')).toHaveCount(0);
  const height = async () => (await iframe.boundingBox())?.height ?? 0;
  await expect.poll(height).toBeGreaterThan(900);
  const folded = await height();
  await frame.getByText(/less likely causes/).click();
  await expect.poll(height).toBeGreaterThan(folded + 100);
  await frame.getByText(/less likely causes/).click();
  await expect.poll(height).toBeLessThan(folded + 20);
  await screenshot(page, 'journeys-embed-1-wiki');

  // A wiki on an origin FRAME_ANCESTORS does not list, served from this machine (a routed page
  // would count as public, and Chromium keeps public pages from loading loopback scripts): the
  // browser blocks the frame, and the embed script puts an explanation and a link in its place.
  const wikiServer = http.createServer((_, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end(wiki('Other wiki'));
  });
  await new Promise<void>((resolve) => wikiServer.listen(OTHER_WIKI_PORT, '127.0.0.1', resolve));
  const other = `http://127.0.0.1:${OTHER_WIKI_PORT}`;
  try {
    await page.goto(`${other}/`);
    const note = page.getByRole('note');
    await expect(note).toContainText(`does not allow ${other} to embed it`, { timeout: 20_000 });
    await expect(note.getByRole('link', { name: 'Open RDP Doctor in a new tab' })).toHaveAttribute('href', `${baseURL}/`);
    await screenshot(page, 'journeys-embed-2-blocked');
  } finally {
    wikiServer.close();
  }
});

test('done when: an expired certificate on a TLS-only server leads the diagnosis with its dates', async ({ page }) => {
  const server = await startTlsOnlyServer(TLS_PORT, makeCertificate(-1));
  try {
    await page.goto('/');
    await page.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');
    await page.getByLabel('Server name or public IP address').fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(TLS_PORT));
    await page.getByRole('button', { name: 'Probe from outside' }).click();
    await expect(page.getByText(/Probe finished in/)).toBeVisible({ timeout: 45_000 });
    const report = page.locator('.probe-result');
    await expect(report).toContainText(/expired/i);
    await screenshot(page, 'journeys-done-expired');
    const top = page.getByRole('list', { name: 'Ranked causes' }).locator('li.cause').first();
    await expect(top.locator('.cause-title')).toContainText(/certificate/i);
  } finally {
    server.close();
  }
});
