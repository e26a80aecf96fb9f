// "Check from the inside": the read-only server and client checks are served and shown in full
// with copy buttons, and a pasted server check's findings reach the diagnosis without anything
// leaving the page.
import { test, expect } from '@playwright/test';
import { fixture } from './analysis';
import { screenshot } from './helpers';

test('both check scripts are served as they are in static/collect/', async ({ request }) => {
  for (const name of ['server', 'client']) {
    const response = await request.get(`/collect/${name}.ps1`);
    expect(response.ok()).toBe(true);
    const served = await response.text();
    expect(served).toBe(fixture(`static/collect/${name}.ps1`).toString('utf8'));
    expect(served).toContain('What it never does');
    expect(served).toContain(`rdp-doctor.${name}-check/1`);
  }
});

test('a pasted server check with a disabled Remote Desktop rule puts the firewall first', async ({ page }) => {
  // The healthy server of the core's tests, with its Remote Desktop rule disabled and no
  // successful logon in the last 24 hours.
  const check = JSON.parse(fixture('shared/tests/fixtures/snapshot/server-check-healthy.json').toString('utf8'));
  check.sections.firewall.rules[0].enabled = 'False';
  check.sections.events.events = [];
  const pasted = JSON.stringify(check, null, 2);

  const sent: string[] = [];
  page.on('request', (request) => {
    if (request.method() !== 'GET' || (request.postData() ?? '').length > 0) sent.push(`${request.method()} ${request.url()}`);
    if (request.url().includes('RemoteDesktop-UserMode')) sent.push(request.url());
  });

  await page.goto('/');
  await page.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');

  const card = page.locator('#server-check');
  await expect(card.getByRole('heading', { name: 'Check the server' })).toBeVisible();
  // Open when the engine recommends the server check; opened by hand otherwise.
  const script = card.locator('details').first();
  if (!(await script.evaluate((d) => (d as HTMLDetailsElement).open))) await script.locator('summary').click();
  await expect(card.locator('pre.script')).toContainText('rdp-doctor.server-check/1');
  await expect(card.getByRole('button', { name: 'Copy the server script' })).toBeVisible();
  await expect(card.locator('.command-line code')).toContainText('-File .\\server.ps1');

  await card.getByLabel("Paste the server check's output").fill(pasted);
  await card.getByRole('button', { name: 'Check', exact: true }).click();
  const result = card.locator('.analysis');
  await expect(result).toContainText('Read as the server check.');
  await expect(result).toContainText('Remote Desktop - User Mode (TCP-In)');
  await expect(result).toContainText("Enable-NetFirewallRule -Name 'RemoteDesktop-UserMode-In-TCP'");
  await expect(result).toContainText('security_products');

  const first = page.getByRole('list', { name: 'Ranked causes' }).locator('li.cause').first();
  await expect(first).toContainText('Windows Defender Firewall on the server blocks the RDP port');
  await expect(first).toContainText('server check');
  await screenshot(page, 'inside-server-check');
  expect(sent).toEqual([]);
});
