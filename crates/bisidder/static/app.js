// Progressive enhancement only: every page works without this file.
document.addEventListener('DOMContentLoaded', function () {
  if (window.DKFDS && typeof window.DKFDS.init === 'function') {
    window.DKFDS.init();
  }
});
