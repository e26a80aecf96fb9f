// Starts the Wasm app. Kept as a file (not inline) so the page's CSP can forbid inline scripts.
import init from './pkg/rdp_doctor_frontend.js';

init().catch((err) => {
  const main = document.querySelector('#app main');
  if (main) {
    main.textContent = 'RDP Doctor could not start in this browser: ' + err;
  }
});

// Embed mode (#embed=1 or ?embed): tell the embedding page how tall we are, so a wiki iframe
// can grow with the content instead of scrolling inside itself.
const embedded = /(^|[#&])embed=1(&|$)/.test(location.hash) ||
  new URLSearchParams(location.search).has('embed');
if (embedded && window.parent !== window) {
  let last = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: 'rdp-doctor:height', height }, '*');
    }
  }).observe(document.body);
}
