import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import { screenshot } from './helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('from the pasted error to a diagnosis with fix steps, copy buttons and exports', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');
  await expect(page.getByRole('region', { name: 'What the codes mean' })).toContainText('0x904');
  await screenshot(page, 'journey-1-decoded');

  // Who is asking comes first; it decides what the page shows, not the ranking.
  const question = page.locator('fieldset.question');
  await expect(question.locator('legend')).toHaveText(/trying to connect, do you manage the server/);
  await question.getByRole('button', { name: /I manage the server/ }).click();
  await expect(question.locator('legend')).toBeFocused();

  // Every answer visibly changes the ranking.
  const leading = page.locator('.leading ol');
  for (let i = 0; i < 3; i++) {
    const before = await leading.innerText();
    const legend = await question.locator('legend').innerText();
    await question.getByRole('button').first().click();
    await expect(page.locator('.answers')).toContainText(legend);
    await expect(leading).not.toHaveText(before);
    if (!(await question.isVisible())) break;
  }
  await screenshot(page, 'journey-2-answered');

  // The diagnosis: ranked causes, each with why, fix steps and verification.
  const causes = page.getByRole('list', { name: 'Ranked causes' });
  const top = causes.locator('li.cause').first();
  if (!(await top.locator('details').evaluate((d) => (d as HTMLDetailsElement).open))) {
    await top.locator('summary').click();
  }
  await expect(top.getByRole('heading', { name: 'Why' })).toBeVisible();
  await expect(top.locator('.reasons li').first()).not.toContainText('Because');
  await expect(top.locator('.fix-step').first()).toContainText('Check it worked');
  await expect(page.getByRole('list', { name: 'Connection path' })).toBeVisible();

  // A command's copy button puts exactly that command on the clipboard.
  const commandStep = page.locator('.fix-step').filter({ has: page.locator('pre') }).first();
  const command = await commandStep.locator('pre').innerText();
  const copy = commandStep.getByRole('button', { name: /^Copy the command for step \d+ of “/ });
  await copy.click();
  await expect(copy).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);
  await screenshot(page, 'journey-3-diagnosis');

  // Hand-off: Markdown for a ticket and JSON, both made in the page.
  const topTitle = await top.locator('.cause-title').innerText();
  const [markdown] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download Markdown (for a ticket)' }).click(),
  ]);
  expect(markdown.suggestedFilename()).toBe('rdp-doctor-diagnosis.md');
  const md = fs.readFileSync(await markdown.path(), 'utf8');
  expect(md).toContain('# RDP Doctor diagnosis');
  expect(md).toContain('Error code 0x904, Extended error code 0x7');
  expect(md).toContain(`**Most likely: ${topTitle}`);
  expect(md).toContain(`1. ${topTitle}`);
  expect(md).toContain('- Why: ');
  expect(md).toContain('Check: ');
  expect(md).toMatch(/- Date: \d{4}-\d\d-\d\dT/);
  expect(md).toMatch(/- RDP Doctor version: \d+\.\d+\.\d+/);
  expect(Buffer.byteLength(md)).toBeLessThanOrEqual(10 * 1024);

  const [jsonDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download JSON' }).click(),
  ]);
  const json = JSON.parse(fs.readFileSync(await jsonDownload.path(), 'utf8'));
  expect(json.codes.map((c: { hex: string }) => c.hex)).toEqual(['0x904', '0x7']);
  expect(json.diagnosis.ranked[0].title).toBe(topTitle);
  expect(Object.keys(json.answers).length).toBeGreaterThan(0);
  expect(Date.parse(json.generated_at)).toBeGreaterThan(0);

  // Print layout: the diagnosis without the inputs and buttons.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('button', { name: 'Download JSON' })).toBeHidden();
  await expect(page.getByRole('list', { name: 'Ranked causes' })).toBeVisible();
  await screenshot(page, 'journey-4-print');
});

test('progress survives a reload, and "clear my data" forgets it', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');
  const legend = await page.locator('fieldset.question legend').innerText();
  await page.locator('fieldset.question').getByRole('button').first().click();
  await page.reload();
  await expect(page.getByLabel('Paste the error message')).toHaveValue(/0x904/);
  await expect(page.locator('.answers')).toContainText(legend);

  await page.getByRole('button', { name: 'Clear my data' }).click();
  await expect(page.getByLabel('Paste the error message')).toHaveValue('');
  await page.reload();
  await expect(page.getByLabel('Paste the error message')).toHaveValue('');
  await expect(page.locator('.answers')).toHaveCount(0);
});
