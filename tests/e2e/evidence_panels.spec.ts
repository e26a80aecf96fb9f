// The evidence panels through the real analysis worker: certificate summary with thumbprint,
// event timeline, .rdp settings filling in the probe, all feeding the ranking.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { screenshot } from './helpers';

test('pasted certificate, events and .rdp file are analysed in the page and move the ranking', async ({ page, request }) => {
  const worker = await request.get('/analysis-worker.js');
  test.skip(!worker.ok(), 'the analysis worker (static/analysis-worker.js, dist/analysis/) is not built in this checkout');

  // A fresh self-signed certificate, as Windows makes for RDP.
  const pem = execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', '/dev/null',
    '-days', '30', '-subj', '/CN=rdp.example.test'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();

  await page.goto('/');
  await page.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');
  const before = await page.locator('.leading ol').textContent();

  await page.getByLabel('Paste the .rdp file').fill('full address:s:rdp.example.test:3389\nenablecredsspsupport:i:0');
  await page.locator('.evidence').filter({ hasText: 'The .rdp file' }).getByRole('button', { name: 'Check' }).click();
  await expect(page.getByLabel('Server name or public IP address')).toHaveValue('rdp.example.test');
  await expect(page.getByLabel('Port', { exact: true })).toHaveValue('3389');
  await expect(page.getByRole('button', { name: 'Use rdp.example.test:3389 for the probe' })).toBeVisible();

  await page.getByLabel('Paste the certificate').fill(pem);
  await page.locator('.evidence').filter({ hasText: "The server's certificate" }).getByRole('button', { name: 'Check' }).click();
  await expect(page.getByText('Thumbprint (SHA-1)')).toBeVisible();
  await expect(page.locator('.evidence').filter({ hasText: "The server's certificate" }).locator('.facts')).toContainText('CN=rdp.example.test');

  await page.getByLabel('Paste the events').fill([
    'Log Name: System', 'Source: Schannel', 'Date: 2024-01-15 09:02:11', 'Event ID: 36870', 'Level: Error',
    'Computer: rdp01', 'Description:',
    'A fatal error occurred when attempting to access the TLS server credential private key. The error code returned from the cryptographic module is 0x8009030D. The internal error state is 10001.',
  ].join('\n'));
  await page.locator('.evidence').filter({ hasText: 'Event logs' }).getByRole('button', { name: 'Check' }).click();
  // Findings first; the timeline is folded under them, and a 2024 event is flagged as old.
  const eventsPanel = page.locator('.evidence').filter({ hasText: 'Event logs' });
  await expect(eventsPanel.locator('.findings')).toBeVisible();
  await expect(eventsPanel).toContainText(/more than 30 days old/);
  await eventsPanel.getByText(/^Timeline of the \d+ relevant events$/).click();
  await expect(page.getByRole('list', { name: 'Relevant events, oldest first' })).toContainText('36870');
  // The .rdp file's settings in words.
  const rdpPanel = page.locator('.evidence').filter({ has: page.getByRole('heading', { name: 'The .rdp file' }) });
  await expect(rdpPanel).toContainText('Whether the client uses CredSSP, which Network Level Authentication (NLA) needs');
  await expect(rdpPanel).toContainText('no: the client does not use CredSSP');

  await expect(page.locator('.leading ol')).not.toHaveText(before ?? '');
  await expect(page.locator('.reasons').first()).toContainText(/\.rdp file|event log|certificate/);
  await screenshot(page, 'evidence-panels');
});
