// Time to interactive of the first screen under network throttling: from navigation start until
// the decode box takes the pasted error and shows what the codes mean, in a fresh browser
// context (empty cache) each run. Throttling is Chromium's own (CDP
// Network.emulateNetworkConditions), applied before the navigation. Prints a table of medians;
// asserts only that every run decoded. Runs per profile: BENCH_TTI_RUNS (default 5).
import { test, expect, type Browser } from '@playwright/test';

const RUNS = Number(process.env.BENCH_TTI_RUNS ?? 5);
const ERROR_TEXT = 'Remote Desktop Connection\nThe connection was denied.\nError code: 0x904\nExtended error code: 0x7';

type Profile = { name: string; latencyMs: number; downKbps: number; upKbps: number } | { name: string; unthrottled: true };

const PROFILES: Profile[] = [
  { name: 'unthrottled (loopback)', unthrottled: true },
  // Lighthouse's mobile "Slow 4G": 150 ms round trip, 1.6 Mbps down, 750 kbps up.
  { name: 'slow 4G: 150 ms, 1.6 Mbps', latencyMs: 150, downKbps: 1_600, upKbps: 750 },
  // A fast-3G-like link: 400 ms round trip, 750 kbps down, 250 kbps up.
  { name: '3G: 400 ms, 750 kbps', latencyMs: 400, downKbps: 750, upKbps: 250 },
];

/** One cold load: milliseconds from navigation start to the input shown and to the decoded meaning. */
async function coldLoad(browser: Browser, baseURL: string, profile: Profile) {
  const context = await browser.newContext({ baseURL });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (!('unthrottled' in profile)) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: profile.latencyMs,
        // CDP takes bytes per second.
        downloadThroughput: (profile.downKbps * 1000) / 8,
        uploadThroughput: (profile.upKbps * 1000) / 8,
      });
    }
    let transferred = 0;
    cdp.on('Network.loadingFinished', (event: { encodedDataLength: number }) => {
      transferred += event.encodedDataLength;
    });

    await page.goto('/', { waitUntil: 'commit', timeout: 120_000 });
    // The same selectors as decode.spec.ts.
    const input = page.getByLabel('Paste the error message');
    await input.waitFor({ state: 'visible', timeout: 120_000 });
    const inputShownMs = await page.evaluate(() => performance.now());
    await input.fill(ERROR_TEXT);
    const decoded = page.getByRole('region', { name: 'What the codes mean' });
    await decoded.waitFor({ timeout: 120_000 });
    // Polled every animation frame in the page, timed there: performance.now() counts from the
    // navigation start. Should a re-render replace the region, the whole page is read instead.
    const meaning = await decoded.elementHandle();
    const decodedMs = await (
      await page.waitForFunction(
        (region) => {
          const text = (region?.isConnected ? region : document.body).textContent ?? '';
          return /socket closed/i.test(text) && performance.now();
        },
        meaning,
        { polling: 'raf', timeout: 120_000 },
      )
    ).jsonValue();
    await expect(decoded).toContainText(/server denied the connection/i);
    return { inputShownMs, decodedMs: Number(decodedMs), transferred };
  } finally {
    await context.close();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

test('time to interactive of the first screen, throttled', async ({ browser, baseURL }) => {
  test.setTimeout(RUNS * PROFILES.length * 120_000);
  const rows: string[][] = [];
  for (const profile of PROFILES) {
    const runs = [];
    for (let run = 0; run < RUNS; run += 1) runs.push(await coldLoad(browser, baseURL!, profile));
    const decoded = runs.map((r) => r.decodedMs);
    rows.push([
      profile.name,
      String(RUNS),
      median(runs.map((r) => r.inputShownMs)).toFixed(0),
      median(decoded).toFixed(0),
      `${Math.min(...decoded).toFixed(0)}–${Math.max(...decoded).toFixed(0)}`,
      (median(runs.map((r) => r.transferred)) / 1024).toFixed(1),
    ]);
  }
  const header = ['network', 'runs', 'input shown ms', 'decoded (TTI) ms', 'range ms', 'KB on the wire'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log('\nfirst screen, cold cache: median time from navigation start');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
});
