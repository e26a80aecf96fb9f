// Drives the analysis Web Worker (static/analysis-worker.js) from inside the page, exactly as the
// app does: one module worker, requests with transferred ArrayBuffers, replies matched by id.
import type { Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = process.env.RDP_DOCTOR_ROOT ?? path.resolve(__dirname, '../..');

export function fixture(relative: string): Buffer {
  return fs.readFileSync(path.join(root, relative));
}

export interface Request {
  kind: string;
  bytes?: number[];
  now_unix?: number;
  host?: string;
}

export interface Reply {
  id: number;
  ok: boolean;
  report?: any;
  error?: string;
  progress: number[];
  /** Bytes left in the page's ArrayBuffer after posting: 0 when it was transferred. */
  bytesLeftInPage: number;
}

/** Installs `window.analysis(request)` in the page: posts to one shared worker, resolves with the reply. */
export async function installAnalysisClient(page: Page) {
  await page.evaluate(() => {
    const worker = new Worker('./analysis-worker.js', { type: 'module' });
    const pending = new Map<number, { resolve: (reply: any) => void; progress: number[] }>();
    let nextId = 1;
    worker.onmessage = (event) => {
      const message = event.data;
      const waiting = pending.get(message.id);
      if (!waiting) return;
      if ('progress' in message) {
        waiting.progress.push(message.progress);
        return;
      }
      pending.delete(message.id);
      // The worker sends the report as serde_json's text, as the page reads it.
      const report = message.ok ? JSON.parse(message.report_json) : undefined;
      waiting.resolve({ ...message, report, progress: waiting.progress });
    };
    (window as any).analysis = (request: any, buffer?: ArrayBuffer) =>
      new Promise((resolve) => {
        const id = nextId++;
        const bytes = buffer ?? (request.bytes ? new Uint8Array(request.bytes).buffer : undefined);
        pending.set(id, {
          resolve: (reply: any) => resolve({ ...reply, bytesLeftInPage: bytes?.byteLength ?? 0 }),
          progress: [],
        });
        const message = { ...request, id, bytes };
        worker.postMessage(message, bytes ? [bytes] : []);
      });
  });
}

export function analyse(page: Page, request: Request): Promise<Reply> {
  return page.evaluate((request) => (window as any).analysis(request), request);
}

export function evidenceIds(report: any): string[] {
  return (report?.findings ?? []).map((f: any) => f.evidence).filter(Boolean);
}
