// Analyzer throughput in the browser: MB/s of the analysis worker on generated event logs of
// growing size, end to end as the app sees it (post with transfer → report object back).
// Prints a table; asserts only that every analysis succeeded. Sizes: BENCH_SIZES_MB="1 10 100".
import { test, expect, type Page } from '@playwright/test';
import { fixture, installAnalysisClient } from '../analysis';

const SIZES_MB = (process.env.BENCH_SIZES_MB ?? '1 10 100').split(/\s+/).filter(Boolean).map(Number);
const MB = 1_000_000;

/** Text exports that stay valid when repeated end to end. */
const EXPORTS: [string, string][] = [
  ['event XML (wevtutil /f:xml)', 'shared/tests/fixtures/events/wevtutil-system.xml'],
  ['wevtutil text', 'shared/tests/fixtures/events/wevtutil-rdpcorets.txt'],
];
const EVTX_FIXTURE = 'shared/tests/fixtures/events/rdp-server.evtx';

/** Either a text repeated to `size` bytes, or the given bytes as they are. */
type Input = { text: string; size: number } | { bytes: number[] };

/** Analyses `input` as events `runs` times in the page; the best time counts. */
function bestOf(page: Page, input: Input, runs: number) {
  return page.evaluate(
    async ({ input, runs }) => {
      const encoded =
        'bytes' in input
          ? new Uint8Array(input.bytes)
          : new TextEncoder().encode(input.text.repeat(Math.ceil(input.size / input.text.length)));
      let best = Infinity;
      let reply: any;
      for (let run = 0; run < runs; run += 1) {
        const copy = encoded.slice().buffer; // each run transfers its own buffer
        const started = performance.now();
        reply = await (window as any).analysis({ kind: 'events', now_unix: Date.now() / 1000 }, copy);
        best = Math.min(best, performance.now() - started);
        if (!reply.ok) break;
      }
      return { error: reply.error, events: reply.report?.events_read, bytes: encoded.byteLength, best };
    },
    { input, runs },
  );
}

test('analyzer throughput in the browser', async ({ page }) => {
  await page.goto('/');
  await installAnalysisClient(page);
  // The first request loads and compiles the module; time it apart from the analyses.
  const loadMs = await page.evaluate(async () => {
    const started = performance.now();
    await (window as any).analysis({ kind: 'rdp', now_unix: 0 }, new TextEncoder().encode('full address:s:a\n').buffer);
    return performance.now() - started;
  });

  const measurements: { format: string; input: Input; runs: number }[] = [];
  for (const [format, file] of EXPORTS) {
    const text = fixture(file).toString('utf8');
    for (const size of SIZES_MB) {
      measurements.push({ format, input: { text, size: size * MB }, runs: 3 });
    }
  }
  // An .evtx file cannot be concatenated: the fixture, read whole, repeatedly.
  measurements.push({ format: `.evtx (${EVTX_FIXTURE})`, input: { bytes: [...fixture(EVTX_FIXTURE)] }, runs: 20 });

  const rows: string[][] = [];
  for (const { format, input, runs } of measurements) {
    const result = await bestOf(page, input, runs);
    expect(result.error).toBeUndefined();
    const megabytes = result.bytes / MB;
    rows.push([
      format,
      megabytes.toFixed(2),
      String(result.events),
      result.best.toFixed(1),
      (megabytes / (result.best / 1000)).toFixed(1),
      (result.events / (result.best / 1000)).toFixed(0),
    ]);
  }

  const header = ['format', 'MB', 'events', 'best ms', 'MB/s', 'events/s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\nanalysis module load + first request: ${loadMs.toFixed(0)} ms`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
});
