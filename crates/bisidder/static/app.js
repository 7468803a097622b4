// Progressive enhancement only: every page works without this file.
document.addEventListener('DOMContentLoaded', function () {
  if (window.DKFDS && typeof window.DKFDS.init === 'function') {
    window.DKFDS.init();
  }
});

// Quick exit (Min sag): leave for a neutral site without leaving this page in the back
// history. Without JavaScript the same link still leaves, as an ordinary link.
document.addEventListener('click', function (e) {
  var a = e.target.closest && e.target.closest('[data-quick-exit]');
  if (!a) return;
  e.preventDefault();
  window.location.replace(a.href);
});
