// Evidence through the app's own inputs: files dropped on the drop zones are analysed in the
// analysis worker and their findings shown in the page.
import { test, expect, type Page } from '@playwright/test';
import { fixture } from './analysis';
import { screenshot } from './helpers';

/** Drops `bytes` as a file called `name` onto the evidence card titled `title`. */
async function dropFile(page: Page, title: string, name: string, bytes: Buffer) {
  const zone = page.locator('.evidence.drop-zone').filter({ hasText: title });
  const dataTransfer = await page.evaluateHandle(
    ({ name, bytes }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], name));
      return transfer;
    },
    { name, bytes: [...bytes] },
  );
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  return zone;
}

test('a dropped .evtx file and a dropped PEM show their findings', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');
  await page.locator('fieldset.question').getByRole('button').first().click();

  const events = await dropFile(page, 'Event logs', 'Security.evtx', fixture('shared/tests/fixtures/events/rdp-server.evtx'));
  const eventResult = events.locator('.analysis');
  await expect(eventResult).toContainText('8 events read.');
  await eventResult.getByText(/^Timeline of the \d+ relevant events$/).click();
  await expect(eventResult.getByRole('list', { name: 'Relevant events, oldest first' })).toContainText('Security 4625');
  await expect(eventResult).toContainText(/logon failed/i);

  // Expired on 2025-01-01, judged against the browser's clock.
  const cert = await dropFile(page, "The server's certificate", 'rds01.pem', fixture('shared/tests/fixtures/certs/expired.pem'));
  const certResult = cert.locator('.analysis');
  await expect(certResult).toContainText('Subject');
  await expect(certResult).toContainText(/expired/i);
  await screenshot(page, 'evidence-dropped');
});
