// Browser benchmarks: the normal config's server and browser, but only `*.bench.ts` files, which
// the normal run (`*.spec.ts`) never picks up. Run:
//   RDP_DOCTOR_ROOT=$PWD E2E_PORT=8821 npx playwright test --config tests/e2e/bench/playwright.config.ts
import { defineConfig } from '@playwright/test';
import base from '../playwright.config';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '*.bench.ts',
  timeout: 15 * 60_000,
});
