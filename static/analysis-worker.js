// The analysis Web Worker: runs the evidence analyzers (Rust, dist/analysis/) off the main thread,
// so a 100 MB event log never freezes the page, and loads them only when evidence first arrives,
// so the page's first download stays small.
//
// Protocol (web-common.md), one reply per request, matched by `id`:
//   page → worker  {id, kind: "cert" | "events" | "rdp" | "snapshot", bytes: ArrayBuffer (transferred), now_unix, host?}
//   worker → page  {id, progress: 0}         analysis has started (inputs of PROGRESS_FROM_BYTES or more)
//                  {id, progress: 1}         analysis has finished, the report follows
//                  {id, ok: true, report_json}  the report as serde_json wrote it: text the page
//                                            hands straight to serde, never parsed into objects here
//                  {id, ok: false, error}    a sentence saying what went wrong
// Nothing here throws past onmessage: every failure becomes an {ok: false} reply.

// Two builds of the analyzers: everything but binary .evtx files, and everything including them
// (the .evtx reader alone outweighs the rest), so the larger one is fetched only for .evtx files.
const MODULE_URL = './analysis/rdp_doctor_analysis.js';
const EVTX_MODULE_URL = './analysis/rdp_doctor_analysis_evtx.js';
const EVTX_MAGIC = [...'ElfFile\0'].map((c) => c.charCodeAt(0));
const KINDS = ['cert', 'events', 'rdp', 'snapshot'];
const PROGRESS_FROM_BYTES = 1024 * 1024;

// Module URL → {instances, module: Promise}, each loaded and instantiated once.
const analyzers = new Map();

// After a trap (out of memory, a bug) a Wasm instance is unusable; a new module URL makes the
// next request load a fresh instance.
function loadAnalyzer(url) {
  const entry = analyzers.get(url) ?? { instances: 0, module: null };
  analyzers.set(url, entry);
  if (entry.module === null) {
    const instanceUrl = entry.instances === 0 ? url : `${url}?instance=${entry.instances}`;
    entry.instances += 1;
    entry.module = import(instanceUrl).then(async (module) => {
      await module.default();
      return module;
    });
    entry.module.catch(() => {
      entry.module = null;
    });
  }
  return entry.module;
}

function discardAnalyzer(url) {
  analyzers.get(url).module = null;
}

function isEvtx(view) {
  return view.byteLength >= EVTX_MAGIC.length && EVTX_MAGIC.every((byte, i) => view[i] === byte);
}

function readRequest(message) {
  if (message === null || typeof message !== 'object') {
    throw new Error('the request is not an object');
  }
  const { kind, bytes, now_unix: nowUnix, host } = message;
  if (!KINDS.includes(kind)) {
    throw new Error(`unknown kind of evidence ${JSON.stringify(kind)}: expected "cert", "events", "rdp" or "snapshot"`);
  }
  let view;
  if (bytes instanceof ArrayBuffer) {
    view = new Uint8Array(bytes);
  } else if (ArrayBuffer.isView(bytes)) {
    view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } else {
    throw new Error('the request has no bytes (expected an ArrayBuffer)');
  }
  if (typeof nowUnix !== 'number' || !Number.isFinite(nowUnix)) {
    throw new Error('the request has no now_unix (seconds since 1970, from the page\'s clock)');
  }
  if (host !== undefined && host !== null && typeof host !== 'string') {
    throw new Error('host must be a string');
  }
  return { kind, view, nowUnix, host: host ?? undefined };
}

async function handle(id, message) {
  const request = readRequest(message);
  const url = request.kind === 'events' && isEvtx(request.view) ? EVTX_MODULE_URL : MODULE_URL;
  const module = await loadAnalyzer(url).catch((error) => {
    throw new Error(`the analyzers could not be loaded: ${describe(error)}`);
  });
  const limit = module.inputLimit(request.kind);
  if (request.view.byteLength > limit) {
    // Refused before it is copied into Wasm memory.
    throw new Error(
      `the input is ${request.view.byteLength} bytes, larger than the ${limit / (1024 * 1024)} MiB limit`,
    );
  }
  const reportsProgress = request.view.byteLength >= PROGRESS_FROM_BYTES;
  if (reportsProgress) {
    self.postMessage({ id, progress: 0 });
  }
  let json;
  try {
    json = module.analyze(request.kind, request.view, request.nowUnix, request.host);
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) {
      discardAnalyzer(url);
      throw new Error(
        `the analyzer stopped unexpectedly (${error.message}); the input may be too large for this browser's memory`,
      );
    }
    throw error;
  }
  if (reportsProgress) {
    self.postMessage({ id, progress: 1 });
  }
  return json;
}

function describe(error) {
  if (error instanceof Error && error.message) {
    return error.message;
  }
  return String(error);
}

self.onmessage = async (event) => {
  const message = event.data;
  const id = message !== null && typeof message === 'object' ? message.id : undefined;
  let reply;
  try {
    reply = { id, ok: true, report_json: await handle(id, message) };
  } catch (error) {
    reply = { id, ok: false, error: describe(error) };
  }
  try {
    self.postMessage(reply);
  } catch (error) {
    self.postMessage({ id, ok: false, error: `the report could not be sent to the page: ${describe(error)}` });
  }
};

// A message the browser could not deserialize never reaches onmessage; answer it all the same.
self.onmessageerror = () => {
  self.postMessage({ id: undefined, ok: false, error: 'the request could not be read by the analysis worker' });
};
