import type { Page } from '@playwright/test';
import * as path from 'node:path';

const root = process.env.RDP_DOCTOR_ROOT ?? path.resolve(__dirname, '../..');

/** Saves a full-page screenshot under target/screenshots/ for a person to look at. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(root, 'target/screenshots', `${name}.png`), fullPage: true });
}
