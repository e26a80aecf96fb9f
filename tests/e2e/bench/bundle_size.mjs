// Benchmark (not a test): what the first screen downloads, raw and gzip -9, against the
// 150 KB budget. Run after `cargo xtask build`:  node tests/e2e/bench/bundle_size.mjs
// What loads later is listed apart: the whole journey (right after the first screen is up, or
// at once for saved progress and support links), the analysis worker (on the first evidence)
// and the .evtx reader (on the first .evtx file).
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import * as path from 'node:path';

const root = process.env.RDP_DOCTOR_ROOT ?? path.resolve(import.meta.dirname, '../../..');
const dist = path.join(root, 'dist');
const BUDGET = 150 * 1024;
const initial = ['index.html', 'boot.js', 'style.css', 'pkg/rdp_doctor_first_screen.js', 'pkg/rdp_doctor_first_screen_bg.wasm'];
const journey = ['pkg/rdp_doctor_frontend.js', 'pkg/rdp_doctor_frontend_bg.wasm'];
const lazy = ['analysis-worker.js', 'analysis/rdp_doctor_analysis.js', 'analysis/rdp_doctor_analysis_bg.wasm'];
// Fetched instead of the module above only when an .evtx file arrives.
const lazyEvtx = ['analysis/rdp_doctor_analysis_evtx.js', 'analysis/rdp_doctor_analysis_evtx_bg.wasm'];

function measure(files) {
  let total = { raw: 0, gzip: 0, brotli: 0 };
  for (const file of files) {
    const full = path.join(dist, file);
    if (!existsSync(full)) {
      console.log(`${file.padEnd(42)} (not built)`);
      continue;
    }
    const bytes = readFileSync(full);
    const sizes = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli: brotliCompressSync(bytes).length };
    console.log(`${file.padEnd(42)} ${kb(sizes.raw)} ${kb(sizes.gzip)} ${kb(sizes.brotli)}`);
    for (const k of Object.keys(total)) total[k] += sizes[k];
  }
  return total;
}
const kb = (n) => `${(n / 1024).toFixed(1).padStart(8)} KB`;

console.log(`${'file'.padEnd(42)} ${'raw'.padStart(11)} ${'gzip -9'.padStart(11)} ${'brotli'.padStart(11)}`);
const first = measure(initial);
console.log(`${'first screen total'.padEnd(42)} ${kb(first.raw)} ${kb(first.gzip)} ${kb(first.brotli)}`);
console.log(`budget ${kb(BUDGET)} gzip: ${first.gzip <= BUDGET ? 'within' : `over by ${kb(first.gzip - BUDGET).trim()}`}`);
console.log('\nloaded once the first screen is up (the whole journey):');
const rest = measure(journey);
console.log(`${'journey total'.padEnd(42)} ${kb(rest.raw)} ${kb(rest.gzip)} ${kb(rest.brotli)}`);
console.log('\nloaded on first evidence (analysis worker):');
const later = measure(lazy);
console.log(`${'lazy total'.padEnd(42)} ${kb(later.raw)} ${kb(later.gzip)} ${kb(later.brotli)}`);
console.log('\nloaded instead, the first time an .evtx file arrives:');
const evtx = measure(lazyEvtx);
console.log(`${'.evtx module total'.padEnd(42)} ${kb(evtx.raw)} ${kb(evtx.gzip)} ${kb(evtx.brotli)}`);
