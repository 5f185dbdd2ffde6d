// Outreach service worker: keeps the field app's shell for offline use.
// It never sends records itself: the page's JavaScript syncs the IndexedDB outbox (DESIGN §8).
// The pages it keeps are copies made for it: the server leaves out client aliases and the
// organisations referred to (OFFLINE_COPY). A page opened online is shown, never kept as it is.
// The first answer that says the session is over (a 401, a redirect to sign in) forgets them.
const VERSION = {{ version|tojson }};
const CACHE = `outreach-${VERSION}`;
const PRECACHE = {{ precache|tojson }};
// Field pages and the catalog need a signed-in user: they are fetched after sign-in.
const KEPT = [...PRECACHE.pages, PRECACHE.catalog];
const KEPT_PATHS = new Set(KEPT);
// Under this key (never a page) the cache holds the catalog version the kept pages were made
// with: a page that learns of another one after a sync asks for them all again.
const KEPT_VERSION = '/sw/catalog-version';
const OFFLINE_COPY = { 'Outreach-Offline-Copy': '1' };

/** An answer that says the session is over: the kept pages go at once. */
function signedOut(response) {
  return response.status === 401 || response.type === 'opaqueredirect'
    || (response.redirected && new URL(response.url).pathname === '/login');
}

async function fetchKept(cache, url) {
  // Keep only real answers, never a login page or a redirect.
  try {
    const response = await fetch(url, {
      credentials: 'same-origin', cache: 'no-store', headers: OFFLINE_COPY,
    });
    if (signedOut(response)) {
      await forgetPages();
      return null;
    }
    if (!response.ok || response.redirected) return null;
    const version = url === PRECACHE.catalog ? (await response.clone().json()).version : true;
    await cache.put(url, response);
    return version;
  } catch (error) {
    return null; // Offline: the page is cached the next time it loads online.
  }
}

async function cachePages() {
  const cache = await caches.open(CACHE);
  // The catalog first: pages fetched after it are at least as new as the version noted.
  const version = await fetchKept(cache, PRECACHE.catalog);
  const pages = await Promise.all(PRECACHE.pages.map((url) => fetchKept(cache, url)));
  if (typeof version !== 'string' || !pages.every(Boolean)) return false;
  await cache.put(KEPT_VERSION, new Response(version));
  return true;
}

// One fetch of the kept pages at a time: sign-in and a sync may both ask at once.
let keeping = Promise.resolve();

function serially(job) {
  keeping = keeping.then(job, job);
  return keeping;
}

/** 'current' when the kept pages were made with `version`, else fetch them: 'refreshed' or
 * 'failed' (they are asked for again after the next sync). */
async function keepCatalogVersion(version) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(KEPT_VERSION);
  if (kept && (await kept.text()) === version) return 'current';
  return (await cachePages()) ? 'refreshed' : 'failed';
}

async function forgetPages() {
  const cache = await caches.open(CACHE);
  await Promise.all([...KEPT, KEPT_VERSION].map((url) => cache.delete(url)));
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(PRECACHE.static);
    await serially(cachePages);
    // The first worker takes over at once; an update waits until the page says it is safe.
    if (!self.registration.active) await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith('outreach-') && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'skip-waiting') self.skipWaiting();
  else if (type === 'cache-pages') event.waitUntil(serially(cachePages));
  else if (type === 'forget-pages') {
    const port = event.ports[0];
    event.waitUntil(serially(forgetPages).then(() => port && port.postMessage('forgotten')));
  }
  else if (type === 'catalog-version' && typeof event.data.version === 'string') {
    const port = event.ports[0];
    event.waitUntil(serially(() => keepCatalogVersion(event.data.version))
      .then((outcome) => port && port.postMessage(outcome)));
  }
  else if (type === 'version' && event.ports[0]) event.ports[0].postMessage(VERSION);
});

// Background Sync wakes the pages, which do the syncing.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'outreach-sync') return;
  event.waitUntil((async () => {
    const pages = await self.clients.matchAll({ type: 'window' });
    pages.forEach((page) => page.postMessage({ type: 'sync' }));
  })());
});

async function networkFirst(event) {
  const { request } = event;
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    // A redirect (to sign in) or an error goes to the page as it is, never a cached shell.
    if (KEPT_PATHS.has(url.pathname) && signedOut(response)) {
      event.waitUntil(serially(forgetPages));
    } else if (response.ok && response.type === 'basic' && !response.redirected
        && KEPT_PATHS.has(url.pathname)) {
      // Opened online: its offline copy is made afresh, without client data.
      event.waitUntil(serially(async () => fetchKept(await caches.open(CACHE), url.pathname)));
    }
    return response;
  } catch (error) {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(url.pathname)
      || (url.pathname.startsWith('/field') && await cache.match(PRECACHE.pages[0]));
    if (cached) return cached;
    throw error;
  }
}

async function staticFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/static/')) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === 'navigate' || url.pathname === PRECACHE.catalog) {
    event.respondWith(networkFirst(event));
  }
  // Everything else (records and sync above all) goes to the network untouched.
});
