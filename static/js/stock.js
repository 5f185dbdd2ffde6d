// Stock beside each item of the contact form: what the site held at the last sync
// (GET /api/v1/stock, kept on the phone per user) less what waits to be sent for that site
// (items of contacts, bulk hand-outs; counts are left alone), also offline. A site or an item
// the phone knows nothing of shows nothing: never a wrong 0.
//
// The outbox holds its records sealed (sealing.js), so what waits is kept beside it, per user:
// a running total of the items waiting at each site, added to when a record is saved and
// taken off when the server says it has judged the record (`released` in a sync result). What
// was stored since the stock was fetched is held apart until that site's next refresh. Both
// name no record; a refresh that finds nothing of a site waiting any more sets its total to
// nothing, so a total that went wrong (a record discarded, an answer lost) heals itself.

import * as outbox from './outbox.js';
import { t } from './status.js';

const KEY = 'outreach.stock.';
// {site: {item: quantity}}: items of records waiting to be sent.
const WAITING_KEY = 'outreach.stock-waiting.';
// {site: {at: when the last of them was stored (this phone's clock), items: {item: quantity}}}:
// items stored on the server since the site's stock was fetched.
const STORED_KEY = 'outreach.stock-stored.';
const listeners = new Set();

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key)) || {};
  } catch (error) {
    return {};
  }
}

function write(key, value) {
  if (Object.keys(value).length) localStorage.setItem(key, JSON.stringify(value));
  else localStorage.removeItem(key);
}

// {site: {at: when it was asked for (this phone's clock), items: {code: [on hand, low at]}}}
function kept(user) {
  return read(KEY + user);
}

function tell() {
  listeners.forEach((listener) => listener());
}

/** {item: quantity} a record takes from its site's stock: items of a contact, a hand-out. */
function drawn(type, record) {
  const items = {};
  let taken = [];
  if (type === 'contact') taken = record.items || [];
  else if (type === 'stock_movement' && record.kind === 'handed_out') {
    taken = [{ code: record.item, quantity: record.quantity }];
  }
  taken.forEach(({ code, quantity }) => {
    if (typeof code === 'string' && Number(quantity) > 0) {
      items[code] = (items[code] || 0) + Number(quantity);
    }
  });
  return items;
}

function add(total, items, sign = 1) {
  Object.entries(items).forEach(([code, quantity]) => {
    const next = (total[code] || 0) + sign * Number(quantity);
    if (next > 0) total[code] = next;
    else delete total[code];
  });
  return total;
}

/** A record of `user` was saved to the outbox: what it draws from its site now waits. */
export function addWaiting(user, type, record) {
  const items = drawn(type, record);
  if (!record.site || Object.keys(items).length === 0) return;
  const waiting = read(WAITING_KEY + user);
  waiting[record.site] = add(waiting[record.site] || {}, items);
  write(WAITING_KEY + user, waiting);
  tell();
}

/**
 * The server judged a record of `user` that drew stock: `released` ({site, items}) no longer
 * waits. `stored` (created or duplicate): it is now in the server's stock, which the phone's
 * copy may not show yet.
 */
export function release(user, released, stored) {
  if (!released || typeof released.site !== 'string' || !released.items) return;
  const { site, items } = released;
  const waiting = read(WAITING_KEY + user);
  if (waiting[site]) {
    add(waiting[site], items, -1);
    if (Object.keys(waiting[site]).length === 0) delete waiting[site];
    write(WAITING_KEY + user, waiting);
  }
  if (stored) {
    const since = read(STORED_KEY + user);
    since[site] = { at: Date.now(), items: add(since[site]?.items || {}, items) };
    write(STORED_KEY + user, since);
  }
  tell();
}

/**
 * Forget the stock kept on this phone: every user's, or every user's but `but`'s. What waits
 * stays: the records it counts wait for their author.
 */
export function forget(but = null) {
  Object.keys(localStorage)
    .filter((key) => [KEY, STORED_KEY].some((prefix) => key.startsWith(prefix))
      && ![KEY + but, STORED_KEY + but].includes(key))
    .forEach((key) => localStorage.removeItem(key));
  tell();
}

async function fetchStock(site) {
  const response = await fetch(`/api/v1/stock?site=${encodeURIComponent(site)}`, {
    credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' },
  });
  const json = (response.headers.get('Content-Type') || '').includes('application/json');
  return { status: response.status, body: response.ok && json ? await response.json() : null };
}

/** Ask the server for the stock of `sites` (the user's) and keep it; after a sync run. */
export async function refresh(user, sites) {
  const stock = kept(user);
  const fetched = {};
  let signedOut = false;
  await Promise.all(sites.map(async (site) => {
    const at = Date.now();
    try {
      const { status, body } = await fetchStock(site);
      if (status === 401) signedOut = true;
      if (body && body.site === site && Array.isArray(body.items)) {
        const items = {};
        body.items.forEach((held) => { items[held.item] = [held.on_hand, held.running_low_at]; });
        stock[site] = { at, items };
        fetched[site] = at;
      } else if (status === 403 || status === 422) delete stock[site];
    } catch (error) {
      // No answer: what is kept stays.
    }
  }));
  if (signedOut) {
    forget();
    return;
  }
  Object.keys(stock).filter((site) => !sites.includes(site)).forEach((site) => delete stock[site]);
  localStorage.setItem(KEY + user, JSON.stringify(stock));
  await settle(user, fetched, stock);
  tell();
}

/**
 * After fetching the stock of some sites (`fetched`: {site: when it was asked for}; `stock`,
 * all that is kept now): what was stored before it was asked for is in it; and a site with
 * nothing of `user` waiting in the outbox has nothing waiting.
 */
async function settle(user, fetched, stock) {
  const since = read(STORED_KEY + user);
  Object.keys(since).forEach((site) => {
    // Stored while the stock was being asked for: perhaps not in it; held until the next one.
    if (!stock[site] || (site in fetched && since[site].at < fetched[site])) delete since[site];
  });
  write(STORED_KEY + user, since);
  const stillWaiting = new Set((await outbox.all())
    .filter((entry) => entry.user === user && outbox.WAITING.includes(entry.state))
    .map((entry) => entry.site));
  const waiting = read(WAITING_KEY + user);
  Object.keys(fetched).filter((site) => !stillWaiting.has(site))
    .forEach((site) => delete waiting[site]);
  write(WAITING_KEY + user, waiting);
}

/** {item code: [on hand, low at]} at `site`, less what waits to be sent; null if unknown. */
function stockAt(site, user) {
  const known = kept(user)[site];
  if (!known) return null;
  const held = {};
  Object.entries(known.items).forEach(([code, [onHand, low]]) => {
    // Nothing held and no level set: the site may keep no books of it. Say nothing.
    if (onHand > 0 || low !== null) held[code] = [onHand, low];
  });
  const missing = [read(WAITING_KEY + user)[site], read(STORED_KEY + user)[site]?.items];
  missing.forEach((items) => Object.entries(items || {}).forEach(([code, quantity]) => {
    if (held[code] && Number(quantity) > 0) held[code][0] -= Number(quantity);
  }));
  return held;
}

function describe(input, id, shown) {
  const ids = (input.getAttribute('aria-describedby') || '').split(' ')
    .filter((each) => each && each !== id);
  if (shown) ids.push(id);
  if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
  else input.removeAttribute('aria-describedby');
}

/**
 * Show the stock beside each item of a contact form, kept up to date: when its site changes,
 * when the outbox changes (in any tab) and when the kept stock does.
 */
export function follow(form, user) {
  const draw = () => {
    const site = form.elements.namedItem('site');
    const held = site ? stockAt(site.value, user) : null;
    form.querySelectorAll('input[name^="item."]').forEach((input) => {
      const id = `${input.id}-stock`;
      let note = document.getElementById(id);
      const known = held && held[input.name.slice(5)];
      if (known && !note) {
        note = document.createElement('p');
        note.id = id;
        note.className = 'stock-note';
        (input.closest('.stepper-controls') || input).after(note);
      }
      if (note) {
        const [onHand, low] = known || [0, null];
        const n = Math.max(0, onHand);
        note.textContent = t(low !== null && n <= low ? 'stock_low' : 'stock', { n });
        note.classList.toggle('low', low !== null && n <= low);
        note.hidden = !known;
      }
      describe(input, id, Boolean(known));
    });
  };
  form.addEventListener('change', (event) => {
    if (event.target.name === 'site') draw();
  });
  outbox.onChange(draw);
  listeners.add(draw);
  window.addEventListener('storage', (event) => {
    if (!event.key || [KEY, WAITING_KEY, STORED_KEY].some((key) => event.key.startsWith(key))) {
      draw();
    }
  });
  draw();
}
