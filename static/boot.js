// Starts the Wasm app. Kept as a file (not inline) so the page's CSP can forbid inline scripts.
import init from './pkg/rdp_doctor_frontend.js';

init().catch((err) => {
  const main = document.querySelector('#app main');
  if (main) {
    main.textContent = 'RDP Doctor could not start in this browser: ' + err;
  }
});
