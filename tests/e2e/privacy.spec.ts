import { test, expect } from '@playwright/test';

const CERT_MARKER = 'CERTMARKERq7Zp';
const EVENT_MARKER = 'EVENTMARKERx9Lk';
const RDP_MARKER = 'rdpmarker-w4.example.test';

test('pasted evidence never leaves the page; only same-origin requests happen', async ({ page, baseURL }) => {
  const requests: { url: string; body: string }[] = [];
  page.on('request', (r) => requests.push({ url: r.url(), body: r.postData() ?? '' }));
  // Requests made by the analysis worker are seen by the context, not the page.
  page.context().on('request', (r) => requests.push({ url: r.url(), body: r.postData() ?? '' }));

  await page.goto('/');
  await page.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');
  await page.locator('fieldset.question').getByRole('button').first().click();

  await page.getByLabel('Paste the certificate').fill(`-----BEGIN CERTIFICATE-----\n${CERT_MARKER}\n-----END CERTIFICATE-----`);
  await page.locator('.evidence').filter({ hasText: "The server's certificate" }).getByRole('button', { name: 'Check' }).click();
  await page.getByLabel('Paste the events').fill(`Log Name: System\nSource: Schannel\nEvent ID: 36870\nDescription: ${EVENT_MARKER}`);
  await page.locator('.evidence').filter({ hasText: 'Event logs' }).getByRole('button', { name: 'Check' }).click();
  await page.getByLabel('Paste the .rdp file').fill(`full address:s:${RDP_MARKER}:3390\nenablecredsspsupport:i:0`);
  await page.locator('.evidence').filter({ hasText: 'The .rdp file' }).getByRole('button', { name: 'Check' }).click();
  // Each input gets an answer (a report or a clear error) from the in-page analyzer.
  await expect(page.locator('.analysis:not(:empty)')).toHaveCount(3);
  await page.getByRole('button', { name: 'Download JSON' }).click();
  // Give anything the page might send after these actions time to show up.
  await page.waitForTimeout(1000);

  expect(requests.length).toBeGreaterThan(0);
  const origin = new URL(baseURL!).origin;
  for (const { url, body } of requests) {
    expect(new URL(url).origin === origin || url.startsWith('blob:') || url.startsWith('data:'), url).toBeTruthy();
    for (const marker of [CERT_MARKER, EVENT_MARKER, RDP_MARKER, 'Extended error code']) {
      expect(url, `request URL carries pasted text: ${url}`).not.toContain(marker);
      expect(body, `request body carries pasted text: ${url}`).not.toContain(marker);
    }
  }
  await expect(page.getByText('nothing you paste is sent anywhere')).toBeVisible();
});
