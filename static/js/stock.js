// Stock beside each item of the contact form: what the site held at the last sync
// (GET /api/v1/stock, kept on the phone per user) less what waits in the outbox for that site
// (items of contacts, bulk hand-outs; counts are left alone), also offline. A site or an item
// the phone knows nothing of shows nothing: never a wrong 0.

import * as outbox from './outbox.js';
import { t } from './status.js';

const KEY = 'outreach.stock.';
const listeners = new Set();

// {site: {at: when it was asked for (this phone's clock), items: {code: [on hand, low at]}}}
function kept(user) {
  try {
    return JSON.parse(localStorage.getItem(KEY + user)) || {};
  } catch (error) {
    return {};
  }
}

/** Forget the stock kept on this phone: every user's, or every user's but `but`'s. */
export function forget(but = null) {
  Object.keys(localStorage)
    .filter((key) => key.startsWith(KEY) && key !== KEY + but)
    .forEach((key) => localStorage.removeItem(key));
  listeners.forEach((listener) => listener());
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
  listeners.forEach((listener) => listener());
}

/** {item code: [on hand, low at]} at `site`, less what waits in the outbox; null if unknown. */
async function stockAt(site, user) {
  const known = kept(user)[site];
  if (!known) return null;
  const held = {};
  Object.entries(known.items).forEach(([code, [onHand, low]]) => {
    // Nothing held and no level set: the site may keep no books of it. Say nothing.
    if (onHand > 0 || low !== null) held[code] = [onHand, low];
  });
  for (const { type, state, syncedAt, record } of await outbox.all()) {
    // Waiting, or synced after the stock was asked for (perhaps not in it yet).
    const missing = outbox.WAITING.includes(state)
      || (state === 'synced' && Date.parse(syncedAt) > known.at);
    if (!missing || !record || record.site !== site) continue;
    let taken = [];
    if (type === 'contact') taken = record.items || [];
    else if (type === 'stock_movement' && record.kind === 'handed_out') {
      taken = [{ code: record.item, quantity: record.quantity }];
    }
    taken.forEach(({ code, quantity }) => {
      if (held[code] && Number(quantity) > 0) held[code][0] -= Number(quantity);
    });
  }
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
  let latest = 0;
  const draw = async () => {
    latest += 1;
    const mine = latest;
    const site = form.elements.namedItem('site');
    const held = site ? await stockAt(site.value, user) : null;
    if (mine !== latest) return; // a later draw has begun
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
    if (!event.key || event.key.startsWith(KEY)) draw();
  });
  draw();
}
