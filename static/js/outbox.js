// The outbox: every record made on this phone, in IndexedDB, keyed by its UUID.
// An entry leaves `pending` only when the server has answered `created` or `duplicate` for it.
//
// entry = {id, type: 'contact'|'incident'|'referral_update'|'stock_movement', record, user,
//          state: 'pending'|'sending'|'synced'|'rejected'|'conflict',
//          attempts, lastError, errors, message, createdAt, updatedAt, syncedAt}

const DB_NAME = 'outreach';
const STORE = 'outbox';
// Synced entries stay a few days as a receipt, without the client code.
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

/** Add a new record, or replace an entry being fixed; resolves once it is on disk. */
export async function save(type, record, user) {
  const now = new Date().toISOString();
  const entry = {
    id: record.id, type, record, user, state: 'pending', attempts: 0,
    lastError: null, errors: null, message: null, createdAt: now, updatedAt: now, syncedAt: null,
  };
  const db = await open();
  const tx = db.transaction(STORE, 'readwrite');
  tx.objectStore(STORE).put(entry);
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  changed();
  return entry;
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
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  changed();
}

export async function remove(id) {
  await done((await store('readwrite')).delete(id));
  changed();
}

/** Synced entries older than the receipt period go; so does the client code of every receipt. */
export async function tidy() {
  const cutoff = Date.now() - RECEIPT_DAYS * 86400000;
  for (const entry of await all()) {
    if (entry.state !== 'synced') continue;
    if (Date.parse(entry.syncedAt) < cutoff) await remove(entry.id);
  }
}

export function receipt(record) {
  const { client_code: _code, ...rest } = record;
  return rest;
}

export function counts(entries, user) {
  const mine = entries.filter((entry) => entry.user === user);
  return {
    waiting: mine.filter((entry) => WAITING.includes(entry.state)).length,
    attention: mine.filter((entry) => NEEDS_ATTENTION.includes(entry.state)).length,
    others: entries.filter((entry) => entry.user !== user && WAITING.includes(entry.state)).length,
  };
}
