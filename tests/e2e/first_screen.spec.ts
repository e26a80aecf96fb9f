// The first screen is its own small module: it decodes before the whole journey has loaded,
// and the journey takes its place without losing what was typed or where the caret was.
import { test, expect } from '@playwright/test';
import { holdJourney, JOURNEY_WASM, screenshot } from './helpers';

const ERROR_TEXT = 'Error code: 0x904\nExtended error code: 0x7';

test('the first screen decodes before the journey loads; the journey keeps the text and the caret', async ({ page }) => {
  const releaseJourney = await holdJourney(page);
  await page.goto('/');

  const input = page.getByLabel('Paste the error message');
  await input.fill(ERROR_TEXT);
  const decoded = page.getByRole('region', { name: 'What the codes mean' });
  await expect(decoded).toContainText(/socket closed/i);
  await expect(decoded).toContainText(/server denied the connection/i);
  await expect(page.getByRole('status')).toHaveText(/Loading the questions/);
  await expect(page.getByRole('heading', { name: '2. A few questions' })).toHaveCount(0);
  await screenshot(page, 'first-screen');

  await input.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(5, 9));
  releaseJourney();
  await expect(page.getByRole('heading', { name: '2. A few questions' })).toBeVisible();
  await expect(page.locator('#error-text')).toHaveCount(1);
  await expect(input).toHaveValue(ERROR_TEXT);
  await expect(input).toBeFocused();
  expect(await input.evaluate((el: HTMLTextAreaElement) => [el.selectionStart, el.selectionEnd])).toEqual([5, 9]);
  await expect(page.locator('#journey-loading')).toHaveCount(0);
  // The journey weighs the codes typed before it loaded: the top cause gives them as a reason.
  await expect(page.getByRole('list', { name: 'Ranked causes' }).locator('li.cause').first()).toContainText('0x7');
  await screenshot(page, 'first-screen-replaced');
});

test('if the journey cannot load, the first screen still decodes and says what is missing', async ({ page }) => {
  await page.route(JOURNEY_WASM, (route) => route.abort('failed'));
  await page.goto('/');
  await expect(page.getByRole('status')).toHaveText(/could not load.*Decoding still works/);
  await page.getByLabel('Paste the error message').fill(ERROR_TEXT);
  await expect(page.getByRole('region', { name: 'What the codes mean' })).toContainText(/socket closed/i);
});

test('a support link starts with the whole journey', async ({ page }) => {
  await page.goto('/#code=0x904,0x7');
  await expect(page.getByRole('heading', { name: '2. A few questions' })).toBeVisible();
  await expect(page.getByLabel('Paste the error message')).toHaveValue(/0x904/);
  await expect(page.locator('#journey-loading')).toHaveCount(0);
});

test('keyboard focus stays where it was when the journey arrives', async ({ page }) => {
  const releaseJourney = await holdJourney(page);
  await page.goto('/');
  await expect(page.getByLabel('Paste the error message')).toBeVisible();
  await page.keyboard.press('Tab');
  const skipLink = page.getByRole('link', { name: 'Skip to content' });
  await expect(skipLink).toBeFocused();
  releaseJourney();
  await expect(page.getByRole('heading', { name: '2. A few questions' })).toBeVisible();
  await expect(skipLink).toBeFocused();
});
