// Evidence photo thumbnails open in a lightbox (a <dialog>): the bounded large view, its caption, closed by the
// button, Esc or a tap outside the picture. Without JS the thumbnail links to the large view itself.
(function () {
  'use strict';
  function wire(root) {
    const dialog = root.querySelector('[data-lightbox-dialog]');
    if (!dialog || typeof dialog.showModal !== 'function') return;
    const img = dialog.querySelector('img'), caption = dialog.querySelector('[data-lightbox-caption]');
    root.addEventListener('click', (event) => {
      const link = event.target.closest('a[data-lightbox]');
      if (!link) return;
      event.preventDefault();
      img.src = link.href;
      img.alt = link.dataset.caption || '';
      caption.textContent = link.dataset.caption || '';
      dialog.showModal();
    });
    dialog.addEventListener('click', (event) => { if (event.target === dialog) dialog.close(); });
  }
  document.addEventListener('DOMContentLoaded', () => wire(document));
})();
