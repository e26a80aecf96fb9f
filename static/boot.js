// Starts the app. Kept as a file (not inline) so the page's CSP can forbid inline scripts.
//
// A new visitor first gets the small first-screen module (the error decoder), so the page is
// usable quickly on a slow connection; the whole journey loads right after and takes its place,
// carrying over what was typed. Saved progress or a case in a support link needs the journey at
// once, so those start with it.

const app = document.getElementById('app');

// Embed mode (#embed=1 or ?embed), as frontend/src/link.rs and browser.rs read it.
const embedded = /(^|[#&])embed=1(&|$)/.test(location.hash) ||
  new URLSearchParams(location.search).has('embed');

function hasSavedProgress() {
  try {
    return localStorage.getItem('rdp-doctor:session:v1') !== null; // browser.rs STORAGE_KEY
  } catch {
    return false; // storage disabled: nothing was saved
  }
}

// Every fragment key but `embed` may carry a case (frontend/src/link.rs).
const hasLinkedCase = location.hash.replace(/^#/, '').split('&')
  .some((pair) => pair !== '' && pair.split('=')[0] !== 'embed');

async function loadJourney() {
  const journey = await import('./pkg/rdp_doctor_frontend.js');
  await journey.default();
  return journey;
}

function couldNotStart(err) {
  const main = app.querySelector('main');
  if (main) {
    main.textContent = 'RDP Doctor could not start in this browser: ' + err;
  }
}

// Resolves once Yew has rendered into `root` (it renders on the next microtask, not in mount).
function rendered(root) {
  return new Promise((resolve) => {
    if (root.firstElementChild) return resolve();
    const observer = new MutationObserver(() => {
      observer.disconnect();
      resolve();
    });
    observer.observe(root, { childList: true });
  });
}

// Where `element` sits under `root`, as child indices.
function pathTo(root, element) {
  const path = [];
  for (let node = element; node !== root; node = node.parentElement) {
    path.unshift(Array.prototype.indexOf.call(node.parentElement.children, node));
  }
  return path;
}

function follow(root, path) {
  return path.reduce((node, index) => node?.children[index], root);
}

// Puts the journey, rendered off-page in `next`, where the first screen is: the same text, focus
// on the same element (the two share their frame and decode panel, so the same position), the
// same caret, and the first screen's listeners gone.
function replaceFirstScreen(next, firstScreen) {
  const before = app.querySelector('#error-text');
  const focused = document.activeElement;
  const focusPath = focused && focused !== app && app.contains(focused) ? pathTo(app, focused) : null;
  app.replaceWith(next);
  next.id = 'app';
  const after = next.querySelector('#error-text');
  if (before && after && after.value !== before.value) { // typed while the journey was rendering
    after.value = before.value;
    after.dispatchEvent(new InputEvent('input', { bubbles: true }));
  }
  const refocus = focusPath && follow(next, focusPath);
  if (refocus && refocus.tagName === focused.tagName) {
    refocus.focus({ preventScroll: true });
    if (refocus === after) after.setSelectionRange(before.selectionStart, before.selectionEnd);
  }
  firstScreen.unmount();
}

async function startWithFirstScreen() {
  const firstScreenModule = await import('./pkg/rdp_doctor_first_screen.js');
  await firstScreenModule.default();
  const firstScreen = firstScreenModule.mount(app, embedded);
  let journey;
  try {
    journey = await loadJourney();
  } catch (err) {
    const note = document.getElementById('journey-loading');
    if (note) {
      note.textContent = 'The questions, the probe and the evidence checks could not load (' + err +
        '). Decoding still works; reload the page to try again.';
    }
    return;
  }
  const next = document.createElement('div');
  journey.mount(next, app.querySelector('#error-text')?.value ?? '');
  await rendered(next);
  replaceFirstScreen(next, firstScreen);
}

if (hasSavedProgress() || hasLinkedCase) {
  loadJourney().then((journey) => journey.mount(app, '')).catch(couldNotStart);
} else {
  startWithFirstScreen().catch(couldNotStart);
}

// Printing shows every folded section (causes, timelines, settings): a printout has no clicks.
addEventListener('beforeprint', () => {
  for (const details of document.querySelectorAll('details')) details.open = true;
});

// Embed mode: tell the embedding page how tall the content is, so a wiki iframe follows it as it
// grows and as it shrinks (a folded section, a cleared answer). The body's own height, not the
// document's scrollHeight, which never drops below the iframe's current height.
if (embedded && window.parent !== window) {
  let last = 0;
  const report = () => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: 'rdp-doctor:height', height }, '*');
    }
  };
  new ResizeObserver(report).observe(document.body);
  report();
}
