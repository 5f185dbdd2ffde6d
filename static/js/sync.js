// Sending the outbox to POST /api/v1/sync, from page JavaScript (never replayed by the worker).
// One run at a time across tabs (Web Locks: a second tab waits its turn), batches of at most
// 100, a fresh CSRF token per run, and an entry marked synced only when its id comes back
// `created` or `duplicate` in a well-formed JSON answer: a captive portal's HTML page with
// status 200 syncs nothing.

import * as outbox from './outbox.js';

export const BATCH_SIZE = 100;
const LOCK = 'outreach-sync';
const PLURAL = { contact: 'contacts', incident: 'incidents', referral_update: 'referral_updates' };
const STORED = new Set(['created', 'duplicate']);

const REQUEST_TIMEOUT = 30000;
let running = false;
let again = false;
// The server's catalog version, as GET /api/v1/me said at the start of the last run.
let catalogVersion = null;
const listeners = new Set();

/**
 * `listener({phase, ...})` hears 'start', 'signin', 'offline', 'error' and 'done'; the end of
 * a run also carries `catalogVersion`, the server's (or null).
 */
export function onChange(listener) {
  listeners.add(listener);
}

function tell(event) {
  listeners.forEach((listener) => listener(event));
}

export function isRunning() {
  return running;
}

async function json(response) {
  const type = response.headers.get('Content-Type') || '';
  if (!type.includes('application/json')) return null;
  try {
    return await response.json();
  } catch (error) {
    return null;
  }
}

/** Who is signed in, with a fresh CSRF token; {status: 'signin'} or {status: 'offline'}. */
export async function whoAmI() {
  let response;
  try {
    response = await fetch('/api/v1/me', {
      credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT),
    });
  } catch (error) {
    return { status: 'offline' };
  }
  if (response.status === 401) return { status: 'signin' };
  const body = response.ok ? await json(response) : null;
  if (!body || !body.user || typeof body.csrf_token !== 'string') return { status: 'offline' };
  return {
    status: 'ok',
    username: body.user.username,
    csrfToken: body.csrf_token,
    catalogVersion: typeof body.catalog_version === 'string' ? body.catalog_version : null,
  };
}

function wellFormed(body) {
  return Boolean(body && Array.isArray(body.results) && body.results.every(
    (result) => result && typeof result.id === 'string' && typeof result.status === 'string'
      && typeof result.type === 'string',
  ));
}

async function sendBatch(entries, csrfToken) {
  const body = { contacts: [], incidents: [], referral_updates: [] };
  entries.forEach((entry) => body[PLURAL[entry.type]].push(entry.record));
  await outbox.update(entries.map((entry) => [entry.id, {
    state: 'sending', attempts: (entry.attempts || 0) + 1,
  }]));
  let response;
  try {
    response = await fetch('/api/v1/sync', {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrfToken },
      body: JSON.stringify(body),
      // A request that never answers must not hold the sync (and the other tabs) for ever;
      // if the server did store the batch, the retry answers `duplicate`.
      signal: AbortSignal.timeout(REQUEST_TIMEOUT),
    });
  } catch (error) {
    return { outcome: 'offline', error: String(error) };
  }
  if (response.status === 401) return { outcome: 'signin' };
  const answer = await json(response);
  if (response.status !== 200 || !wellFormed(answer)) {
    return { outcome: 'error', error: `HTTP ${response.status}`, status: response.status, answer };
  }
  const byKey = new Map(answer.results.map((result) => [`${result.type}:${result.id}`, result]));
  const changes = entries.map((entry) => {
    const result = byKey.get(`${entry.type}:${entry.id.toLowerCase()}`);
    if (!result) return [entry.id, { state: 'pending', lastError: 'no answer for this record' }];
    if (STORED.has(result.status)) {
      return [entry.id, {
        state: 'synced', syncedAt: new Date().toISOString(), record: outbox.receipt(entry.record),
        lastError: null, errors: null, message: null,
      }];
    }
    if (result.status === 'rejected') {
      return [entry.id, { state: 'rejected', errors: result.errors || {}, lastError: null }];
    }
    if (result.status === 'conflict') {
      return [entry.id, { state: 'conflict', message: result.message || '', lastError: null }];
    }
    return [entry.id, { state: 'pending', lastError: `unknown status ${result.status}` }];
  });
  await outbox.update(changes);
  return { outcome: 'ok' };
}

async function run() {
  let me = await whoAmI();
  if (me.status !== 'ok') return me.status;
  catalogVersion = me.catalogVersion;
  let size = BATCH_SIZE;
  let freshToken = false;
  // Bounded: a run never loops for ever, whatever the server answers.
  for (let round = 0; round < 50; round += 1) {
    const entries = (await outbox.all()).filter(
      (entry) => entry.user === me.username && outbox.WAITING.includes(entry.state),
    );
    if (entries.length === 0) return 'done';
    const batch = entries.slice(0, size);
    const result = await sendBatch(batch, me.csrfToken);
    if (result.outcome !== 'ok') {
      const lastError = result.error || result.outcome;
      await outbox.update(batch.map((entry) => [entry.id, { state: 'pending', lastError }]));
      if (result.status === 413 && size > 1) {
        size = Math.max(1, Math.floor(size / 2));
        continue;
      }
      // 400: the token went stale during the run (the session changed: a sign-in in another
      // tab, or pages loading at once just after sign-in). Take a fresh one, once.
      if (result.status === 400 && !freshToken) {
        freshToken = true;
        me = await whoAmI();
        if (me.status !== 'ok') return me.status;
        continue;
      }
      return result.outcome;
    }
  }
  return 'done';
}

/**
 * Sync now. If another tab is syncing, wait for it to finish, then run here too: that sends
 * anything it left and, above all, tells this tab's status line how it ended.
 */
export async function syncNow() {
  if (running) {
    // A record saved while a run ends: run once more right after, not a minute later.
    again = true;
    return 'busy';
  }
  running = true;
  catalogVersion = null;
  tell({ phase: 'start' });
  let outcome;
  try {
    do {
      again = false;
      outcome = navigator.locks ? await navigator.locks.request(LOCK, () => run()) : await run();
    } while (again && outcome === 'done');
  } catch (error) {
    outcome = 'error';
  } finally {
    running = false;
  }
  tell({ phase: outcome, catalogVersion });
  return outcome;
}

// Every minute while all is well; after a failure 15 s, doubling up to 5 minutes.
const EVERY = 60000;
const FIRST_RETRY = 15000;
const LONGEST = 300000;
let failures = 0;
let timer = null;

function schedule(outcome) {
  clearTimeout(timer);
  failures = outcome === 'done' || outcome === 'busy' ? 0 : failures + 1;
  const wait = failures === 0 ? EVERY : Math.min(FIRST_RETRY * 2 ** (failures - 1), LONGEST);
  timer = setTimeout(() => syncNow().then(schedule), wait);
}

/** Sync on load, when the network returns, when the page shows again, and on a timer. */
export function start() {
  const go = () => syncNow().then(schedule);
  window.addEventListener('online', go);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') go();
  });
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.type === 'sync') go();
    });
  }
  go();
  return go;
}

/** Ask for Background Sync where the browser has it: the worker wakes a page to sync. */
export async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) await registration.sync.register('outreach-sync');
  } catch (error) {
    // Not available: the timer and the `online` event do the work.
  }
}
