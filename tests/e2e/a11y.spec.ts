import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { holdJourney, screenshot } from './helpers';

async function expectNoViolations(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, name).toEqual([]);
}

for (const colorScheme of ['light', 'dark'] as const) {
  for (const width of [1280, 360]) {
    test(`no axe violations on each screen (${colorScheme}, ${width} px)`, async ({ browser }) => {
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
      await page.locator('fieldset.question').getByRole('button').first().click();
      await expectNoViolations(page, 'answered');

      await page.getByText(/less likely causes/).click();
      await page.getByText(/^Ruled out/).click().catch(() => undefined);
      await expectNoViolations(page, 'diagnosis expanded');
      await screenshot(page, `a11y-${colorScheme}-${width}`);

      // The page never needs sideways scrolling on a phone.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
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
