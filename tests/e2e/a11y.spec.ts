import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { holdJourney, screenshot } from './helpers';

const root = process.env.RDP_DOCTOR_ROOT ?? path.resolve(__dirname, '../..');

async function expectNoViolations(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, name).toEqual([]);
}

const port = Number(process.env.E2E_PORT ?? 8799);
// Allowed by the Worker's ALLOWED_PORTS in playwright.config.ts; nothing listens on it here.
const CLOSED_PORT = port + 6;

for (const colorScheme of ['light', 'dark'] as const) {
  for (const width of [1280, 360]) {
    test(`no axe violations on each screen (${colorScheme}, ${width} px)`, async ({ browser }) => {
      test.setTimeout(120_000);
      const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
      const page = await context.newPage();
      const releaseJourney = await holdJourney(page);
      await page.goto('/');
      await expect(page.getByLabel('Paste the error message')).toBeVisible();
      await expectNoViolations(page, 'first screen');
      releaseJourney();
      await expect(page.getByRole('heading', { name: '2. A few questions' })).toBeVisible();
      await expectNoViolations(page, 'start');

      await page.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');
      await page.locator('fieldset.question').getByRole('button', { name: /I manage the server/ }).click();
      await page.locator('fieldset.question').getByRole('button').first().click();
      await expectNoViolations(page, 'answered');

      await page.getByLabel('Server name or public IP address').fill('127.0.0.1');
      await page.getByLabel('Port', { exact: true }).fill(String(CLOSED_PORT));
      await page.getByRole('button', { name: 'Probe from outside' }).click();
      await expect(page.getByText(/Probe finished in/)).toBeVisible({ timeout: 45_000 });
      await expectNoViolations(page, 'after a probe');

      await page.getByLabel('Paste the .rdp file').fill('full address:s:127.0.0.1:3389\nauthentication level:i:2\nenablecredsspsupport:i:0');
      await page.locator('.evidence').filter({ hasText: 'The .rdp file' }).getByRole('button', { name: 'Check' }).click();
      await expect(page.locator('.evidence').filter({ hasText: 'The .rdp file' }).locator('.findings')).toBeVisible();
      await page.getByLabel('Paste the events').fill(['Log Name: System', 'Source: Schannel', 'Date: 2024-01-15 09:02:11',
        'Event ID: 36870', 'Level: Error', 'Computer: rdp01', 'Description:',
        'A fatal error occurred when attempting to access the TLS server credential private key. The error code returned from the cryptographic module is 0x8009030D. The internal error state is 10001.'].join('\n'));
      await page.locator('.evidence').filter({ hasText: 'Event logs' }).getByRole('button', { name: 'Check' }).click();
      await expect(page.locator('.evidence').filter({ hasText: 'Event logs' }).locator('.findings')).toBeVisible();
      await page.getByLabel('Paste the certificate').fill(fs.readFileSync(path.join(root, 'shared/tests/fixtures/certs/expired.pem'), 'utf8'));
      await page.locator('.evidence').filter({ hasText: "The server's certificate" }).getByRole('button', { name: 'Check' }).click();
      await expect(page.locator('.evidence').filter({ hasText: "The server's certificate" }).locator('.facts')).toBeVisible();
      await page.getByText(/^Timeline of the \d+ relevant events$/).click();
      await expectNoViolations(page, 'after each kind of evidence');

      await page.getByText(/less likely causes/).click();
      await page.getByText(/^Ruled out/).click().catch(() => undefined);
      await expectNoViolations(page, 'diagnosis expanded');
      await screenshot(page, `a11y-${colorScheme}-${width}`);

      // The page never needs sideways scrolling on a phone.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);

      await page.emulateMedia({ media: 'print' });
      await expectNoViolations(page, 'print');
      await page.emulateMedia({ media: 'screen' });

      const embed = await context.newPage();
      await embed.goto('/#embed=1&code=0x904,0x7');
      await expect(embed.getByRole('region', { name: 'What the codes mean' })).toContainText('0x904');
      await expectNoViolations(embed, 'embed');
      await context.close();
    });
  }
}

test('the journey works with the keyboard alone', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByLabel('Paste the error message')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.getByLabel('Paste the error message').focus();
  await page.keyboard.type('Error code: 0x904 Extended error code: 0x7');
  const legend = await page.locator('fieldset.question legend').innerText();
  await page.keyboard.press('Tab');
  await expect(page.locator('fieldset.question button').first()).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('.answers')).toContainText(legend);
});
