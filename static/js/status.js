// What the worker sees of the outbox: the sync state, a sign-in prompt, and the records that
// need attention (rejected or conflicting) with the server's messages, to fix or discard.

import * as outbox from './outbox.js';

const messagesElement = document.getElementById('js-messages');
const MESSAGES = messagesElement ? JSON.parse(messagesElement.textContent) : {};

/** A message by key, `{name}` filled in; `key_one` is the singular used when n is 1. */
export function t(key, values = {}) {
  const template = (values.n === 1 && MESSAGES[`${key}_one`]) || MESSAGES[key] || key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

const FIX_PAGES = {
  contact: '/field/contacts/new', incident: '/field/incidents/new', stock_movement: '/field/stock',
};

export function currentUser() {
  return document.body.dataset.username || '';
}

function element(id) {
  return document.getElementById(id);
}

// How the last sync run ended (see sync.onChange), for the reason records still wait.
let lastRun = { phase: 'done' };
let offline = false;

/** Dates in the page's language; English as in Britain: day-month, 24-hour clock (as the
 * server writes them, outreach/languages.py). */
function dateFormat(options) {
  const { lang } = document.documentElement;
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang || undefined, options);
}

/** The time of day, "14:05". */
function timeOfDay(date) {
  return dateFormat({ hour: '2-digit', minute: '2-digit' }).format(date);
}

/** Why records still wait, after the last run: '' when there is nothing to say. */
function reason() {
  if (offline) return t('offline');
  const at = lastRun.retryAt ? timeOfDay(lastRun.retryAt) : '';
  switch (lastRun.phase) {
    case 'offline':
      return t('offline');
    case 'no-answer':
      return t('no_answer', { time: at });
    case 'server-error':
      return t('server_error', { code: lastRun.status || 500, time: at });
    case 'error':
      if (lastRun.leftOut) return t('left_out', { n: lastRun.leftOut, time: at });
      if (lastRun.status && lastRun.status !== 200) {
        return t('refused', { code: lastRun.status, time: at });
      }
      return t('not_understood', { time: at });
    default:
      return '';
  }
}

/** Redraw the status line, the prompts and the attention list from the outbox. */
export async function render() {
  const status = element('sync-status');
  if (!status) return;
  const entries = await outbox.all();
  const user = currentUser();
  const { waiting, attention, others } = outbox.counts(entries, user);
  const parts = [];
  // "All synced" only when nothing at all is left: not while a record needs attention.
  if (waiting > 0) parts.push(t('waiting', { n: waiting }));
  else if (attention === 0) parts.push(t('all_synced'));
  if (attention > 0) parts.push(t('attention', { n: attention }));
  const why = waiting > 0 ? reason() : '';
  if (why) parts.push(why);
  status.textContent = parts.join(' · ');
  const signInNeeded = lastRun.phase === 'signin';
  // Signed in as someone else (another tab): this page's records wait for their author.
  const otherUser = lastRun.user && lastRun.user !== user ? lastRun.user : null;
  status.dataset.state = attention > 0 || signInNeeded || why || (otherUser && waiting > 0)
    ? 'problem' : waiting > 0 ? 'waiting' : 'ok';

  const syncButton = element('sync-now');
  if (syncButton) syncButton.hidden = waiting === 0;

  const alert = element('sync-alert');
  if (alert) {
    alert.replaceChildren();
    if (signInNeeded && waiting > 0) {
      const link = document.createElement('a');
      link.href = `/login?next=${encodeURIComponent(location.pathname)}`;
      link.textContent = t('sign_in');
      alert.append(t('signin', { n: waiting }), ' ', link);
    } else if (otherUser && waiting > 0) {
      alert.append(t('signed_in_as_other', { n: waiting, user, other: otherUser }));
    }
    if (others > 0) {
      const note = document.createElement('p');
      note.textContent = t('others', { n: others });
      alert.append(note);
    }
    alert.hidden = alert.childNodes.length === 0;
  }
  renderAttention(entries.filter(
    (entry) => entry.user === user && outbox.NEEDS_ATTENTION.includes(entry.state),
  ));
}

/** A field's name as the form shows it, for the server's messages. */
function label(field) {
  return MESSAGES[`field_${field}`] || field;
}

function describeErrors(entry) {
  if (entry.state === 'conflict') return [entry.message || t('conflict')];
  const lines = [];
  const walk = (prefix, value) => {
    if (Array.isArray(value)) {
      value.forEach((item) => (typeof item === 'object' ? walk(prefix, item) : lines.push(`${prefix}: ${item}`)));
    } else if (value && typeof value === 'object') {
      Object.entries(value).forEach(([key, nested]) => walk(/^\d+$/.test(key) ? prefix : label(key), nested));
    } else if (value) {
      lines.push(`${prefix}: ${value}`);
    }
  };
  walk('', entry.errors || {});
  return lines.map((line) => line.replace(/^: /, ''));
}

function renderAttention(entries) {
  const list = element('attention-list');
  const section = element('attention');
  if (!list || !section) return;
  section.hidden = entries.length === 0;
  list.replaceChildren(...entries.map((entry) => {
    const item = document.createElement('li');
    item.className = 'card';
    item.dataset.entry = entry.id;
    const title = document.createElement('h3');
    title.className = 'card-title';
    // What the phone can read of a sealed record: its type, site and when it was saved.
    const saved = dateFormat({ dateStyle: 'medium', timeStyle: 'short' })
      .format(new Date(entry.createdAt));
    title.textContent = [t(`type_${entry.type}`), entry.site, saved].filter(Boolean).join(' · ');
    const problems = document.createElement('ul');
    describeErrors(entry).forEach((line) => {
      const problem = document.createElement('li');
      problem.textContent = line;
      problems.append(problem);
    });
    const actions = document.createElement('div');
    actions.className = 'row-actions';
    if (FIX_PAGES[entry.type]) {
      const fix = document.createElement('a');
      fix.className = 'button';
      fix.href = `${FIX_PAGES[entry.type]}?fix=${encodeURIComponent(entry.id)}`;
      fix.textContent = t('fix');
      actions.append(fix);
    }
    const discard = document.createElement('button');
    discard.type = 'button';
    discard.textContent = t('discard');
    discard.addEventListener('click', async () => {
      if (!window.confirm(t('discard_confirm'))) return;
      await outbox.remove(entry.id);
      await render();
    });
    actions.append(discard);
    item.append(title, problems, actions);
    return item;
  }));
}

let drawing = null;

/** Redraw soon: many changes in a row (a sync updating its batch) draw once. */
function redraw() {
  if (!drawing) drawing = Promise.resolve().then(() => { drawing = null; return render(); });
}

/**
 * Follow the sync runs (why records wait, a 401 asking to sign in) and the outbox, changed in
 * this tab or another.
 */
export function follow(sync) {
  sync.onChange((event) => {
    if (event.phase === 'start') return;
    lastRun = event;
    offline = false;
    redraw();
  });
  outbox.onChange(redraw);
  window.addEventListener('online', () => {
    offline = false;
    redraw();
  });
  window.addEventListener('offline', () => {
    offline = true;
    redraw();
  });
}

/**
 * A short message for the worker, read out by screen readers; `add` keeps the message shown
 * before it (such as "Contact saved on this phone.").
 */
export function say(message, kind = 'success', { add = false } = {}) {
  let box = element('js-flash');
  if (!box) {
    box = document.createElement('div');
    box.id = 'js-flash';
    box.className = 'flashes';
    box.setAttribute('aria-live', 'polite');
    const main = document.querySelector('main');
    main.prepend(box);
  }
  const line = document.createElement('p');
  line.className = `flash flash-${kind}`;
  line.textContent = message;
  if (add) box.append(line);
  else box.replaceChildren(line);
}
