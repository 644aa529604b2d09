// Service worker of the field app (scope {{ scope }}): the field pages and their static files keep working without
// network once opened. Pages: network first, the last good copy when offline. Static files: cache first (their names
// carry a hash). Writes (POST, PUT) are never cached nor replayed here: the page's queue (field.js, IndexedDB) holds
// them and sends each once, with its idempotency key, when the network is back.
const CACHE = '{{ cache }}';
const SCOPE = '{{ scope }}';
const STATIC = '{{ static_url }}';
const SKIP = /\/(session|photos\/\d+)\/$/;  // live answers: the session probe, an upload's offset

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith('landguard-field-') && name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const answer = await fetch(request);
    // Only a page itself: not the login page a lapsed session was redirected to, not an error page.
    if (answer.ok && !answer.redirected) await cache.put(request, answer.clone());
    return answer;
  } catch (error) {
    const kept = await cache.match(request, { ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreVary: true });
  if (kept) return kept;
  const answer = await fetch(request);
  if (answer.ok) await cache.put(request, answer.clone());
  return answer;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || SKIP.test(url.pathname)) return;
  if (url.pathname.startsWith(STATIC)) event.respondWith(cacheFirst(request));
  else if (url.pathname.startsWith(SCOPE)) event.respondWith(networkFirst(request));
});
