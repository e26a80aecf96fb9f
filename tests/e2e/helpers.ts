import type { Page } from '@playwright/test';
import * as path from 'node:path';

const root = process.env.RDP_DOCTOR_ROOT ?? path.resolve(__dirname, '../..');

/** Saves a full-page screenshot under target/screenshots/ for a person to look at. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(root, 'target/screenshots', `${name}.png`), fullPage: true });
}

/** The whole journey's Wasm, which boot.js loads after the first screen. */
export const JOURNEY_WASM = '**/pkg/rdp_doctor_frontend_bg.wasm';

/**
 * Holds back the whole journey's Wasm so the first screen can be looked at on its own;
 * returns what lets it load.
 */
export async function holdJourney(page: Page): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  await page.route(JOURNEY_WASM, async (route) => {
    await held;
    await route.continue();
  });
  return release;
}
