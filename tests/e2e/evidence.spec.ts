// Evidence analysis in the browser: the analysis Web Worker's contract (web-common.md), its lazy
// loading, and that a large event log is analysed without freezing the page.
import { test, expect } from '@playwright/test';
import { analyse, evidenceIds, fixture, installAnalysisClient } from './analysis';

// 2030-03-17: after the expired fixture's notAfter (2025-01-01).
const LATER = 1_900_000_000;

test.describe('analysis worker contract', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/');
    await installAnalysisClient(page);
  });

  test('a binary .evtx file is read and its RDP logon failure found', async ({ page }) => {
    const reply = await analyse(page, {
      kind: 'events',
      bytes: [...fixture('shared/tests/fixtures/events/rdp-server.evtx')],
      now_unix: LATER,
    });
    expect(reply.error).toBeUndefined();
    expect(reply.ok).toBe(true);
    expect(reply.bytesLeftInPage).toBe(0); // the ArrayBuffer was transferred, not copied
    expect(reply.report.format_detected).toBe('evtx');
    expect(reply.report.events_read).toBe(8);
    expect(evidenceIds(reply.report)).toContain('event.logon_bad_credentials');
    const timeline = reply.report.timeline.map((entry: any) => `${entry.source} ${entry.event_id}`);
    expect(timeline).toContain('Security 4625');
  });

  test('a PEM certificate is checked against the page clock and host', async ({ page }) => {
    const reply = await analyse(page, {
      kind: 'cert',
      bytes: [...fixture('shared/tests/fixtures/certs/expired.pem')],
      now_unix: LATER,
      host: 'rds01.corp.example.com',
    });
    expect(reply.ok).toBe(true);
    expect(reply.report.input_format).toBe('pem');
    expect(evidenceIds(reply.report)).toContain('cert.expired');
  });

  test('an .rdp file yields the target for the probe', async ({ page }) => {
    const reply = await analyse(page, {
      kind: 'rdp',
      bytes: [...fixture('shared/tests/fixtures/rdp/nla-off-nonstandard-port.rdp')],
      now_unix: LATER,
    });
    expect(reply.ok).toBe(true);
    expect(reply.report.target).toEqual({ host: '10.0.0.5', port: 3390 });
  });

  test('bad requests get clear errors and the worker keeps working', async ({ page }) => {
    const notACert = await analyse(page, { kind: 'cert', bytes: [...Buffer.from('hello')], now_unix: LATER });
    expect(notACert.ok).toBe(false);
    expect(notACert.error).toMatch(/^no certificate found/);

    const unknownKind = await analyse(page, { kind: 'pcap', bytes: [1, 2, 3], now_unix: LATER });
    expect(unknownKind.ok).toBe(false);
    expect(unknownKind.error).toContain('unknown kind of evidence "pcap"');

    const noClock = await analyse(page, { kind: 'cert', bytes: [1] });
    expect(noClock.ok).toBe(false);
    expect(noClock.error).toContain('now_unix');

    const noBytes = await analyse(page, { kind: 'events', now_unix: LATER });
    expect(noBytes.ok).toBe(false);
    expect(noBytes.error).toContain('no bytes');

    const tooLarge = await page.evaluate(() =>
      (window as any).analysis({ kind: 'cert', now_unix: 0 }, new ArrayBuffer(17 * 1024 * 1024)),
    );
    expect(tooLarge.ok).toBe(false);
    expect(tooLarge.error).toMatch(/larger than the 16 MiB limit/);

    const brokenEvtx = await analyse(page, {
      kind: 'events',
      bytes: [...Buffer.from('ElfFile\0'), ...new Array(100).fill(0xff)],
      now_unix: LATER,
    });
    expect(brokenEvtx.ok).toBe(false);
    expect(brokenEvtx.error).toContain('.evtx');

    const afterwards = await analyse(page, {
      kind: 'events',
      bytes: [...fixture('shared/tests/fixtures/events/wevtutil-system.xml')],
      now_unix: LATER,
    });
    expect(afterwards.ok).toBe(true);
    expect(afterwards.report.format_detected).toBe('xml');
  });
});

test('the analyzers are downloaded only when evidence arrives, the .evtx reader only for .evtx', async ({ page }) => {
  const requested = new Set<string>();
  // The context sees the worker's requests too.
  page.context().on('request', (request) => requested.add(new URL(request.url()).pathname));
  await page.goto('/');
  await page.waitForLoadState('networkidle');
  expect(requested).toContain('/pkg/rdp_doctor_frontend_bg.wasm');
  expect([...requested].filter((p) => p.startsWith('/analysis'))).toEqual([]);

  await installAnalysisClient(page);
  const rdp = await analyse(page, {
    kind: 'rdp',
    bytes: [...Buffer.from('full address:s:rds01.corp.example.com\r\n')],
    now_unix: LATER,
  });
  expect(rdp.ok).toBe(true);
  expect(requested).toContain('/analysis/rdp_doctor_analysis_bg.wasm');
  expect(requested).not.toContain('/analysis/rdp_doctor_analysis_evtx_bg.wasm');

  const evtx = await analyse(page, {
    kind: 'events',
    bytes: [...fixture('shared/tests/fixtures/events/rdp-server.evtx')],
    now_unix: LATER,
  });
  expect(evtx.ok).toBe(true);
  expect(requested).toContain('/analysis/rdp_doctor_analysis_evtx_bg.wasm');
});

test('the page stays responsive while a 50 MB event log is analysed', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await installAnalysisClient(page);
  const event = fixture('shared/tests/fixtures/events/wevtutil-system.xml').toString('utf8');

  // Start the analysis and, while the worker reports it running, count what the main thread does:
  // timer callbacks and clicks on a button. The page freezing would leave both at zero.
  await page.evaluate((event) => {
    const state = { running: false, done: false, ticks: 0, clicks: 0, reply: null as any, events: 0 };
    (window as any).responsiveness = state;
    // Outside <body>, which the app renders into and may replace.
    const button = document.createElement('button');
    button.id = 'ping';
    button.textContent = 'ping';
    button.style.cssText = 'position: fixed; top: 0; left: 0; z-index: 2147483647';
    button.addEventListener('click', () => {
      if (state.running) state.clicks += 1;
    });
    document.documentElement.append(button);
    const tick = () => {
      if (state.running) state.ticks += 1;
      if (!state.done) setTimeout(tick, 0);
    };
    tick();

    const copies = Math.ceil((50 * 1024 * 1024) / event.length);
    state.events = copies * (event.match(/<Event /g) ?? []).length;
    const bytes = new TextEncoder().encode(event.repeat(copies)).buffer;
    const worker = new Worker('./analysis-worker.js', { type: 'module' });
    worker.onmessage = ({ data }) => {
      if (data.progress === 0) state.running = true;
      if ('ok' in data) {
        state.running = false;
        state.done = true;
        const report = data.ok ? JSON.parse(data.report_json) : undefined;
        state.reply = data.ok
          ? { ok: true, events_read: report.events_read, format: report.format_detected }
          : data;
      }
    };
    worker.postMessage({ id: 1, kind: 'events', bytes, now_unix: Date.now() / 1000 }, [bytes]);
  }, event);

  await page.waitForFunction(() => (window as any).responsiveness.running || (window as any).responsiveness.done);
  // Click until a click lands while the worker is busy (or the analysis has finished).
  while (await page.evaluate(() => (window as any).responsiveness.running)) {
    await page.click('#ping', { timeout: 10_000 });
  }
  await page.waitForFunction(() => (window as any).responsiveness.done, null, { timeout: 120_000 });
  const state = await page.evaluate(() => (window as any).responsiveness);
  console.log(`50 MB: ${state.ticks} timer callbacks and ${state.clicks} clicks ran during the analysis`);
  expect(state.reply).toEqual({ ok: true, events_read: state.events, format: 'xml' });
  expect(state.ticks).toBeGreaterThan(0);
  expect(state.clicks).toBeGreaterThan(0);
});
