// Field forms: item steppers, the remembered site, and the device's UTC offset.
// The forms work without this script; it only makes them quicker to fill in.

const SITE_KEY = 'outreach.site';

function wireSteppers(root) {
  root.querySelectorAll('button.step').forEach((button) => {
    button.addEventListener('click', () => {
      const input = document.getElementById(button.dataset.target);
      const step = Number(button.dataset.step);
      const max = Number(input.max || 10000);
      const next = Math.min(max, Math.max(0, (Number(input.value) || 0) + step));
      input.value = next === 0 ? '' : String(next);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  });
}

function rememberSite(form) {
  const select = form.querySelector('select[data-remember="site"]');
  if (!select) return;
  const saved = localStorage.getItem(SITE_KEY);
  const hasError = select.closest('.has-error');
  if (saved && !hasError && [...select.options].some((option) => option.value === saved)) {
    select.value = saved;
  }
  select.addEventListener('change', () => localStorage.setItem(SITE_KEY, select.value));
  form.addEventListener('submit', () => localStorage.setItem(SITE_KEY, select.value));
}

// The server fills "now" in the organisation's time zone; the device may be in another, and its
// offset is what gets sent, so "now" is set again from the device's own clock.
function localNow(date = new Date()) {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

function fillNow(form) {
  const input = form.querySelector('input[name="occurred_at"][data-default="now"]');
  if (input) input.value = localNow();
}

function fillOffset(form) {
  const offset = form.querySelector('input[name="utc_offset"]');
  if (!offset) return;
  form.addEventListener('submit', () => {
    const local = form.querySelector('input[name="occurred_at"]');
    const when = local && local.value ? new Date(local.value) : new Date();
    offset.value = String(-when.getTimezoneOffset());
  });
}

function focusErrors() {
  const summary = document.getElementById('form-errors');
  if (summary) summary.focus();
}

document.querySelectorAll('form.record-form').forEach((form) => {
  wireSteppers(form);
  rememberSite(form);
  fillNow(form);
  fillOffset(form);
});
focusErrors();
