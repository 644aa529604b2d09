// Field app (phones, weak or absent networks): GPS for check-in and patrol sign-in, evidence photos hashed on the
// phone (SHA-256), and a queue in IndexedDB that holds every field action made without network and sends each
// once when the network is back (idempotency keys; photos resume from the server's offset). A service worker keeps
// the field pages usable offline once opened. The outcome button unlocks once a photo is acknowledged or queued;
// the server refuses an outcome without an acknowledged photo anyway (the queue sends the photo first).
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
    root.querySelectorAll('form[method=post][action*="/field/"]:not([data-gps]):not([data-queue])').forEach((form) => {
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
    root.querySelectorAll('form[data-gps]:not([data-queue])').forEach((form) => {
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

  // --- The queue: field actions (签收, 签到, 照片, 结论, 恢复原状) are saved on the phone (IndexedDB) the moment they
  // are made, with an idempotency key and the phone's time, and sent in order when there is a network — each
  // once: the server keeps the keys (and a photo's hash), so a replay after a lost answer writes nothing again.
  // The queue survives closing the page and a lapsed session (a redirect to the login page keeps the item).
  const DB_NAME = 'landguard-field', STORE = 'queue';
  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function store(mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => { db.close(); resolve(request ? request.result : undefined); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    });
  }
  const queued = () => store('readonly', (s) => s.getAll());
  const enqueue = (item) => store('readwrite', (s) => s.add(item));
  const update = (item) => store('readwrite', (s) => s.put(item));
  const remove = (id) => store('readwrite', (s) => s.delete(id));

  const live = new Map();  // id → {state, progress} for this page: sending / sent (sent items leave the store)
  const sentHere = [];      // items sent from this page, shown as sent until it reloads
  const newKey = () => (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;

  // One request, no retries: a dead network throws (the item waits for the next flush); a lapsed session waits
  // for the new login on this page and goes again.
  async function sendOnce(url, options) {
    for (;;) {
      const headers = { ...(options.headers || {}), 'X-Field-Queue': '1' };
      if (options.method && options.method !== 'GET') headers['X-CSRFToken'] = csrf();
      const answer = await fetch(url, { credentials: 'same-origin', ...options, headers, redirect: 'manual', cache: 'no-store' });
      if (!sessionGone(answer)) return answer;
      await waitForLogin();
    }
  }
  async function errorOf(answer) {
    try { const body = await answer.json(); return typeof body.error === 'string' ? body.error : JSON.stringify(body.error); }
    catch (error) { return `HTTP ${answer.status}`; }
  }

  async function sendForm(item) {
    const body = new FormData();
    Object.entries(item.fields).forEach(([name, value]) => body.append(name, value));
    body.append('key', item.key); body.append('device_at', item.device_at);
    const answer = await sendOnce(item.url, { method: 'POST', body });
    return answer.ok ? { ok: true } : { ok: false, error: await errorOf(answer) };
  }

  async function sendPhoto(item) {
    const form = new FormData();
    ['kind', 'name', 'sha256', 'size', 'taken_at', 'lon', 'lat'].forEach((k) => { if (item[k] !== undefined && item[k] !== null) form.append(k, String(item[k])); });
    let answer = await sendOnce(item.url, { method: 'POST', body: form });
    if (!answer.ok) return { ok: false, error: await errorOf(answer) };
    let state = await answer.json();  // the same hash again: the upload in progress, from where it stands
    while (!state.acknowledged) {
      const start = state.received, end = Math.min(start + item.chunk, item.size);
      answer = await sendOnce(state.url, { method: 'PUT', body: item.data.slice(start, end),
                                           headers: { 'Upload-Offset': String(start), 'Content-Type': 'application/octet-stream' } });
      if (answer.status === 409) { state = await answer.json(); continue; }  // the server says where to resume
      if (!answer.ok) return { ok: false, error: await errorOf(answer) };
      state = await answer.json();
      live.set(item.id, { state: 'sending', progress: Math.round(100 * state.received / state.size) });
      render();
    }
    return { ok: true };
  }

  let flushing = false;
  async function flush() {
    if (flushing || !window.indexedDB || navigator.onLine === false) return;  // offline for sure: no use trying
    flushing = true;
    let moved = false;
    try {
      const blocked = new Set();  // a task whose item was refused: its later items wait for the officer
      for (const item of await queued()) {
        if (item.state === 'failed') { blocked.add(item.task); continue; }
        if (blocked.has(item.task)) continue;
        live.set(item.id, { state: 'sending' }); render();
        let result;
        try { result = item.action === 'photo' ? await sendPhoto(item) : await sendForm(item); }
        catch (error) { live.delete(item.id); break; }  // no network: stop here, keep the order, try again later
        if (result.ok) {
          await remove(item.id);
          live.set(item.id, { state: 'sent' }); sentHere.push(item);
          if (item.action === 'photo') photoAcknowledged(item); else moved = true;
        } else {
          item.state = 'failed'; item.error = result.error; live.delete(item.id);
          await update(item); blocked.add(item.task);
        }
      }
    } finally { flushing = false; }
    await render();
    const steps = document.querySelector('[data-field-steps]');
    const left = (await queued()).filter((i) => steps && String(i.task) === steps.dataset.task);
    if (moved && steps && !left.length) location.reload();  // the task moved on the server: show it as it stands
  }

  function photoAcknowledged(item) {
    const count = document.querySelector('[data-acknowledged-count]');
    if (count && String(item.task) === document.querySelector('[data-field-steps]')?.dataset.task) {
      count.textContent = String(Number(count.textContent) + 1);
    }
  }

  // What the task has reached on this phone: the server's status moved on by the actions still queued or just sent.
  const NEXT = { report: 'reported', check_in: 'on_site', outcome: 'verified', restore: 'restored' };
  async function showSteps() {
    const steps = document.querySelector('[data-field-steps]');
    if (!steps) return;
    let status = steps.dataset.serverStatus, outcome = steps.dataset.outcome, photos = 0;
    const mine = [...(await queued()), ...sentHere].filter((i) => String(i.task) === steps.dataset.task && i.state !== 'failed');
    for (const item of mine) {
      if (item.action === 'photo') { photos += 1; continue; }
      status = NEXT[item.action] || status;
      if (item.action === 'outcome') outcome = item.fields.outcome || outcome;
    }
    steps.querySelectorAll('[data-when]').forEach((el) => {
      const needs = el.dataset.outcomeNeeded;
      el.hidden = !el.dataset.when.split(' ').includes(status) || Boolean(needs && needs !== outcome);
    });
    const acknowledged = Number(document.querySelector('[data-acknowledged-count]')?.textContent || 0);
    document.querySelectorAll('[data-needs-photo]').forEach((button) => { button.disabled = !(acknowledged || photos); });
  }

  async function render() {
    const panel = document.querySelector('[data-field-queue]');
    const note = document.querySelector('[data-offline-note]');
    if (note) note.hidden = navigator.onLine !== false;
    if (!panel || !window.indexedDB) return;
    const t = panel.dataset;
    const items = [...(await queued()), ...sentHere].sort((a, b) => a.id - b.id);
    const waiting = items.filter((i) => !sentHere.includes(i)).length;
    panel.hidden = !items.length;
    panel.querySelector('[data-queue-count]').textContent = t.countLabel.replace('%(n)s', String(waiting));
    const list = panel.querySelector('[data-queue-list]');
    list.replaceChildren(...items.map((item) => {
      const now = live.get(item.id) || {};
      const state = now.state || (item.state === 'failed' ? 'failed' : 'waiting');
      const row = document.createElement('li');
      row.dataset.state = state; row.dataset.action = item.action; row.dataset.queueId = String(item.id);
      const what = document.createElement('span');
      what.textContent = `${item.title} · ${new Date(item.device_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
      const where = document.createElement('span');
      where.textContent = t[`state${state[0].toUpperCase()}${state.slice(1)}`] + (now.progress !== undefined && state === 'sending' ? ` ${now.progress}%` : '')
        + (state === 'failed' && item.error ? `：${item.error}` : '');
      row.append(what, where);
      if (state === 'failed') {
        const discard = document.createElement('button');
        discard.type = 'button'; discard.className = 'button'; discard.textContent = t.discard;
        discard.addEventListener('click', async () => { await remove(item.id); await render(); flush(); });
        row.append(discard);
      }
      return row;
    }));
    renderPendingPhotos(items);
    await showSteps();
  }

  const previews = new Map();  // a queued photo's local preview, made once
  function renderPendingPhotos(items) {
    const list = document.querySelector('[data-pending-photos]'), steps = document.querySelector('[data-field-steps]');
    if (!list || !steps) return;
    const panel = document.querySelector('[data-photo-panel]').dataset;
    list.replaceChildren(...items.filter((i) => i.action === 'photo' && String(i.task) === steps.dataset.task).map((item) => {
      const now = live.get(item.id) || {};
      const state = now.state || (item.state === 'failed' ? 'failed' : 'waiting');
      const row = document.createElement('li');
      row.dataset.acknowledged = String(state === 'sent');
      const img = document.createElement('img');
      if (!previews.has(item.key || item.sha256)) previews.set(item.key || item.sha256, URL.createObjectURL(new Blob([item.data], { type: item.type || 'image/jpeg' })));
      img.src = previews.get(item.key || item.sha256);
      img.alt = item.title; img.width = 64; img.height = 48; img.className = 'pending-thumb';
      const label = document.createElement('span');
      const queue = document.querySelector('[data-field-queue]').dataset;
      label.textContent = state === 'sent' ? panel.acknowledged : state === 'failed' ? `${panel.failed} ${item.error || ''}`
        : state === 'sending' ? `${panel.uploading} ${now.progress || 0}%` : queue.stateWaiting;
      row.append(img, label);
      return row;
    }));
  }

  const taskTitle = () => document.querySelector('.breadcrumbs [aria-current]')?.textContent.trim() || '';

  async function queueForm(form) {
    const fields = {};
    for (const [name, value] of new FormData(form).entries()) if (name !== 'csrfmiddlewaretoken') fields[name] = String(value);
    await enqueue({ task: document.querySelector('[data-field-steps]').dataset.task, action: form.dataset.queue,
                    title: `${taskTitle()} ${form.dataset.label}`, url: form.action, fields, key: newKey(),
                    device_at: new Date().toISOString(), state: 'waiting' });
    await render();
    flush();
  }

  function wireQueue(root) {
    root.querySelectorAll('form[data-queue]').forEach((form) => {
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const button = form.querySelector('button[type=submit]');
        if (button) button.disabled = true;
        try {
          if (form.dataset.gps !== undefined) {
            const status = form.querySelector('[data-gps-status]');
            if (status) status.textContent = form.dataset.locating || '…';
            try {
              const pos = await position();
              form.elements.lon.value = pos.coords.longitude.toFixed(7);
              form.elements.lat.value = pos.coords.latitude.toFixed(7);
              if (form.elements.accuracy) form.elements.accuracy.value = Math.round(pos.coords.accuracy);
            } catch (error) { if (status) status.textContent = form.dataset.failed || String(error); return; }
          }
          await queueForm(form);
        } finally { if (button) button.disabled = false; }
      });
    });
  }

  function wirePhotos(panel) {
    const input = panel.querySelector('input[type=file]'), kind = panel.querySelector('select[name=kind]');
    input.addEventListener('change', async () => {
      for (const file of input.files) {
        const data = await file.arrayBuffer();
        const hash = await sha256(data);
        let pos = null;
        try { pos = await position(); } catch (error) { /* a photo without GPS is still evidence; the server records none */ }
        await enqueue({ task: panel.dataset.task, action: 'photo', title: `${taskTitle()} ${kind.options[kind.selectedIndex].text}`,
                        url: panel.dataset.start, chunk: Number(panel.dataset.chunk), kind: kind.value, name: file.name || 'photo.jpg',
                        type: file.type, sha256: hash, size: data.byteLength,
                        taken_at: new Date(file.lastModified || Date.now()).toISOString(), device_at: new Date().toISOString(),
                        lon: pos ? pos.coords.longitude.toFixed(7) : null, lat: pos ? pos.coords.latitude.toFixed(7) : null,
                        data, state: 'waiting' });
      }
      input.value = '';
      await render();
      flush();
    });
  }

  // The service worker keeps the field pages and their static files for use without network; this page and
  // what it loaded go into its cache at once (the worker only sees the requests made after it took over).
  function registerWorker() {
    const panel = document.querySelector('[data-field-queue]');
    if (!panel || !('serviceWorker' in navigator) || !window.caches) return;
    navigator.serviceWorker.register(panel.dataset.worker, { scope: panel.dataset.scope }).then(() => navigator.serviceWorker.ready)
      .then(async () => {
        const cache = await caches.open(panel.dataset.cache);
        const urls = new Set([location.pathname + location.search]);
        document.querySelectorAll('link[rel=stylesheet][href], script[src]').forEach((el) => urls.add(el.getAttribute('href') || el.getAttribute('src')));
        document.querySelectorAll('a[data-task][href]').forEach((a, i) => { if (i < 30) urls.add(a.getAttribute('href')); });
        await Promise.all([...urls].map((url) => cache.add(url).catch(() => {})));
        document.documentElement.dataset.offlineReady = 'true';
      }).catch(() => { /* not a secure context (plain HTTP off localhost): the page works online only */ });
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
    wireQueue(document);
    document.querySelectorAll('[data-photo-panel]').forEach(wirePhotos);
    wirePatrol(document.querySelector('[data-patrol]'));
    if (document.querySelector('[data-field-queue]') && window.indexedDB) {
      render().then(flush);
      window.addEventListener('online', () => { render(); flush(); });
      window.addEventListener('offline', () => render());
      setInterval(flush, 20000);
      registerWorker();
    }
  });
  window.landguardSha256 = sha256;
})();
