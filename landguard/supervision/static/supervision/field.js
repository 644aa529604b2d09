// Field app (phones, weak networks): GPS for check-in and patrol sign-in, and evidence photos hashed on the
// phone (SHA-256), announced with their GPS and time, uploaded in chunks that resume from the server's
// offset after a dropped connection. The submit buttons unlock once the server has acknowledged a photo
// (it re-hashes the file); the server refuses the submission otherwise anyway.
(function () {
  'use strict';

  // --- SHA-256: WebCrypto where the page is a secure context, else this small implementation (intranet HTTP).
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  function sha256Fallback(bytes) {
    const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const length = bytes.length, padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
    padded.set(bytes); padded[length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(length / 0x20000000)); view.setUint32(padded.length - 4, (length << 3) >>> 0);
    const w = new Uint32Array(64), rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let off = 0; off < padded.length; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3), s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    return Array.from(h, (x) => x.toString(16).padStart(8, '0')).join('');
  }
  async function sha256(buffer) {
    if (window.crypto && crypto.subtle) {
      const digest = await crypto.subtle.digest('SHA-256', buffer);
      return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    }
    return sha256Fallback(new Uint8Array(buffer));
  }

  // The cookie first: logging in again rotates the CSRF token, and the page's hidden inputs keep the old one.
  function csrf() {
    const cookie = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='));
    if (cookie) return decodeURIComponent(cookie.slice('csrftoken='.length));
    const input = document.querySelector('input[name=csrfmiddlewaretoken]');
    return input ? input.value : '';
  }

  // --- An expired session (LANDGUARD_SESSION_HOURS) must not lose what the officer has queued on this page.
  // Requests go out with redirect: 'manual'; the login redirect (an opaque redirect) or a 401 means "log in
  // again". The banner then asks for the password on this very page (a new page would drop the photos in
  // memory), and every waiting request is sent again once the probe answers 200.
  let relogin = null;  // the promise every waiting request shares while the banner is up
  const sessionGone = (answer) => answer.type === 'opaqueredirect' || answer.status === 401;

  async function sessionAlive(banner) {
    try {
      const probe = await fetch(banner.dataset.probe, { credentials: 'same-origin', redirect: 'manual', cache: 'no-store' });
      return probe.ok;
    } catch (error) { return false; }
  }

  function waitForLogin() {
    const banner = document.querySelector('[data-session-expired]');
    if (!banner) return Promise.reject(new Error('session expired'));
    if (relogin) return relogin;
    relogin = new Promise((resolve) => {
      const form = banner.querySelector('form[data-relogin]'), status = banner.querySelector('[data-relogin-status]');
      banner.hidden = false;
      form.elements.password.focus();
      const done = () => {
        banner.hidden = true; form.reset(); status.textContent = ''; relogin = null;
        // Plain forms on the page carry the old token: give them the new one.
        document.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach((input) => { input.value = csrf(); });
        form.removeEventListener('submit', onSubmit); window.removeEventListener('focus', onFocus);
        resolve();
      };
      async function onSubmit(event) {
        event.preventDefault();
        const body = new FormData();
        body.append('username', form.elements.username.value); body.append('password', form.elements.password.value);
        body.append('csrfmiddlewaretoken', csrf());
        try {
          await fetch(banner.dataset.login, { method: 'POST', body, credentials: 'same-origin', redirect: 'manual' });
        } catch (error) { /* offline: the probe below says so */ }
        if (await sessionAlive(banner)) done(); else status.textContent = banner.dataset.loginFailed;
      }
      // Logged in again in another tab: carry on when the officer comes back to this one.
      async function onFocus() { if (await sessionAlive(banner)) done(); }
      form.addEventListener('submit', onSubmit);
      window.addEventListener('focus', onFocus);
    });
    return relogin;
  }

  // fetch with retries on a dead network and a wait for a new login on an expired session; the CSRF header
  // is read afresh for every attempt.
  async function send(url, options = {}) {
    for (;;) {
      const headers = { ...(options.headers || {}) };
      if (options.method && options.method !== 'GET') headers['X-CSRFToken'] = csrf();
      const answer = await fetchRetry(url, { ...options, headers, redirect: 'manual' });
      if (!sessionGone(answer)) return answer;
      await waitForLogin();
    }
  }

  // Before a plain form leaves the page, make sure the session still lives, else the POST would end on the
  // login page and its fields would be gone.
  async function ensureSession(form) {
    const banner = document.querySelector('[data-session-expired]');
    if (banner && !(await sessionAlive(banner))) await waitForLogin();
    const input = form.querySelector('input[name=csrfmiddlewaretoken]');
    if (input) input.value = csrf();
  }

  function wireForms(root) {
    if (!root.querySelector('[data-session-expired]')) return;
    // The field app's own forms only: signing out or switching language needs no session check.
    root.querySelectorAll('form[method=post][action*="/field/"]:not([data-gps])').forEach((form) => {
      form.addEventListener('submit', async (event) => {
        if (form.dataset.sessionChecked === 'true') return;
        event.preventDefault();
        await ensureSession(form);
        form.dataset.sessionChecked = 'true';
        form.submit();
      });
    });
  }

  function position() {
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) { reject(new Error('no geolocation')); return; }
      navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 });
    });
  }

  // Buttons with data-gps fill their form's lon/lat/accuracy from the phone's GPS, then submit it.
  function wireGps(root) {
    root.querySelectorAll('form[data-gps]').forEach((form) => {
      form.addEventListener('submit', async (event) => {
        if (form.dataset.located === 'true') return;
        event.preventDefault();
        const status = form.querySelector('[data-gps-status]');
        if (status) status.textContent = form.dataset.locating || '…';
        try {
          const pos = await position();
          form.elements.lon.value = pos.coords.longitude.toFixed(7);
          form.elements.lat.value = pos.coords.latitude.toFixed(7);
          if (form.elements.accuracy) form.elements.accuracy.value = Math.round(pos.coords.accuracy);
          form.dataset.located = 'true';
          await ensureSession(form);
          form.submit();
        } catch (error) {
          if (status) status.textContent = form.dataset.failed || String(error);
          if (form.dataset.gpsOptional === 'true') { form.dataset.located = 'true'; await ensureSession(form); form.submit(); }
        }
      });
    });
  }

  // "Use my position" buttons: fill the form's lon/lat fields, leave submitting to the person.
  function wireFill(root) {
    root.querySelectorAll('[data-fill-gps]').forEach((button) => {
      button.addEventListener('click', async () => {
        try {
          const pos = await position();
          button.form.elements.lon.value = pos.coords.longitude.toFixed(7);
          button.form.elements.lat.value = pos.coords.latitude.toFixed(7);
        } catch (error) { button.classList.add('warn-text'); }
      });
    });
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function fetchRetry(url, options, attempts = 6) {
    let pause = 1000;
    for (let i = 1; ; i++) {
      try {
        return await fetch(url, { credentials: 'same-origin', ...options });
      } catch (error) {  // network gone: wait and try again, longer each time
        if (i >= attempts) throw error;
        await sleep(pause); pause = Math.min(pause * 2, 15000);
      }
    }
  }

  async function uploadPhoto(file, kind, panel, row) {
    const t = panel.dataset;
    const bar = row.querySelector('.progress > span'), label = row.querySelector('[data-state]');
    const buffer = await file.arrayBuffer();
    label.textContent = t.hashing;
    const hash = await sha256(buffer);
    row.querySelector('.hash').textContent = hash;
    let pos = null;
    try { pos = await position(); } catch (error) { /* a photo without GPS is still evidence; the server records none */ }
    const form = new FormData();
    form.append('kind', kind); form.append('name', file.name || 'photo.jpg'); form.append('sha256', hash);
    form.append('size', String(buffer.byteLength));
    form.append('taken_at', new Date(file.lastModified || Date.now()).toISOString());
    if (pos) { form.append('lon', pos.coords.longitude.toFixed(7)); form.append('lat', pos.coords.latitude.toFixed(7)); }
    let answer = await send(t.start, { method: 'POST', body: form });
    let state = await answer.json();
    if (!answer.ok) throw new Error(JSON.stringify(state.error));
    const chunk = Number(t.chunk);
    while (!state.acknowledged) {
      const start = state.received, end = Math.min(start + chunk, buffer.byteLength);
      label.textContent = t.uploading;
      try {
        answer = await send(state.url, { method: 'PUT', body: buffer.slice(start, end),
                                         headers: { 'Upload-Offset': String(start), 'Content-Type': 'application/octet-stream' } });
      } catch (error) {  // still offline after the retries: ask where the server stands, then go on
        await sleep(5000);
        answer = await send(state.url, { method: 'GET' });
      }
      const next = await answer.json();
      if (answer.status === 422) throw new Error(next.error);
      if (!answer.ok && answer.status !== 409) throw new Error(JSON.stringify(next.error));
      state = next;  // 409: the server says where to resume
      bar.style.width = `${Math.round(100 * state.received / state.size)}%`;
    }
    bar.style.width = '100%';
    label.textContent = t.acknowledged;
    row.dataset.acknowledged = 'true';
    return state;
  }

  function wirePhotos(panel) {
    const input = panel.querySelector('input[type=file]'), kind = panel.querySelector('select[name=kind]');
    const list = panel.querySelector('.photo-list');
    input.addEventListener('change', async () => {
      for (const file of input.files) {
        const row = document.createElement('li');
        row.innerHTML = '<span class="name"></span><span class="progress"><span></span></span><span data-state></span><span class="hash"></span>';
        row.querySelector('.name').textContent = `${kind.options[kind.selectedIndex].text} · ${file.name}`;
        list.append(row);
        try {
          await uploadPhoto(file, kind.value, panel, row);
          const count = document.querySelector('[data-acknowledged-count]');
          count.textContent = String(Number(count.textContent) + 1);
          document.querySelectorAll('[data-needs-photo]').forEach((button) => { button.disabled = false; });
        } catch (error) {
          row.querySelector('[data-state]').textContent = `${panel.dataset.failed} ${error.message}`;
          row.classList.add('warn-text');
        }
      }
      input.value = '';
    });
  }

  // Patrol: record the track while the page is open and send it in batches (kept in localStorage until sent).
  function wirePatrol(root) {
    if (!root || !navigator.geolocation) return;
    const key = `landguard-patrol-${root.dataset.patrol}`;
    const pending = JSON.parse(localStorage.getItem(key) || '[]');
    const counter = root.querySelector('[data-points]');
    const save = () => localStorage.setItem(key, JSON.stringify(pending));
    navigator.geolocation.watchPosition((pos) => {
      pending.push([Number(pos.coords.longitude.toFixed(7)), Number(pos.coords.latitude.toFixed(7)), new Date(pos.timestamp).toISOString()]);
      save();
    }, () => {}, { enableHighAccuracy: true, maximumAge: 10000 });
    let flushing = false;  // one batch at a time, also while a flush waits for a new login
    async function flush() {
      if (!pending.length || flushing) return;
      flushing = true;
      const batch = pending.slice(0, 500);
      try {
        const answer = await send(root.dataset.track, { method: 'POST', body: JSON.stringify({ points: batch }),
                                                        headers: { 'Content-Type': 'application/json' } });
        if (answer.ok) {
          pending.splice(0, batch.length); save();
          const state = await answer.json();
          if (counter) counter.textContent = `${state.points} · ${Math.round(state.distance_m)} m`;
        }
      } catch (error) { /* offline: keep the points, try again later */ } finally { flushing = false; }
    }
    setInterval(flush, 15000);
    root.querySelector('form[data-finish]')?.addEventListener('submit', () => { flush(); });
  }

  document.addEventListener('DOMContentLoaded', () => {
    wireGps(document);
    wireFill(document);
    wireForms(document);
    document.querySelectorAll('[data-photo-panel]').forEach(wirePhotos);
    wirePatrol(document.querySelector('[data-patrol]'));
  });
  window.landguardSha256 = sha256;
})();
