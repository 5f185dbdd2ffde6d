// The outbox: every record made on this phone, in IndexedDB, keyed by its UUID.
// An entry leaves `pending` only when the server has answered `created` or `duplicate` for it.
// A record's content is sealed to the server's key before it is stored (sealing.js): the phone
// keeps readable only what it needs to manage its outbox, and can never read the rest back.
//
// entry = {id, type: 'contact'|'incident'|'referral_update'|'stock_movement', user,
//          state: 'pending'|'sending'|'synced'|'rejected'|'conflict',
//          attempts, lastError, errors, message, createdAt, updatedAt, syncedAt,
//          site (the site's code, or null), sealed: {kid, epk, iv, ct} (null once synced)}

import { seal } from './sealing.js';

const DB_NAME = 'outreach';
const STORE = 'outbox';
// Synced entries stay a few days as a receipt, without their sealed content.
export const RECEIPT_DAYS = 3;
export const WAITING = ['pending', 'sending'];
export const NEEDS_ATTENTION = ['rejected', 'conflict'];

let opening = null;

// Every change is announced, here and to the other tabs (a record saved in one tab counts in
// the status bar of every tab at once).
const CHANNEL = 'outreach-outbox';
const channel = 'BroadcastChannel' in window ? new BroadcastChannel(CHANNEL) : null;
const listeners = new Set();

/** `listener()` is called after any change to the outbox, in this tab or another. */
export function onChange(listener) {
  listeners.add(listener);
}

function changed() {
  listeners.forEach((listener) => listener());
  if (channel) channel.postMessage('changed');
}

if (channel) channel.onmessage = () => listeners.forEach((listener) => listener());

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: 'id' });
        store.createIndex('user', 'user');
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(mode) {
  const db = await open();
  return db.transaction(STORE, mode).objectStore(STORE);
}

function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/**
 * Seal a new record (or one being fixed) made by `user` and store it, replacing an entry of
 * the same id; resolves once it is on disk. Rejects (and stores nothing) if it cannot be
 * sealed.
 */
export async function save(type, record, user) {
  const { sealed } = await seal(record, user);
  const now = new Date().toISOString();
  const entry = {
    id: record.id, type, user, state: 'pending', attempts: 0,
    lastError: null, errors: null, message: null, createdAt: now, updatedAt: now, syncedAt: null,
    site: typeof record.site === 'string' ? record.site : null, sealed,
  };
  const db = await open();
  const tx = db.transaction(STORE, 'readwrite');
  tx.objectStore(STORE).put(entry);
  await finished(tx);
  changed();
  return entry;
}

/**
 * Seal the entries an older version of the app stored with their plain `record`, and drop it
 * (receipts lose it without being sealed). `noteWaiting(entry, record)` is told of each entry
 * that still waits, before its record goes. Entries that cannot be sealed yet (no key) stay
 * as they are until the next try.
 */
export async function sealLegacy(noteWaiting = () => {}) {
  const legacy = (await all()).filter((entry) => entry.record);
  if (legacy.length === 0) return;
  const sealedNow = new Map();
  for (const entry of legacy) {
    try {
      const sealed = entry.state === 'synced' ? null : (await seal(entry.record, entry.user)).sealed;
      sealedNow.set(entry.id, sealed);
    } catch (error) {
      // No key yet: tried again at the next start or sync run.
    }
  }
  const db = await open();
  const tx = db.transaction(STORE, 'readwrite');
  const objects = tx.objectStore(STORE);
  const noted = [];
  for (const [id, sealed] of sealedNow) {
    const request = objects.get(id);
    request.onsuccess = () => {
      // Sealed meanwhile in another tab, or fixed and saved again: leave it.
      if (!request.result || !request.result.record) return;
      const { record, ...entry } = request.result;
      entry.site = typeof record.site === 'string' ? record.site : null;
      entry.sealed = entry.state === 'synced' ? null : sealed;
      objects.put(entry);
      if (WAITING.includes(entry.state)) noted.push([entry, record]);
    };
  }
  await finished(tx);
  noted.forEach(([entry, record]) => noteWaiting(entry, record));
  changed();
}

export async function get(id) {
  return done((await store('readonly')).get(id));
}

export async function all() {
  const entries = await done((await store('readonly')).getAll());
  return entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Change fields of entries in one transaction: `changes` maps an id to the fields to set. */
export async function update(changes) {
  const db = await open();
  const tx = db.transaction(STORE, 'readwrite');
  const objects = tx.objectStore(STORE);
  const now = new Date().toISOString();
  for (const [id, fields] of changes) {
    const request = objects.get(id);
    request.onsuccess = () => {
      if (request.result) objects.put({ ...request.result, ...fields, updatedAt: now });
    };
  }
  await finished(tx);
  changed();
}

export async function remove(id) {
  await done((await store('readwrite')).delete(id));
  changed();
}

/** Synced entries older than the receipt period go. */
export async function tidy() {
  const cutoff = Date.now() - RECEIPT_DAYS * 86400000;
  for (const entry of await all()) {
    if (entry.state !== 'synced') continue;
    if (Date.parse(entry.syncedAt) < cutoff) await remove(entry.id);
  }
}

export function counts(entries, user) {
  const mine = entries.filter((entry) => entry.user === user);
  return {
    waiting: mine.filter((entry) => WAITING.includes(entry.state)).length,
    attention: mine.filter((entry) => NEEDS_ATTENTION.includes(entry.state)).length,
    others: entries.filter((entry) => entry.user !== user && WAITING.includes(entry.state)).length,
  };
}
