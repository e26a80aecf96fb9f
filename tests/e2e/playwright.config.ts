// Browser suites: the built app served by the Worker under workerd (wrangler dev), driven in
// Debian's Chromium. `cargo xtask test` builds both first and sets RDP_DOCTOR_ROOT.
import { defineConfig } from '@playwright/test';
import * as path from 'node:path';

const root = process.env.RDP_DOCTOR_ROOT ?? path.resolve(__dirname, '../..');
const port = Number(process.env.E2E_PORT ?? 8799);

export default defineConfig({
  testDir: '.',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  outputDir: path.join(root, 'target/e2e-results'),
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: {
    command: `${path.join(root, 'node_modules/.bin/wrangler')} dev --ip 127.0.0.1 --port ${port} ` +
      `--inspector-port ${port + 1} --show-interactive-dev-session=false --var ALLOW_LOOPBACK_TARGETS:true ` +
      // probe.spec.ts runs its test servers on these two ports.
      `--var ALLOWED_PORTS:3389,${port + 5},${port + 6}`,
    cwd: root,
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 90_000,
    reuseExistingServer: false,
    env: { WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  },
});
