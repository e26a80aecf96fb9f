import { test, expect } from '@playwright/test';
import { screenshot } from './helpers';

test('pasting the error dialog text decodes both codes in the page', async ({ page }) => {
  await page.goto('/');
  const input = page.getByLabel('Paste the error message');
  await input.fill('Remote Desktop Connection\nThe connection was denied.\nError code: 0x904\nExtended error code: 0x7');

  const decoded = page.getByRole('region', { name: 'What the codes mean' });
  await expect(decoded).toContainText('0x904');
  await expect(decoded).toContainText(/socket closed/i);
  await expect(decoded).toContainText('0x7');
  await expect(decoded).toContainText(/server denied the connection/i);
  await screenshot(page, 'decode');
});

test('a pasted system socket error is named, and the address in it is not read as a code', async ({ page }) => {
  await page.goto('/');
  const input = page.getByLabel('Paste the error message');
  await input.fill(
    'System.Net.Sockets.SocketException (10061): No connection could be made because the target machine actively refused it. 10.0.0.5:3389',
  );

  const decoded = page.getByRole('region', { name: 'What the codes mean' });
  await expect(decoded).toContainText(/nothing accepts connections on that port/i);
  await expect(decoded).not.toContainText(/unknown code/i);
  await screenshot(page, 'decode-socket-error');
});
