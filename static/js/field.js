// The field app: wires the outbox, sync, status and service worker into the field pages.
// Without this script the forms post to the server as plain HTML forms; so they do where the
// page cannot seal records (no secure context: plain HTTP other than localhost), since the
// phone keeps nothing it has not sealed.

import * as catalog from './catalog.js';
import * as outbox from './outbox.js';
import * as pwa from './pwa.js';
import { FROM_FORM, fillForm } from './records.js';
import * as sealing from './sealing.js';
import * as status from './status.js';
import * as stock from './stock.js';
import * as sync from './sync.js';

const SITE_KEY = 'outreach.site';
const KIND_KEY = 'outreach.kind';
const CLOCK_KEY = 'outreach.clock-told';
// A tap on "Save" this soon after a save, on the fresh form nobody has touched since, is the
// same thumb again (a double tap, or a second tap on a slow phone), not a new record.
const REPEAT_MS = 1500;
const { t } = status;

function newId() {
  return crypto.randomUUID();
}

/** Forget what this phone keeps for the signed-in user: the pages, the catalog, the stock. */
function forgetKept() {
  stock.forget();
  return pwa.forgetPages();
}

/** Why a record was not saved on this phone: no key to seal it with yet, or anything else. */
function sayNotSaved(error) {
  status.say(t(error instanceof sealing.NoKeyError ? 'no_seal_key' : 'save_failed'), 'error');
}

function localNow(date = new Date()) {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

// Form helpers

function wireSteppers(form) {
  form.querySelectorAll('button.step').forEach((button) => {
    button.addEventListener('click', () => {
      const input = document.getElementById(button.dataset.target);
      const max = Number(input.max || 10000);
      const next = Math.min(max, Math.max(0, (Number(input.value) || 0) + Number(button.dataset.step)));
      input.value = next === 0 ? '' : String(next);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  });
}

function showPacks(form) {
  const site = form.elements.namedItem('site');
  form.querySelectorAll('[data-packs-for]').forEach((group) => {
    group.hidden = !site || group.dataset.packsFor !== site.value;
  });
}

function wirePacks(form) {
  form.querySelectorAll('button[data-pack]').forEach((button) => {
    button.addEventListener('click', () => {
      const items = JSON.parse(button.dataset.pack);
      for (const [code, quantity] of Object.entries(items)) {
        const input = form.elements.namedItem(`item.${code}`);
        if (input) input.value = String(quantity);
      }
      form.dispatchEvent(new Event('input'));
    });
  });
  showPacks(form);
}

function wireTime(form) {
  const input = form.elements.namedItem('occurred_at');
  if (!input) return;
  form.querySelectorAll('button[data-time]').forEach((button) => {
    button.addEventListener('click', () => {
      if (button.dataset.time === 'now') {
        input.value = localNow();
      } else {
        const current = input.value ? new Date(input.value) : new Date();
        input.value = localNow(new Date(current.getTime() + Number(button.dataset.time) * 60000));
      }
      form.dispatchEvent(new Event('input'));
    });
  });
}

function remembered(form) {
  const site = form.elements.namedItem('site');
  const savedSite = localStorage.getItem(SITE_KEY);
  if (site && savedSite && [...site.options].some((option) => option.value === savedSite)) {
    site.value = savedSite;
  }
  const savedKind = localStorage.getItem(KIND_KEY);
  if (form.dataset.record === 'contact' && savedKind) {
    const radio = form.querySelector(`input[name="kind"][value="${CSS.escape(savedKind)}"]`);
    if (radio) radio.checked = true;
  }
  showPacks(form);
}

function remember(form) {
  const site = form.elements.namedItem('site');
  if (site && site.value) localStorage.setItem(SITE_KEY, site.value);
  const kind = form.querySelector('input[name="kind"]:checked');
  if (form.dataset.record === 'contact' && kind) localStorage.setItem(KIND_KEY, kind.value);
}

// What a form held when it was last fresh, so a form typed into and cleared again is not
// "half-filled" (an update would otherwise wait until the worker saves or leaves the page).
const cleanState = new WeakMap();

function entered(form) {
  const { id: _id, referrals, ...record } = FROM_FORM[form.dataset.record](form);
  return JSON.stringify({ ...record, referrals: referrals?.map(({ id: _rid, ...rest }) => rest) });
}

function markClean(form) {
  cleanState.set(form, entered(form));
  delete form.dataset.dirty;
}

function markDirty(form) {
  if (entered(form) === cleanState.get(form)) delete form.dataset.dirty;
  else form.dataset.dirty = '1';
}

/** A fresh record: new id, now, the remembered site and kind, nothing else filled in. */
function resetForm(form) {
  form.reset();
  form.querySelectorAll('input[name^="item."]').forEach((input) => { input.value = ''; });
  form.querySelectorAll('input[data-referral-id]').forEach((input) => {
    delete input.dataset.referralId;
  });
  form.elements.namedItem('id').value = newId();
  const time = form.elements.namedItem('occurred_at');
  if (time) time.value = localNow();
  form.querySelectorAll('.has-error').forEach((field) => field.classList.remove('has-error'));
  form.querySelectorAll('.field-error, .form-error').forEach((message) => message.remove());
  remembered(form);
  markClean(form);
  delete form.dataset.fixing;
}

const FIX_PROBLEMS = { offline: 'fix_offline', signin: 'fix_signin', refused: 'fix_refused' };

/**
 * Open the record named by `?fix=` in the form: the phone cannot read it (it is sealed), so the
 * server opens it for its author. Without a connection the form stays a fresh one and says so;
 * the record stays under "Records that need attention".
 */
async function startFix(form) {
  const id = new URLSearchParams(location.search).get('fix');
  if (!id) return;
  const entry = await outbox.get(id);
  if (!entry || entry.type !== form.dataset.record || !entry.sealed) return;
  status.say(t('fix_opening'), 'info');
  const { record, problem, message } = await sync.openSealed(entry);
  if (!record) {
    status.say(t(FIX_PROBLEMS[problem], { message: message || '' }).trim(), 'error');
    return;
  }
  fillForm(form, record);
  form.elements.namedItem('site')?.dispatchEvent(new Event('change', { bubbles: true }));
  form.dataset.fixing = entry.id;
  // A conflicting id is taken on the server: the fixed record goes as a new one.
  if (entry.state === 'conflict') form.elements.namedItem('id').value = newId();
  showPacks(form);
  // The record is safe in the outbox; only changes made to it here would be lost.
  markClean(form);
  status.say(t('fixing'), 'info');
}

async function afterSave(type) {
  status.say(t(`saved_${type}`));
  await status.render();
  pwa.askPersistentStorage();
  sync.requestBackgroundSync();
  await sync.syncNow();
}

/**
 * One tap, one record: `save()` (true once saved) runs for a submit only when no save of this
 * form is under way, and not for a repeated tap on the form it has just saved and reset (see
 * REPEAT_MS). The submit buttons are disabled meanwhile, so a tap on them does nothing at all.
 */
function guardSubmit(form, save) {
  const buttons = [...form.querySelectorAll('button[type="submit"], button:not([type])')];
  let saving = false;
  let savedAt = 0;
  let release = null;
  const hold = (held) => buttons.forEach((button) => { button.disabled = held; });
  const touched = () => {
    savedAt = 0;
    if (!saving) hold(false);
  };
  form.addEventListener('input', touched);
  form.addEventListener('change', touched);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (saving || Date.now() - savedAt < REPEAT_MS) return;
    saving = true;
    hold(true);
    clearTimeout(release);
    let saved = false;
    try {
      saved = await save();
    } finally {
      saving = false;
      if (saved) {
        savedAt = Date.now();
        release = setTimeout(() => { if (!saving) hold(false); }, REPEAT_MS);
      } else {
        hold(false);
      }
    }
  });
}

function wireRecordForm(form) {
  const type = form.dataset.record;
  form.querySelectorAll('[data-js]').forEach((element) => { element.hidden = false; });
  wireSteppers(form);
  wirePacks(form);
  wireTime(form);
  form.elements.namedItem('id').value = newId();
  const time = form.querySelector('input[name="occurred_at"][data-default="now"]');
  if (time) time.value = localNow();
  if (!form.querySelector('.has-error')) remembered(form);
  form.elements.namedItem('site')?.addEventListener('change', () => showPacks(form));
  markClean(form);
  form.addEventListener('input', () => markDirty(form));
  form.addEventListener('change', () => markDirty(form));
  guardSubmit(form, async () => {
    if (!form.reportValidity()) return false;
    const record = FROM_FORM[type](form);
    const fixing = form.dataset.fixing;
    const user = status.currentUser();
    try {
      await outbox.save(type, record, user);
      if (fixing && fixing !== record.id) await outbox.remove(fixing);
    } catch (error) {
      // Nothing was saved: the form keeps what was typed.
      sayNotSaved(error);
      return false;
    }
    stock.addWaiting(user, type, record);
    // Only now the form becomes a fresh record: a tap while saving found the button disabled.
    remember(form);
    resetForm(form);
    window.scrollTo(0, 0);
    if (fixing) history.replaceState(null, '', location.pathname);
    afterSave(type);
    return true;
  });
  startFix(form);
}

function wireFollowUps(forms) {
  const markWaiting = (form) => {
    form.hidden = true;
    const note = document.createElement('p');
    note.className = 'hint';
    note.textContent = t('follow_up_waiting');
    form.after(note);
  };
  forms.forEach((form) => {
    guardSubmit(form, async () => {
      if (!form.reportValidity()) return false;
      form.elements.namedItem('id').value = newId();
      // The time of the follow-up is now, not when the (possibly cached) page was made.
      form.elements.namedItem('occurred_at').value = '';
      const record = FROM_FORM.referral_update(form);
      try {
        await outbox.save('referral_update', record, status.currentUser());
      } catch (error) {
        sayNotSaved(error);
        return false;
      }
      markWaiting(form);
      afterSave('referral_update');
      return true;
    });
  });
}

/**
 * Signing out forgets this phone's field pages only once the server has said the session is
 * over. Without signal the worker stays signed in, the pages stay (so the forms still open
 * offline), and the page offers to remove them anyway, saying what that means.
 */
function wireSignOut() {
  const form = document.querySelector('form[data-sign-out]');
  if (!form) return;
  const offline = document.getElementById('sign-out-offline');
  const forgotten = document.getElementById('pages-forgotten');
  document.getElementById('forget-pages')?.addEventListener('click', async () => {
    await forgetKept();
    offline.hidden = true;
    forgotten.hidden = false;
  });
  guardSubmit(form, async () => {
    let response;
    try {
      response = await fetch(form.action || location.href, {
        method: 'POST', body: new FormData(form), credentials: 'same-origin', cache: 'no-store',
      });
    } catch (error) {
      offline.hidden = false;
      offline.focus();
      return false;
    }
    if (!response.ok || new URL(response.url).pathname !== '/login') {
      // Not a confirmed sign-out (a stale form, say): the server's own page explains.
      form.submit();
      return true;
    }
    await forgetKept();
    location.assign(response.url);
    return true;
  });
}

/** Once per wrong clock: how far off this phone's clock is, and what it means. */
function tellClock({ clockOffset, clockCorrected }) {
  if (typeof clockOffset !== 'number') return;
  const minutes = Math.round(clockOffset / 60);
  // Close enough for the server to leave alone (it measures the upload's time too).
  if (!clockCorrected && Math.abs(clockOffset) < 3600) {
    localStorage.removeItem(CLOCK_KEY);
    return;
  }
  const told = localStorage.getItem(CLOCK_KEY);
  if (told !== null && Math.abs(Number(told) - minutes) < 2) return;
  localStorage.setItem(CLOCK_KEY, String(minutes));
  const hours = Math.round(Math.abs(minutes) / 60);
  let message;
  if (!clockCorrected) message = t('clock_uncorrected', { n: hours });
  else if (Math.abs(minutes) < 120) {
    message = t(minutes > 0 ? 'clock_fast' : 'clock_slow', { n: Math.abs(minutes) });
  } else message = t(minutes > 0 ? 'clock_fast_hours' : 'clock_slow_hours', { n: hours });
  status.say(message, 'info', { add: true });
}

async function main() {
  wireSignOut();
  const user = document.body.dataset.username;
  if (!user || !document.getElementById('sync-status')) return;
  if (!sealing.available()) {
    // The forms post to the server as they are, and nothing is kept on the phone.
    status.say(t('insecure_context'), 'info');
    return;
  }
  sealing.keepPageKey();
  sealing.prepare();
  // Records an older version of the app kept unsealed are sealed before anything else.
  await outbox.sealLegacy((entry, record) => stock.addWaiting(entry.user, entry.type, record));
  // A shared phone keeps the stock of the one signed in.
  stock.forget(user);
  document.querySelectorAll('form.record-form').forEach(wireRecordForm);
  document.querySelectorAll('form[data-record="contact"]')
    .forEach((form) => stock.follow(form, user));
  wireFollowUps(document.querySelectorAll('form[data-record="referral_update"]'));

  status.follow(sync);
  sync.onChange((event) => {
    // The session is over (signed out elsewhere, expired, revoked): the kept pages go now.
    if (event.phase === 'signin') forgetKept();
    else if (event.phase !== 'start') tellClock(event);
    // The server has every record of this user it could take: its stock is as fresh as it gets.
    if (event.phase === 'done' && event.user === user) stock.refresh(user, catalog.pageSites());
  });
  await outbox.tidy();
  await status.render();
  document.getElementById('sync-now')?.addEventListener('click', () => sync.syncNow());

  const recordForms = () => [...document.querySelectorAll('form.record-form')];
  const nothingTyped = () => !recordForms().some((form) => form.dataset.dirty);
  const registration = await pwa.register();
  pwa.watchForUpdates(registration, {
    button: document.getElementById('update-app'),
    isSafe: () => !sync.isRunning() && nothingTyped(),
    onBlocked: () => status.say(t('update_blocked'), 'info'),
  });
  // A newer catalog (seen after a sync) reloads a form with nothing typed in; a half-filled
  // one is kept, and reloads after it is saved or cleared.
  const reloaded = catalog.afterReload();
  if (reloaded && reloaded.text) status.say(reloaded.text, reloaded.kind);
  else if (reloaded) status.say(t('catalog_updated'), 'info');
  catalog.follow(sync, {
    needsReload: () => recordForms().length > 0,
    canReload: nothingTyped,
    onWaiting: () => {
      // Never in place of a message the worker still needs, such as "Contact saved".
      if (!document.querySelector('#js-flash .flash')) status.say(t('catalog_waiting'), 'info');
    },
  });
  // Once per sign-in: later visits refresh each page in the cache as it is opened.
  const kept = `${document.body.dataset.username}`;
  if (navigator.onLine && sessionStorage.getItem('outreach.pages-kept') !== kept) {
    sessionStorage.setItem('outreach.pages-kept', kept);
    pwa.keepPages();
  }
  sync.start();
}

main();
