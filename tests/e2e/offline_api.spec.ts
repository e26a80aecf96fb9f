import { test, expect } from '@playwright/test';
import { screenshot } from './helpers';

test('with the API blocked, the probe says so plainly and everything else works', async ({ page }) => {
  await page.route('**/api/**', (route) => route.abort('blockedbyclient'));
  await page.goto('/');
  await page.getByLabel('Server name or public IP address').fill('rdp.example.test');
  await page.getByRole('button', { name: 'Probe from outside' }).click();
  await expect(page.getByRole('alert')).toHaveText("The probe service can't be reached from here; everything else still works.");

  await page.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');
  await expect(page.getByRole('region', { name: 'What the codes mean' })).toContainText('0x904');
  const before = await page.locator('.leading ol').innerText();
  await page.locator('fieldset.question').getByRole('button').first().click();
  await expect(page.locator('.leading ol')).not.toHaveText(before);
  await expect(page.getByRole('list', { name: 'Ranked causes' }).locator('li.cause')).not.toHaveCount(0);
  await screenshot(page, 'offline-api');
});

test('a refused probe request shows the service\'s own message', async ({ page }) => {
  await page.route('**/api/probe', (route) => route.fulfill({
    status: 403,
    contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'target_not_allowed', message: 'rdp.example.com resolves to a private address.' } }),
  }));
  await page.goto('/');
  // A name the page cannot judge (an address it can, see journeys.spec.ts), so the request goes.
  await page.getByLabel('Server name or public IP address').fill('rdp.example.com');
  await page.getByRole('button', { name: 'Probe from outside' }).click();
  await expect(page.getByRole('alert')).toContainText('rdp.example.com resolves to a private address.');
});

const stage = (stage: string, status: string, verdict: string, findings: object[] = []) =>
  JSON.stringify({ type: 'stage', stage, status, verdict, started_ms: 0, duration_ms: 5, details: { kind: 'none' }, findings, connections_opened: 1 });

test('streamed probe stages appear one by one and feed the diagnosis', async ({ page }) => {
  const refused = [{ severity: 'error', title: 'The port refused the connection', detail: 'TCP RST from 127.0.0.1:3389', evidence: 'probe.tcp_refused' }];
  const tcp = JSON.parse(stage('tcp', 'failed', 'Connection refused', refused));
  await page.route('**/api/probe', (route) => route.fulfill({
    status: 200,
    contentType: 'application/x-ndjson',
    body: [
      stage('tcp', 'failed', 'Connection refused', refused),
      stage('negotiation', 'skipped', 'Not reached'),
      JSON.stringify({ type: 'report', target: { host: '127.0.0.1', port: 3389 }, started_unix_ms: 0, duration_ms: 12, connections_opened: 1,
        stages: [tcp, JSON.parse(stage('negotiation', 'skipped', 'Not reached'))], certificate_chain: [] }),
    ].join('\n') + '\n',
  }));
  await page.goto('/');
  await page.getByLabel('Server name or public IP address').fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill('3389');
  await page.getByRole('button', { name: 'Probe from outside' }).click();
  const stages = page.getByRole('list', { name: 'Probe stages' });
  await expect(stages.locator('li.stage')).toHaveCount(2);
  await expect(stages).toContainText('TCP connection');
  await expect(stages).toContainText('The port refused the connection');
  await expect(page.getByRole('list', { name: 'Ranked causes' }).locator('.reasons').first()).toContainText(/probe/);
  await screenshot(page, 'probe-stream');
});

test('the path picture shows where the probe saw it break while the causes still disagree', async ({ page }) => {
  const stages = [stage('tcp', 'ok', 'Open'), stage('negotiation', 'ok', 'TLS selected'),
    stage('tls', 'failed', 'The handshake was dropped')];
  await page.route('**/api/probe', (route) => route.fulfill({
    status: 200,
    contentType: 'application/x-ndjson',
    body: [...stages,
      JSON.stringify({ type: 'report', target: { host: '127.0.0.1', port: 3389 }, started_unix_ms: 0, duration_ms: 12, connections_opened: 2,
        stages: stages.map((s) => JSON.parse(s)), certificate_chain: [] }),
    ].join('\n') + '\n',
  }));
  await page.goto('/');
  const path = page.locator('figure.path');
  await expect(path.locator('figcaption')).toHaveText('Where the connection breaks is not clear yet.');
  await page.getByLabel('Server name or public IP address').fill('127.0.0.1');
  await page.getByRole('button', { name: 'Probe from outside' }).click();
  await expect(path.locator('figcaption')).toHaveText('The probe saw the connection break at: TLS.');
  await expect(path.locator('[aria-current="step"]')).toContainText('TLS');
});
