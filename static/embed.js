// For a wiki or intranet page that embeds RDP Doctor: put
//   <div data-rdp-doctor></div><script src="https://<your-deployment>/embed.js" async></script>
// where the tool should appear. This script puts the app in an iframe there, makes the iframe
// follow the app's height both ways, and, when the frame stays blank (this page's origin is not
// in the deployment's FRAME_ANCESTORS, or the deployment cannot be reached), replaces it with a
// sentence that says so and a link that opens the tool in its own tab.
(() => {
  const script = document.currentScript;
  const origin = new URL(script.src).origin;
  const app = `${origin}/#embed=1`;
  // The app reports its height as soon as it starts; a frame silent this long did not load.
  const LOAD_DEADLINE_MS = 10000;

  for (const slot of document.querySelectorAll('[data-rdp-doctor]')) {
    const frame = document.createElement('iframe');
    frame.src = app;
    frame.title = 'RDP Doctor: diagnose a Remote Desktop connection that fails';
    frame.style.cssText = 'width:100%;border:0;height:640px';
    let loaded = false;
    addEventListener('message', (event) => {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      if (event.data && event.data.type === 'rdp-doctor:height' && Number.isFinite(event.data.height)) {
        loaded = true;
        frame.style.height = `${Math.max(200, event.data.height)}px`;
      }
    });
    setTimeout(() => {
      if (loaded) return;
      const note = document.createElement('p');
      note.setAttribute('role', 'note');
      note.append(
        `RDP Doctor cannot be shown inside this page: the deployment at ${origin} does not allow ` +
        `${location.origin} to embed it (its FRAME_ANCESTORS setting), or it cannot be reached from here. `,
      );
      const link = document.createElement('a');
      link.href = `${origin}/`;
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = 'Open RDP Doctor in a new tab';
      note.append(link, '.');
      frame.replaceWith(note);
    }, LOAD_DEADLINE_MS);
    slot.replaceChildren(frame);
  }
})();
