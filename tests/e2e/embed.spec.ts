import { test, expect } from '@playwright/test';
import { screenshot } from './helpers';

test('embedded in a wiki page: compact, no site header, reports its height to the parent', async ({ page, baseURL }) => {
  // A stand-in wiki page on the same origin, served by the test rather than the Worker.
  await page.route(`${baseURL}/wiki-test-page`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html lang="en"><head><title>Wiki</title></head><body>
      <h1>IT wiki: Remote Desktop</h1>
      <iframe id="doctor" title="RDP Doctor" src="/#embed=1&code=0x904,0x7" style="width:100%;border:0;height:300px"></iframe>
      <script>
        window.heights = [];
        addEventListener('message', (e) => {
          if (e.data && e.data.type === 'rdp-doctor:height') {
            window.heights.push(e.data.height);
            document.getElementById('doctor').style.height = e.data.height + 'px';
          }
        });
      </script></body></html>`,
  }));
  await page.setViewportSize({ width: 800, height: 900 });
  await page.goto('/wiki-test-page');
  const frame = page.frameLocator('#doctor');
  await expect(frame.getByRole('region', { name: 'What the codes mean' })).toContainText('0x904');
  await expect(frame.locator('.site-header')).toHaveCount(0);
  await expect(frame.locator('.page.embed')).toHaveCount(1);

  await expect.poll(() => page.evaluate(() => (window as unknown as { heights: number[] }).heights.length)).toBeGreaterThan(0);
  const heights: number[] = await page.evaluate(() => (window as unknown as { heights: number[] }).heights);
  expect(Math.max(...heights)).toBeGreaterThan(600);
  await screenshot(page, 'embed');
});
