// Sending the outbox to POST /api/v1/sync, from page JavaScript (never replayed by the worker).
// One run at a time across tabs (Web Locks: a second tab waits its turn), a fresh CSRF token per
// run, and an entry marked synced only when its id comes back `created` or `duplicate` in a
// well-formed JSON answer: a captive portal's HTML page with status 200 syncs nothing, and a
// record left out of an answer stays waiting (the run stops there and tries again later).
//
// Slow links: a batch holds at most 100 records and gets as long as its upload needs at the
// slowest link planned for, plus 30 s for the answer. A batch that still times out halves the
// next one (down to one record); a batch answered in under half its time lets the next grow
// back. Each request carries the phone's clock (`sent_at`): the server corrects the records'
// times when that clock is wrong, and says by how much.
//
// Records go sealed (`{id, sealed}`, see sealing.js), each in its type's list. A result may
// carry `released` ({site, items}): what a record that drew stock no longer takes from the
// phone's running total of items waiting (stock.js). GET /api/v1/me hands out the server's
// newest key to seal with.

import * as outbox from './outbox.js';
import * as sealing from './sealing.js';
import * as stock from './stock.js';

export const BATCH_SIZE = 100;
const LOCK = 'outreach-sync';
const SIZE_KEY = 'outreach.batch-size';
const PLURAL = {
  contact: 'contacts',
  incident: 'incidents',
  referral_update: 'referral_updates',
  stock_movement: 'stock_movements',
};
const STORED = new Set(['created', 'duplicate']);

// How long the server has to answer once the request is sent, and the upload speed the
// request's own time is worked out from (bytes a second): a browser cannot tell how far an
// upload has got (an XMLHttpRequest reports bytes handed to the network stack, not bytes that
// crossed the link), so the upload gets the time it needs on a link at half a bar of 2G.
const ANSWER_WAIT = 30000;
const SLOWEST_LINK = 512;
const ME_TIMEOUT = 30000;

let running = false;
let again = false;
// The server's catalog version, as GET /api/v1/me said at the start of the last run, and what
// the last answer of the run said of this phone's clock.
let catalogVersion = null;
let clock = {};
const listeners = new Set();

/**
 * `listener({phase, ...})` hears 'start', then how a run ended: 'done', 'signin', 'offline',
 * 'no-answer' (the network is up but the server did not answer in time), 'server-error'
 * (5xx), 'error' (a request refused, or an answer not understood; `leftOut` records missing
 * from it). The end also carries `status` (the HTTP status, if any), `retryAt` (when the next
 * run starts), `user` (who the server says is signed in, or null), `catalogVersion`, and
 * `clockOffset` (how many seconds the phone's clock is ahead of the server's, null if unknown)
 * with `clockCorrected` (whether the server corrected the records' times).
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

function batchSize() {
  const kept = Number(localStorage.getItem(SIZE_KEY));
  return Number.isInteger(kept) && kept >= 1 && kept <= BATCH_SIZE ? kept : BATCH_SIZE;
}

function keepBatchSize(size) {
  localStorage.setItem(SIZE_KEY, String(Math.max(1, Math.min(BATCH_SIZE, size))));
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

/** A request that failed without an answer: the network is down, or the server is silent. */
function unanswered() {
  return navigator.onLine ? 'no-answer' : 'offline';
}

/** `fetch`, aborted after `wait` ms; {response} or {failed: 'offline'|'no-answer', timedOut}. */
async function fetchWithin(url, options, wait) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, wait);
  try {
    return { response: await fetch(url, { ...options, signal: controller.signal }) };
  } catch (error) {
    return { failed: timedOut ? 'no-answer' : unanswered(), timedOut };
  } finally {
    clearTimeout(timer);
  }
}

/** Who is signed in, with a fresh CSRF token; else {status} as a run would end. */
export async function whoAmI() {
  const { response, failed } = await fetchWithin('/api/v1/me', {
    credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' },
  }, ME_TIMEOUT);
  if (failed) return { status: failed };
  if (response.status === 401) return { status: 'signin' };
  if (response.status >= 500) return { status: 'server-error', code: response.status };
  const body = response.ok ? await json(response) : null;
  // A page instead of our answer (a captive portal): the way out is not open.
  if (!body || !body.user || typeof body.csrf_token !== 'string') return { status: 'offline' };
  sealing.keep(body.seal_key);
  return {
    status: 'ok',
    username: body.user.username,
    csrfToken: body.csrf_token,
    catalogVersion: typeof body.catalog_version === 'string' ? body.catalog_version : null,
  };
}

/**
 * Ask the server to open a sealed entry of the signed-in user, to fix it:
 * {record}, or {problem: 'offline' (no connection, no answer, a server error), 'signin', or
 * 'refused' (with the server's `message`: it does not open)}.
 */
export async function openSealed(entry) {
  const me = await whoAmI();
  if (me.status === 'signin') return { problem: 'signin' };
  if (me.status !== 'ok') return { problem: 'offline' };
  const { response, failed } = await fetchWithin('/api/v1/outbox/open', {
    method: 'POST',
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': me.csrfToken },
    body: JSON.stringify({ id: entry.id, sealed: entry.sealed }),
  }, ME_TIMEOUT);
  if (failed) return { problem: 'offline' };
  if (response.status === 401) return { problem: 'signin' };
  const body = await json(response);
  const record = body && body.record;
  if (response.ok && record && typeof record === 'object' && record.id === entry.id) {
    return { record };
  }
  if (response.status === 422 && body) {
    const why = body.errors && Array.isArray(body.errors.sealed) ? body.errors.sealed : [];
    const message = why.filter((line) => typeof line === 'string').join(' ')
      || (typeof body.message === 'string' ? body.message : '');
    return { problem: 'refused', message };
  }
  return { problem: 'offline' };
}

function wellFormed(body) {
  return Boolean(body && Array.isArray(body.results) && body.results.every(
    (result) => result && typeof result.id === 'string' && typeof result.status === 'string'
      && typeof result.type === 'string',
  ));
}

function changeFor(result) {
  if (STORED.has(result.status)) {
    // A receipt: nothing of the record's content, not even sealed.
    return {
      state: 'synced', syncedAt: new Date().toISOString(), sealed: null,
      lastError: null, errors: null, message: null,
    };
  }
  if (result.status === 'rejected') return { state: 'rejected', errors: result.errors || {}, lastError: null };
  if (result.status === 'conflict') {
    return { state: 'conflict', message: result.message || '', lastError: null };
  }
  return { state: 'pending', lastError: `unknown status ${result.status}` };
}

async function sendBatch(entries, csrfToken) {
  const lists = Object.fromEntries(Object.values(PLURAL).map((plural) => [plural, []]));
  entries.forEach((entry) => lists[PLURAL[entry.type]].push({ id: entry.id, sealed: entry.sealed }));
  await outbox.update(entries.map((entry) => [entry.id, {
    state: 'sending', attempts: (entry.attempts || 0) + 1,
  }]));
  const text = JSON.stringify({ sent_at: new Date().toISOString(), ...lists });
  const wait = ANSWER_WAIT + Math.ceil((text.length / SLOWEST_LINK) * 1000);
  const started = Date.now();
  // If the server did store a batch whose answer never came, the retry answers `duplicate`.
  const { response, failed, timedOut } = await fetchWithin('/api/v1/sync', {
    method: 'POST',
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrfToken },
    body: text,
  }, wait);
  if (failed) return { outcome: failed, timedOut, error: timedOut ? 'timeout' : failed };
  if (response.status === 401) return { outcome: 'signin' };
  const answer = await json(response);
  if (response.status !== 200 || !wellFormed(answer)) {
    return {
      outcome: response.status >= 500 ? 'server-error' : 'error',
      error: `HTTP ${response.status}`,
      status: response.status,
    };
  }
  const byKey = new Map(answer.results.map((result) => [`${result.type}:${result.id}`, result]));
  const changes = [];
  const releases = [];
  let leftOut = 0;
  for (const entry of entries) {
    const result = byKey.get(`${entry.type}:${entry.id.toLowerCase()}`);
    if (result) {
      changes.push([entry.id, changeFor(result)]);
      if (result.released) releases.push([entry.user, result.released, STORED.has(result.status)]);
    } else {
      leftOut += 1;
      changes.push([entry.id, { state: 'pending', lastError: 'left out of the answer' }]);
    }
  }
  await outbox.update(changes);
  releases.forEach(([user, released, stored]) => stock.release(user, released, stored));
  return {
    outcome: leftOut ? 'error' : 'ok',
    leftOut,
    quick: Date.now() - started < wait / 2,
    clockOffset: Number.isInteger(answer.clock_offset_seconds) ? answer.clock_offset_seconds : null,
    clockCorrected: Boolean(answer.clock_correction_seconds),
  };
}

async function run() {
  let me = await whoAmI();
  if (me.status !== 'ok') return { outcome: me.status, user: null, status: me.code };
  catalogVersion = me.catalogVersion;
  const ended = (outcome, more = {}) => ({ outcome, user: me.username, ...more });
  let size = batchSize();
  let freshToken = false;
  // Records an older version of the app left unsealed are sealed first (it may just have
  // been given a key), and only sealed ones go.
  await outbox.sealLegacy(({ user, type }, record) => stock.addWaiting(user, type, record));
  // Bounded: a run never loops for ever, whatever the server answers.
  for (let round = 0; round < 50; round += 1) {
    const entries = (await outbox.all()).filter(
      (entry) => entry.user === me.username && outbox.WAITING.includes(entry.state) && entry.sealed,
    );
    if (entries.length === 0) return ended('done');
    const batch = entries.slice(0, size);
    const result = await sendBatch(batch, me.csrfToken);
    if (result.clockOffset !== undefined) {
      clock = { clockOffset: result.clockOffset, clockCorrected: result.clockCorrected };
    }
    if (result.outcome === 'ok') {
      if (result.quick && size < BATCH_SIZE) keepBatchSize((size *= 2));
      continue;
    }
    if (result.leftOut) return ended('error', { leftOut: result.leftOut });
    const lastError = result.error || result.outcome;
    await outbox.update(batch.map((entry) => [entry.id, { state: 'pending', lastError }]));
    if (result.timedOut) keepBatchSize(Math.floor(batch.length / 2));
    if (result.status === 413 && size > 1) {
      size = Math.max(1, Math.floor(size / 2));
      continue;
    }
    // 400: the token went stale during the run (the session changed: a sign-in in another
    // tab, or pages loading at once just after sign-in). Take a fresh one, once.
    if (result.status === 400 && !freshToken) {
      freshToken = true;
      me = await whoAmI();
      if (me.status !== 'ok') return { outcome: me.status, user: null, status: me.code };
      continue;
    }
    return ended(result.outcome, { status: result.status });
  }
  return ended('done');
}

// Every minute while all is well; after a failure 15 s, doubling up to 5 minutes.
const EVERY = 60000;
const FIRST_RETRY = 15000;
const LONGEST = 300000;
let failures = 0;
let timer = null;

/** Plan the next run after one that ended with `outcome`; when it will start. */
function schedule(outcome) {
  clearTimeout(timer);
  failures = outcome === 'done' ? 0 : failures + 1;
  const wait = failures === 0 ? EVERY : Math.min(FIRST_RETRY * 2 ** (failures - 1), LONGEST);
  timer = setTimeout(syncNow, wait);
  return new Date(Date.now() + wait);
}

/**
 * Sync now, and plan the next run. If another tab is syncing, wait for it to finish, then run
 * here too: that sends anything it left and, above all, tells this tab's status line how it
 * ended.
 */
export async function syncNow() {
  if (running) {
    // A record saved while a run ends: run once more right after, not a minute later.
    again = true;
    return 'busy';
  }
  running = true;
  catalogVersion = null;
  clock = {};
  tell({ phase: 'start' });
  let ending;
  try {
    do {
      again = false;
      ending = navigator.locks ? await navigator.locks.request(LOCK, () => run()) : await run();
    } while (again && ending.outcome === 'done');
  } catch (error) {
    ending = { outcome: 'error', user: null };
  } finally {
    running = false;
  }
  const { outcome, ...rest } = ending;
  tell({ ...rest, ...clock, phase: outcome, catalogVersion, retryAt: schedule(outcome) });
  return outcome;
}

/** Sync on load, when the network returns, when the page shows again, and on a timer. */
export function start() {
  window.addEventListener('online', syncNow);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') syncNow();
  });
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.type === 'sync') syncNow();
    });
  }
  syncNow();
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
