// Shell behaviour: the phone menu (hamburger) and the language switcher that submits on change.
document.addEventListener('DOMContentLoaded', () => {
  const toggle = document.querySelector('.nav-toggle');
  const nav = document.getElementById('site-nav');
  if (toggle && nav) {
    toggle.addEventListener('click', () => {
      const open = nav.classList.toggle('open');
      toggle.setAttribute('aria-expanded', String(open));
    });
  }
  // The reference-data menu opens on hover and keyboard focus (CSS); a click or tap toggles it too.
  document.querySelectorAll('.nav-group-toggle').forEach((button) => {
    button.addEventListener('click', () => {
      const open = button.parentElement.classList.toggle('open');
      button.setAttribute('aria-expanded', String(open));
    });
  });
  document.addEventListener('click', (event) => {
    document.querySelectorAll('.nav-group.open').forEach((group) => {
      if (!group.contains(event.target)) {
        group.classList.remove('open');
        group.querySelector('.nav-group-toggle').setAttribute('aria-expanded', 'false');
      }
    });
  });
  document.querySelectorAll('select[data-autosubmit]').forEach((select) => {
    select.addEventListener('change', () => select.form.submit());
  });
  // A form that cannot be undone asks first (the question in data-confirm; no inline handlers under the CSP).
  document.querySelectorAll('form[data-confirm]').forEach((form) => {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Bulk actions: "select all on this page" ticks every row's box. Delegated, as HTMX swaps the results in place.
  document.addEventListener('change', (event) => {
    const all = event.target.closest('[data-pick-all]');
    if (!all) return;
    const results = all.closest('#results') || document;
    results.querySelectorAll('input[name=ids]').forEach((box) => { box.checked = all.checked; });
  });
});
