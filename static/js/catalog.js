// Catalog changes (sites, equipment, referral types, usual packs) reach the phone with its next
// sync. Every sync run starts with GET /api/v1/me, which carries the server's catalog version;
// after a run that ended well the service worker fetches the pages it keeps for offline use
// again if they were made with another version, and a form page made with an older catalog
// reloads, but only while nothing is typed into it. Records already in the outbox are never
// touched: the server keeps accepting codes that were retired since.

const RELOADED_KEY = 'outreach.catalog-reloaded';
const FLASH_KEY = 'outreach.catalog-flash';
const WORKER_TIMEOUT = 30000;

function pageCatalog() {
  const element = document.getElementById('js-catalog');
  try {
    return (element && JSON.parse(element.textContent)) || {};
  } catch (error) {
    return {};
  }
}

/** The catalog version this page was made with (null on a page from before versions). */
export function pageVersion() {
  return pageCatalog().version || null;
}

/** The codes of the user's sites when this page was made. */
export function pageSites() {
  const { sites } = pageCatalog();
  return Array.isArray(sites) ? sites : [];
}

/** Have the service worker keep pages made with `version`: 'current', 'refreshed', 'failed',
 * or 'none' without a service worker. */
export function keepPagesOf(version) {
  const worker = 'serviceWorker' in navigator && navigator.serviceWorker.controller;
  if (!worker) return Promise.resolve('none');
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve('failed'), WORKER_TIMEOUT);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data);
    };
    worker.postMessage({ type: 'catalog-version', version }, [channel.port2]);
  });
}

/**
 * Follow the sync runs. `needsReload()` says whether this page shows the catalog (a record
 * form), `canReload()` whether it may reload now (nothing typed in); `onWaiting()` is told,
 * once per version, that it may not yet. A page reloads at most once for a version, so a
 * server whose pages and answers disagree cannot make it loop.
 */
export function follow(sync, { needsReload, canReload, onWaiting }) {
  let toldFor = null;
  sync.onChange(async ({ phase, catalogVersion }) => {
    if (phase !== 'done' || !catalogVersion) return;
    await keepPagesOf(catalogVersion);
    if (catalogVersion === pageVersion() || !needsReload()) return;
    if (sessionStorage.getItem(RELOADED_KEY) === catalogVersion) return;
    if (sync.isRunning() || !canReload()) {
      if (toldFor !== catalogVersion) onWaiting();
      toldFor = catalogVersion;
      return;
    }
    sessionStorage.setItem(RELOADED_KEY, catalogVersion);
    // The worker's last message ("Contact saved on this phone.") is shown again after reloading.
    const flash = document.querySelector('#js-flash .flash');
    const kind = flash && [...flash.classList].find((name) => name.startsWith('flash-'));
    sessionStorage.setItem(FLASH_KEY, JSON.stringify(
      flash ? { text: flash.textContent, kind: kind ? kind.slice(6) : 'success' } : {},
    ));
    window.location.reload();
  });
}

/**
 * After a reload for a newer catalog: {text, kind} of the message shown before it, or {} if
 * there was none; null when this load was no such reload. Taken once.
 */
export function afterReload() {
  const carried = sessionStorage.getItem(FLASH_KEY);
  if (carried === null) return null;
  sessionStorage.removeItem(FLASH_KEY);
  try {
    return JSON.parse(carried) || {};
  } catch (error) {
    return {};
  }
}
