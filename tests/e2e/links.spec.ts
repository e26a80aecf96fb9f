import { test, expect } from '@playwright/test';
import { screenshot } from './helpers';

test('a support link pre-fills the case; the results link reproduces answers and ranking', async ({ page, browser, baseURL }) => {
  await page.goto('/#host=rdp.example.test&port=3390&code=0x904,0x7');
  await expect(page.getByLabel('Server name or public IP address')).toHaveValue('rdp.example.test');
  await expect(page.getByLabel('Port', { exact: true })).toHaveValue('3390');
  await expect(page.getByRole('region', { name: 'What the codes mean' })).toContainText('0x7');
  // The link was applied; the address bar no longer carries it.
  expect(new URL(page.url()).hash).toBe('');

  const question = page.locator('fieldset.question');
  await question.getByRole('button').first().click();
  await page.getByLabel('Paste the certificate').fill('-----BEGIN CERTIFICATE-----\nPRIVATE-PASTE-MARKER\n-----END CERTIFICATE-----');

  const answers = await page.locator('.answers').textContent() ?? '';
  const ranking = await page.locator('.leading ol').textContent() ?? '';
  const link = await page.getByLabel('Link to my results', { exact: true }).inputValue();
  expect(link.startsWith(`${baseURL}/#`)).toBeTruthy();
  expect(link).toContain('answers=');
  expect(link).not.toContain('MARKER');
  await screenshot(page, 'links-1-sender');

  // The person sends the link back; the agent opens it in a fresh browser profile.
  const agent = await browser.newContext();
  const agentPage = await agent.newPage();
  await agentPage.goto(link);
  await expect(agentPage.getByLabel('Server name or public IP address')).toHaveValue('rdp.example.test');
  await expect(agentPage.locator('.answers')).toHaveText(answers);
  await expect(agentPage.locator('.leading ol')).toHaveText(ranking);
  await expect(agentPage.getByLabel('Paste the certificate')).toHaveValue('');
  await screenshot(agentPage, 'links-2-receiver');
  await agent.close();
});
