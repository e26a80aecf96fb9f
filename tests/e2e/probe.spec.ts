// The probe end to end: the page, the Worker under workerd, and a TCP server on this machine.
import { test, expect, type Page } from '@playwright/test';
import * as net from 'node:net';
import { screenshot } from './helpers';

const port = Number(process.env.E2E_PORT ?? 8799);
// Allowed by the Worker's ALLOWED_PORTS in playwright.config.ts.
const DENYING_PORT = port + 5;
const CLOSED_PORT = port + 6;

async function ruledOutCount(page: Page): Promise<number> {
  const summary = page.locator('.ruled-out summary');
  if ((await summary.count()) === 0) return 0;
  return Number((await summary.innerText()).match(/\((\d+)\)/)?.[1] ?? 0);
}

test('a server that closes every connection: TCP passes, negotiation fails, the diagnosis uses it', async ({ page }) => {
  // Accepts, then hangs up without answering: what a listener that denies RDP looks like. The
  // probe's second, silent connection shows the close comes on accept, not after the request.
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(DENYING_PORT, '127.0.0.1', resolve));
  try {
    await page.goto('/');
    await page.getByLabel('Paste the error message').fill('Error code: 0x904\nExtended error code: 0x7');
    await page.getByLabel('Server name or public IP address').fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(DENYING_PORT));
    const ruledOutBefore = await ruledOutCount(page);
    await page.getByRole('button', { name: 'Probe from outside' }).click();

    const stages = page.getByRole('list', { name: 'Probe stages' });
    await expect(page.getByText(/Probe finished in/)).toBeVisible({ timeout: 45_000 });
    await expect(stages.locator('li.stage').first()).toContainText('TCP connection');
    await expect(stages.locator('li.stage').first()).toContainText('Passed');
    await expect(stages).toContainText('Failed');
    await expect(stages).toContainText('closed the connection');
    // The probe's evidence reaches the diagnosis (it rules causes out) and the results link.
    expect(await ruledOutCount(page)).toBeGreaterThan(ruledOutBefore);
    const link = await page.getByLabel('Link to my results', { exact: true }).inputValue();
    const results = JSON.parse(Buffer.from(new URLSearchParams(new URL(link).hash.slice(1)).get('results') ?? '', 'base64url').toString());
    expect(results.evidence.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining(['probe.tcp_open', 'probe.tcp_closed_on_accept']));
    expect(results.probe.stages[0].stage).toBe('tcp');
    await screenshot(page, 'probe-real-denying');
  } finally {
    server.close();
  }
});

test('nothing listening: the probe reports the refused TCP connection', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Server name or public IP address').fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(CLOSED_PORT));
  await page.getByRole('button', { name: 'Probe from outside' }).click();
  const tcp = page.getByRole('list', { name: 'Probe stages' }).locator('li.stage').first();
  await expect(tcp).toContainText('TCP connection', { timeout: 45_000 });
  await expect(tcp).toContainText('Failed');
  await expect(page.getByText(/Probe finished in/)).toBeVisible({ timeout: 45_000 });
});

test('a port this site does not probe is explained before anything is sent', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Server name or public IP address').fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill('22');
  await expect(page.getByText(/This site's probe only checks port 3389/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Probe from outside' })).toBeDisabled();
});
